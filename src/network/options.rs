//! The env file's `network:` section: what the NetworkPolicies cannot learn from the link
//! graph (where the API server and the nodes are, which namespaces hold clients), typed, with
//! the defaults every key documents.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use oxidy_modules::contract::{DnsLabel, Tier, ValueError};

/// The private address ranges of RFC 1918, where clusters put their API servers and nodes
/// unless told otherwise.
const PRIVATE: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/// Network isolation: a default-deny NetworkPolicy in every namespace oxidy owns and one
/// policy per workload allowing exactly the links the components use.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Network {
    /// Whether to render the NetworkPolicies at all. Default: `true`. Turn off only where the
    /// cluster isolates pods by other means.
    pub policies: Option<bool>,
    /// Namespaces whose pods may reach the client-facing ports: the collector's OTLP receivers
    /// and Grafana's UI (the ingress controller's namespace, Istio's, the namespaces of meshed
    /// or instrumented applications). The namespaces of the env's own `apps:` are clients
    /// already. Default: none.
    #[serde(default)]
    pub client_namespaces: Vec<DnsLabel>,
    /// Addresses (CIDRs) that may reach the client-facing ports and every NodePort or
    /// LoadBalancer Service from outside the cluster. Default: `0.0.0.0/0` on the local tier
    /// (NodePorts from the developer's machine), none elsewhere.
    pub client_cidrs: Option<Vec<Cidr>>,
    /// Where the Kubernetes API server listens (the addresses of `kubectl get endpoints
    /// kubernetes`), for the pods whose service account is bound to a role. Default: the
    /// private ranges `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`.
    pub api_server_cidrs: Option<Vec<Cidr>>,
    /// The API server's ports. Default: `443` and `6443`.
    pub api_server_ports: Option<Vec<u16>>,
    /// The nodes' addresses, which Prometheus scrapes the kubelet (10250) and host-network
    /// exporters at. Default: the private ranges `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`.
    pub node_cidrs: Option<Vec<Cidr>>,
    /// Where Alertmanager may send notifications (HTTPS, port 443): chat and paging services.
    /// Default: `0.0.0.0/0`.
    pub notification_cidrs: Option<Vec<Cidr>>,
}

/// The `network:` section with every default applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub policies: bool,
    pub client_namespaces: Vec<String>,
    pub client_cidrs: Vec<String>,
    pub api_server_cidrs: Vec<String>,
    pub api_server_ports: Vec<u16>,
    pub node_cidrs: Vec<String>,
    pub notification_cidrs: Vec<String>,
}

impl Network {
    /// Applies the tier's defaults.
    pub fn settings(&self, tier: Tier) -> Settings {
        let cidrs = |given: &Option<Vec<Cidr>>, default: &[&str]| match given {
            Some(list) => list.iter().map(|c| c.0.clone()).collect(),
            None => default.iter().map(|c| (*c).to_owned()).collect(),
        };
        let client_default: &[&str] = if tier == Tier::Local { &["0.0.0.0/0"] } else { &[] };
        Settings {
            policies: self.policies.unwrap_or(true),
            client_namespaces: self.client_namespaces.iter().map(ToString::to_string).collect(),
            client_cidrs: cidrs(&self.client_cidrs, client_default),
            api_server_cidrs: cidrs(&self.api_server_cidrs, &PRIVATE),
            api_server_ports: self.api_server_ports.clone().unwrap_or_else(|| vec![443, 6443]),
            node_cidrs: cidrs(&self.node_cidrs, &PRIVATE),
            notification_cidrs: cidrs(&self.notification_cidrs, &["0.0.0.0/0"]),
        }
    }
}

/// An IPv4 or IPv6 network in CIDR notation, its host bits zero: `10.0.0.0/8`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cidr(String);

impl Cidr {
    pub fn parse(text: &str) -> Result<Cidr, ValueError> {
        let invalid = |suggestion: Option<String>| ValueError {
            message: format!("`{text}` is not a CIDR (an address, `/` and a prefix length, such as `10.0.0.0/8`)"),
            suggestion,
        };
        let Some((address, prefix)) = text.split_once('/') else {
            // A bare address is one host.
            return Err(invalid(text.parse::<IpAddr>().ok().map(|a| format!("{a}/{}", bits(a)))));
        };
        let address: IpAddr = address.parse().map_err(|_| invalid(None))?;
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= bits(address)).ok_or_else(|| invalid(None))?;
        let network = network(address, prefix);
        if network != address {
            return Err(ValueError {
                message: format!(
                    "`{text}` has host bits set: the network of `{address}/{prefix}` is `{network}/{prefix}`"
                ),
                suggestion: Some(format!("{network}/{prefix}")),
            });
        }
        Ok(Cidr(text.to_owned()))
    }
}

fn bits(address: IpAddr) -> u8 {
    if address.is_ipv4() { 32 } else { 128 }
}

/// `address` with every bit after `prefix` cleared.
fn network(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V4(a) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & mask).into())
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & mask).into())
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Cidr::parse(&text).map_err(D::Error::custom)
    }
}

impl JsonSchema for Cidr {
    fn schema_name() -> Cow<'static, str> {
        "Cidr".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "An IPv4 or IPv6 network in CIDR notation with its host bits zero, such as `10.0.0.0/8`.",
            "pattern": "^[0-9a-fA-F:.]+/[0-9]{1,3}$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_are_networks() {
        assert!(Cidr::parse("10.0.0.0/8").is_ok());
        assert!(Cidr::parse("0.0.0.0/0").is_ok());
        assert!(Cidr::parse("fd00::/8").is_ok());
        let error = |text: &str| Cidr::parse(text).unwrap_err().to_string();
        assert_eq!(
            error("10.1.2.3/8"),
            "`10.1.2.3/8` has host bits set: the network of `10.1.2.3/8` is `10.0.0.0/8`; did you mean `10.0.0.0/8`?"
        );
        assert!(error("10.1.2.3").ends_with("did you mean `10.1.2.3/32`?"));
        assert!(error("10.0.0.0/33").contains("is not a CIDR"));
        assert!(error("cluster").contains("is not a CIDR"));
    }
}
