//! The one place a rendered collector config is changed to run on this machine: only its
//! listen and target addresses move to 127.0.0.1 (see [`loopback_config`]).

use std::collections::BTreeMap;

/// `config` (a rendered collector `config.yaml`) with every address moved to loopback, and
/// nothing else changed:
///
/// - the value of every `endpoint:` key, a `host:port` or a URL, gets the host `127.0.0.1` and
///   the port `ports[<original host:port>]`; a URL keeps its scheme and path;
/// - the telemetry reader's `host:` becomes `127.0.0.1` and its `port: <p>` becomes
///   `ports["<host>:<p>"]`, the pair read as one address.
///
/// Every other line stays byte-identical (the caller can diff to prove it). An address
/// without a port in `ports` fails the test, naming it, so a new one cannot slip through.
pub fn loopback_config(config: &str, ports: &BTreeMap<String, u16>) -> String {
    let port_of = |address: &str| -> u16 {
        *ports.get(address).unwrap_or_else(|| {
            panic!("the rendered collector config has address {address}, which the test does not map: {ports:?}")
        })
    };
    let mut out = String::with_capacity(config.len());
    let mut reader_host: Option<String> = None;
    for line in config.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let indent = &body[..body.len() - body.trim_start().len()];
        let (key, value) = body.trim_start().split_once(": ").unwrap_or((body.trim_start(), ""));
        let rewritten = match key {
            "endpoint" => {
                let unquoted = value.trim_matches('"');
                let (scheme, rest) = unquoted.split_once("://").map_or(("", unquoted), |(s, r)| (s, r));
                let (authority, path) = rest.find('/').map_or((rest, ""), |i| (&rest[..i], &rest[i..]));
                let port = port_of(authority);
                let prefix = if scheme.is_empty() { String::new() } else { format!("{scheme}://") };
                Some(format!("{indent}endpoint: {prefix}127.0.0.1:{port}{path}"))
            }
            "host" => {
                reader_host = Some(value.trim_matches('"').to_owned());
                Some(format!("{indent}host: \"127.0.0.1\""))
            }
            "port" => {
                let host = reader_host.take().expect("a telemetry `port:` follows its `host:`");
                Some(format!("{indent}port: {}", port_of(&format!("{host}:{value}"))))
            }
            _ => None,
        };
        match rewritten {
            Some(text) => {
                out.push_str(&text);
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The lines of `a` and `b` that differ, by position; both must have as many lines.
pub fn changed_lines<'a>(a: &'a str, b: &'a str) -> Vec<(&'a str, &'a str)> {
    assert_eq!(a.lines().count(), b.lines().count(), "a rewrite added or removed lines");
    a.lines().zip(b.lines()).filter(|(x, y)| x != y).collect()
}
