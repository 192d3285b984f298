//! The reconnect loop beside every Garage node of a multi-node cluster.
//!
//! Garage nodes remember their peers by IP address (`peer_list` in the metadata directory).
//! When every pod restarts at once, each comes back with a new address and none can reach
//! another: the cluster stays down, and the storage setup Job, an Argo CD hook, does not run
//! again by itself. This loop needs neither a person nor the Kubernetes API: while the local
//! node sees fewer nodes up than the StatefulSet has, it asks each node's admin API (by the
//! pod's stable DNS name) for its id and has the local node connect to it by that name. The
//! layout, keys and buckets live in the nodes' metadata volumes and need nothing else.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Container, Probe};

use crate::contract::k8s;

use super::bootstrap::Node;
use super::objects::{ADMIN_TOKEN_KEY, CREDENTIALS_DIR, RPC_SERVICE};
use super::resolved::Resolved;
use super::{ADMIN_PORT, RPC_PORT, setup};

pub(crate) const CONFIG_MAP: &str = "garage-reconnect-script";
const SCRIPT_FILE: &str = "reconnect.sh";
const VOLUME: &str = "reconnect-script";
/// Seconds between two looks at the cluster.
const INTERVAL: u32 = 30;
/// Seconds one admin API call may take (curl's `--max-time`).
const CALL_TIMEOUT: u32 = 10;
/// The file the loop writes the time into on every round; the probes read it.
const ALIVE_FILE: &str = "/tmp/reconnect.alive";

/// Every node of the StatefulSet, by its pod's name in the headless RPC Service.
pub(crate) fn nodes(r: &Resolved) -> Vec<Node> {
    (0..r.replicas)
        .map(|i| {
            let host = format!("garage-{i}.{RPC_SERVICE}.{}.svc.cluster.local", r.namespace);
            Node { admin: format!("{host}:{ADMIN_PORT}"), rpc: format!("{host}:{RPC_PORT}") }
        })
        .collect()
}

/// The script's text: the nodes and the local admin API as shell variables, then the loop.
pub(crate) fn script(nodes: &[Node]) -> String {
    let nodes: Vec<String> = nodes.iter().map(|n| format!("{},{}", n.admin, n.rpc)).collect();
    format!(
        "#!/bin/sh\n\
         # Garage peer reconnection, rendered by oxidy: runs beside every node, for ever.\n\
         set -uf\n\
         \n\
         # Each node as <admin host:port>,<rpc host:port>.\n\
         GARAGE_NODES=\"${{GARAGE_NODES:-{nodes}}}\"\n\
         LOCAL_ADMIN=\"${{LOCAL_ADMIN:-127.0.0.1:{ADMIN_PORT}}}\"\n\
         INTERVAL=\"${{INTERVAL:-{INTERVAL}}}\"\n\
         # The admin token, a file of the mounted Secret, read at every call.\n\
         GARAGE_ADMIN_TOKEN_FILE=\"${{GARAGE_ADMIN_TOKEN_FILE:-{CREDENTIALS_DIR}/{ADMIN_TOKEN_KEY}}}\"\n\
         ALIVE_FILE=\"${{ALIVE_FILE:-{ALIVE_FILE}}}\"\n\
         {LOOP}",
        nodes = nodes.join(" "),
    )
}

/// The loop, the same for every cluster.
const LOOP: &str = r#"
[ -r "$GARAGE_ADMIN_TOKEN_FILE" ] || { echo "cannot read $GARAGE_ADMIN_TOKEN_FILE" >&2; exit 1; }
trap 'exit 0' TERM INT

# The admin token goes to curl on stdin, never on a command line.
admin_curl() {
  printf 'header = "Authorization: Bearer %s"\n' "$(cat "$GARAGE_ADMIN_TOKEN_FILE")" |
    curl --config - --silent --fail --max-time 10 "$@"
}
# node_id ADMIN: the id of the node whose admin API is at ADMIN, or nothing.
node_id() {
  admin_curl "http://$1/v2/GetNodeInfo?node=self" |
    sed -n 's/^ *"nodeId": "\([0-9a-f]*\)",\{0,1\}$/\1/p' | head -n 1
}

count=0
for node in $GARAGE_NODES; do count=$((count + 1)); done

while :; do
  # The probes' evidence that the loop goes round.
  date +%s >"$ALIVE_FILE"
  up=$(admin_curl "http://$LOCAL_ADMIN/v2/GetClusterStatus" | grep -c '"isUp": true')
  self=$(node_id "$LOCAL_ADMIN")
  if [ -n "$self" ] && [ "${up:-0}" -lt "$count" ]; then
    for node in $GARAGE_NODES; do
      admin=${node%%,*}
      rpc=${node#*,}
      id=$(node_id "$admin")
      if [ -z "$id" ] || [ "$id" = "$self" ]; then continue; fi
      if admin_curl --request POST --header 'Content-Type: application/json' --data "[\"$id@$rpc\"]" \
        "http://$LOCAL_ADMIN/v2/ConnectClusterNodes" | grep -q '"success": true'; then
        echo "connected to $id at $rpc"
      else
        echo "could not connect to $id at $rpc yet"
      fi
    done
  fi
  sleep "$INTERVAL" &
  wait $!
done
"#;

pub(crate) fn config_map(r: &Resolved, labels: &BTreeMap<String, String>) -> ConfigMap {
    k8s::config_map(CONFIG_MAP, labels, SCRIPT_FILE, &script(&nodes(r)))
}

/// Seconds after which the loop's last round is too old: one pause plus the longest round, in
/// which every admin call of the round (two, then two per node) takes its whole timeout, plus
/// one more pause of slack.
fn stale_after(r: &Resolved) -> u32 {
    2 * INTERVAL + CALL_TIMEOUT * (2 + 2 * r.replicas)
}

/// The probe of the loop: it wrote the time of a round recently enough.
fn alive_probe(r: &Resolved, period_seconds: i32) -> Probe {
    let check = format!("test -f {ALIVE_FILE} && [ $(($(date +%s) - $(cat {ALIVE_FILE}))) -lt {} ]", stale_after(r));
    k8s::exec_probe(&["/bin/sh", "-c", &check], period_seconds)
}

/// The sidecar that runs the loop, with the admin token file and the script.
pub(crate) fn container(r: &Resolved) -> Container {
    Container {
        name: "reconnect".into(),
        image: Some(setup::IMAGE.into()),
        image_pull_policy: Some(k8s::IMAGE_PULL_POLICY.into()),
        command: Some(vec!["/bin/sh".into(), format!("/scripts/{SCRIPT_FILE}")]),
        liveness_probe: Some(alive_probe(r, 20)),
        readiness_probe: Some(alive_probe(r, 10)),
        resources: Some(setup::sidecar_resources()),
        security_context: Some(k8s::restricted_container()),
        volume_mounts: Some(vec![
            k8s::mount(VOLUME, "/scripts", true),
            k8s::mount("credentials", CREDENTIALS_DIR, true),
            k8s::mount("tmp", "/tmp", false),
        ]),
        ..Default::default()
    }
}

/// The script's volume, for the pod.
pub(crate) fn volume() -> k8s_openapi::api::core::v1::Volume {
    k8s::config_map_volume(VOLUME, CONFIG_MAP)
}
