//! The storage bootstrap script: connects the nodes, applies the cluster layout, imports the
//! shared S3 key and creates every claimed bucket with read/write for that key, through
//! Garage's admin API v2. It replaces an imperative `garage-setup.sh`.
//!
//! Every step reads the current state first and changes only what is missing, so running it
//! again changes nothing; the last line counts the changes. POSIX sh, with curl, sed, grep
//! and tail only (what `curlimages/curl` has): Garage's admin API answers pretty-printed
//! JSON, one field per line, which `sed` reads reliably.

use crate::contract::ModuleError;

/// One Garage node as the script reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    /// `host:port` of its admin API.
    pub admin: String,
    /// `host:port` other nodes dial for RPC.
    pub rpc: String,
}

/// What the script sets up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Every node; the first is asked about the cluster and connected to the others.
    pub nodes: Vec<Node>,
    /// Every bucket the platform's components claimed.
    pub buckets: Vec<String>,
    /// The zone every node is placed in.
    pub zone: &'static str,
    /// Each node's storage capacity in bytes (its data volume).
    pub capacity: u64,
    /// The name the imported key gets in Garage.
    pub key_name: &'static str,
    /// The files of the mounted Secrets: the admin token, and the S3 key it imports.
    pub admin_token_file: String,
    pub access_key_id_file: String,
    pub secret_access_key_file: String,
}

/// S3 bucket naming: 3 to 63 lower-case letters, digits, `-` and `.`, starting and ending
/// with a letter or digit. Names enter shell words and JSON strings, so nothing else passes.
pub(crate) fn check_bucket_name(name: &str) -> Result<(), ModuleError> {
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let valid = (3..=63).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && edge_ok(name.chars().next())
        && edge_ok(name.chars().last());
    if valid {
        Ok(())
    } else {
        Err(ModuleError::invalid(
            "garage",
            format!("bucket `{name}` is not a valid S3 bucket name (3-63 lower-case letters, digits, '-' and '.')"),
        ))
    }
}

/// The script's text: the plan as shell variables, then the fixed steps.
pub(crate) fn script(plan: &Plan) -> String {
    let nodes: Vec<String> = plan.nodes.iter().map(|n| format!("{},{}", n.admin, n.rpc)).collect();
    format!(
        "#!/bin/sh\n\
         # Garage storage bootstrap, rendered by oxidy from the buckets the platform claims.\n\
         # Idempotent: a second run changes nothing.\n\
         set -euf\n\
         \n\
         # Each node as <admin host:port>,<rpc host:port>; the first one is asked about the cluster.\n\
         GARAGE_NODES=\"${{GARAGE_NODES:-{nodes}}}\"\n\
         BUCKETS=\"{buckets}\"\n\
         ZONE=\"{zone}\"\n\
         CAPACITY={capacity}\n\
         KEY_NAME=\"{key_name}\"\n\
         # The credentials, files of the mounted Secrets.\n\
         GARAGE_ADMIN_TOKEN_FILE=\"${{GARAGE_ADMIN_TOKEN_FILE:-{admin_token_file}}}\"\n\
         S3_ACCESS_KEY_ID_FILE=\"${{S3_ACCESS_KEY_ID_FILE:-{access_key_id_file}}}\"\n\
         S3_SECRET_ACCESS_KEY_FILE=\"${{S3_SECRET_ACCESS_KEY_FILE:-{secret_access_key_file}}}\"\n\
         {STEPS}",
        nodes = nodes.join(" "),
        buckets = plan.buckets.join(" "),
        zone = plan.zone,
        capacity = plan.capacity,
        key_name = plan.key_name,
        admin_token_file = plan.admin_token_file,
        access_key_id_file = plan.access_key_id_file,
        secret_access_key_file = plan.secret_access_key_file,
    )
}

/// The steps, the same for every plan.
const STEPS: &str = r#"
# Read into shell variables, which no other process sees; an unreadable file stops the script.
GARAGE_ADMIN_TOKEN=$(cat "$GARAGE_ADMIN_TOKEN_FILE")
S3_ACCESS_KEY_ID=$(cat "$S3_ACCESS_KEY_ID_FILE")
S3_SECRET_ACCESS_KEY=$(cat "$S3_SECRET_ACCESS_KEY_FILE")
: "${GARAGE_ADMIN_TOKEN:?$GARAGE_ADMIN_TOKEN_FILE is empty}"
: "${S3_ACCESS_KEY_ID:?$S3_ACCESS_KEY_ID_FILE is empty}"
: "${S3_SECRET_ACCESS_KEY:?$S3_SECRET_ACCESS_KEY_FILE is empty}"

changes=0
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }
changed() { changes=$((changes + 1)); printf '%s\n' "$*"; }

# Both values go into JSON bodies: only Garage's key alphabet is accepted.
case $S3_ACCESS_KEY_ID in GK*) ;; *) fail "S3_ACCESS_KEY_ID must start with GK" ;; esac
case $S3_ACCESS_KEY_ID$S3_SECRET_ACCESS_KEY in *[!0-9a-zA-Z]*) fail "the S3 key id and secret must be letters and digits" ;; esac

# The admin token goes to curl on stdin, never on a command line.
admin_curl() {
  printf 'header = "Authorization: Bearer %s"\n' "$GARAGE_ADMIN_TOKEN" |
    curl --config - --silent --show-error --max-time 30 \
      --retry 30 --retry-delay 2 --retry-connrefused "$@"
}

# call METHOD URL [BODY]: the answer on stdout; any HTTP error stops the script.
call() {
  if [ $# -eq 3 ]; then
    admin_curl --fail-with-body --request "$1" --header 'Content-Type: application/json' --data "$3" "$2"
  else
    admin_curl --fail-with-body --request "$1" "$2"
  fi
}

# lookup URL: the answer on stdout, nothing when it does not exist (404).
lookup() {
  response=$(admin_curl --write-out '\n%{http_code}' "$1")
  code=$(printf '%s\n' "$response" | tail -n 1)
  case $code in
    200) printf '%s\n' "$response" | sed '$d' ;;
    404) ;;
    *) fail "GET $1 answered HTTP $code: $(printf '%s\n' "$response" | sed '$d')" ;;
  esac
}

# field NAME: every string value of "NAME" in the JSON on stdin.
field() { sed -n 's/^ *"'"$1"'": "\([^"]*\)",\{0,1\}$/\1/p'; }
# top NAME: the value of the top-level field "NAME" in the JSON on stdin.
top() { sed -n 's/^  "'"$1"'": "\{0,1\}\([^",]*\)"\{0,1\},\{0,1\}$/\1/p'; }

first=${GARAGE_NODES%% *}
first_admin=${first%%,*}
api="http://$first_admin/v2"

# Nodes: learn every node's id and connect it to the first node.
ids=""
count=0
for node in $GARAGE_NODES; do
  admin=${node%%,*}
  rpc=${node#*,}
  id=$(call GET "http://$admin/v2/GetNodeInfo?node=self" | field nodeId | head -n 1)
  [ -n "$id" ] || fail "no node id from $admin"
  ids="$ids $id"
  count=$((count + 1))
  if [ "$admin" != "$first_admin" ]; then
    call POST "$api/ConnectClusterNodes" "[\"$id@$rpc\"]" | grep -q '"success": true' ||
      fail "could not connect node $id at $rpc"
  fi
done
tries=0
until [ "$(call GET "$api/GetClusterStatus" | grep -c '"isUp": true')" -ge "$count" ]; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || fail "not all $count nodes are up"
  sleep 2
done

# Layout: give a role to every node that has none, then apply what is staged.
layout=$(call GET "$api/GetClusterLayout")
placed=" $(printf '%s\n' "$layout" | field id | tr '\n' ' ') "
roles=""
for id in $ids; do
  case $placed in *" $id "*) continue ;; esac
  roles="$roles${roles:+,}{\"id\":\"$id\",\"zone\":\"$ZONE\",\"capacity\":$CAPACITY,\"tags\":[]}"
done
if [ -n "$roles" ]; then
  layout=$(call POST "$api/UpdateClusterLayout" "{\"roles\":[$roles]}")
fi
if printf '%s\n' "$layout" | grep -q '^  "stagedRoleChanges": \[\],\{0,1\}$'; then
  echo "layout: unchanged"
else
  version=$(printf '%s\n' "$layout" | top version)
  [ -n "$version" ] || fail "no layout version in the admin API's answer"
  call POST "$api/ApplyClusterLayout" "{\"version\":$((version + 1))}" >/dev/null
  changed "layout: applied version $((version + 1))"
fi

# Key: import the shared key; an existing key must have the same secret.
key=$(lookup "$api/GetKeyInfo?id=$S3_ACCESS_KEY_ID&showSecretKey=true")
if [ -z "$key" ]; then
  call POST "$api/ImportKey" \
    "{\"accessKeyId\":\"$S3_ACCESS_KEY_ID\",\"secretAccessKey\":\"$S3_SECRET_ACCESS_KEY\",\"name\":\"$KEY_NAME\"}" >/dev/null
  changed "key $S3_ACCESS_KEY_ID: imported"
elif [ "$(printf '%s\n' "$key" | field secretAccessKey)" = "$S3_SECRET_ACCESS_KEY" ]; then
  echo "key $S3_ACCESS_KEY_ID: present"
else
  fail "key $S3_ACCESS_KEY_ID exists in Garage with another secret; fix the Secret or delete the key"
fi

# Buckets: create each one, and let the key read and write it.
for bucket in $BUCKETS; do
  info=$(lookup "$api/GetBucketInfo?globalAlias=$bucket")
  if [ -z "$info" ]; then
    info=$(call POST "$api/CreateBucket" "{\"globalAlias\":\"$bucket\"}")
    changed "bucket $bucket: created"
  fi
  bucket_id=$(printf '%s\n' "$info" | top id)
  [ -n "$bucket_id" ] || fail "no id for bucket $bucket"
  grant=$(printf '%s\n' "$info" | sed -n "/\"accessKeyId\": \"$S3_ACCESS_KEY_ID\"/,/}/p")
  if printf '%s\n' "$grant" | grep -q '"read": true' && printf '%s\n' "$grant" | grep -q '"write": true'; then
    echo "bucket $bucket: key can read and write"
  else
    call POST "$api/AllowBucketKey" \
      "{\"bucketId\":\"$bucket_id\",\"accessKeyId\":\"$S3_ACCESS_KEY_ID\",\"permissions\":{\"read\":true,\"write\":true,\"owner\":false}}" >/dev/null
    changed "bucket $bucket: key may now read and write"
  fi
done

echo "garage bootstrap: $changes change(s)"
"#;
