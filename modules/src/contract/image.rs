//! Container image references, and whether one names a fixed version: every sync must run the
//! same program, so `latest` or no tag at all is refused.

use super::error::OptionError;
use super::values::At;

/// The tag of `registry[:port]/name:tag[@digest]`, if it has one.
pub fn tag(reference: &str) -> Option<&str> {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let name = without_digest.rsplit('/').next().unwrap_or(without_digest);
    name.split_once(':').map(|(_, tag)| tag).filter(|t| !t.is_empty())
}

/// Whether `reference` names a fixed version: a digest, or a tag other than `latest`.
pub fn is_pinned(reference: &str) -> bool {
    reference.contains('@') || tag(reference).is_some_and(|t| t != "latest")
}

/// Whether `reference` has the shape of an image reference: at most 255 characters of the
/// letters, digits and punctuation references use (`a-z A-Z 0-9 . _ - / : @`), no leading or
/// trailing separator. A newline or space would otherwise reach a pod spec the cluster rejects.
pub fn well_formed(reference: &str) -> bool {
    !reference.is_empty()
        && reference.len() <= 255
        && reference.chars().all(|c| c.is_ascii_alphanumeric() || "._-/:@".contains(c))
        && !reference.starts_with(['.', '-', '/', ':', '@'])
        && !reference.ends_with(['.', '-', '/', ':', '@'])
}

/// A container image that names a fixed version, and that version (its tag, or the digest
/// where it has no tag) for the `app.kubernetes.io/version` label and the operator's `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub reference: String,
    pub version: String,
}

impl Image {
    /// The image set at `components.<component>.<key>`, or `default`; an unpinned one is an
    /// option error at its line. The one pinning rule every module applies.
    pub fn resolve(component: &str, key: &str, set: Option<&At<String>>, default: &str) -> Result<Image, OptionError> {
        let reference = match set {
            None => default,
            Some(at) if !well_formed(&at.value) => {
                return Err(OptionError::new(
                    component,
                    key,
                    at.pos,
                    "not an image reference: use `registry/name:tag` or `name@sha256:...`, without spaces or control characters".to_owned(),
                )
                .help(format!("such as `{default}`")));
            }
            Some(at) if is_pinned(&at.value) => at.value.as_str(),
            Some(at) => {
                return Err(OptionError::new(
                    component,
                    key,
                    at.pos,
                    format!("image `{}` is not pinned: name a version tag other than `latest`, or a digest", at.value),
                )
                .help(format!("pin a version, such as `{default}`")));
            }
        };
        let version = tag(reference)
            .or_else(|| reference.split_once('@').map(|(_, digest)| digest))
            .unwrap_or_default()
            .to_owned();
        Ok(Image { reference: reference.to_owned(), version })
    }
}

#[cfg(test)]
mod tests {
    use super::{is_pinned, tag, well_formed};

    #[test]
    fn references_have_the_shape_of_one() {
        assert!(well_formed("registry:5000/team/loki:3.7.6@sha256:abc"));
        assert!(!well_formed("grafana/grafana:12.4.5\nx"));
        assert!(!well_formed("grafana/grafana 12"));
        assert!(!well_formed(""));
        assert!(!well_formed("grafana/grafana:"));
    }

    #[test]
    fn tags_and_digests_pin_latest_does_not() {
        assert_eq!(tag("registry:5000/team/loki:3.7.6"), Some("3.7.6"));
        assert_eq!(tag("registry:5000/team/loki"), None);
        assert_eq!(tag("grafana/loki:3.7.6@sha256:abc"), Some("3.7.6"));
        assert!(is_pinned("grafana/loki:3.7.6"));
        assert!(is_pinned("grafana/loki@sha256:abc"));
        assert!(!is_pinned("grafana/loki:latest"));
        assert!(!is_pinned("grafana/loki"));
        assert!(!is_pinned("registry:5000/loki"));
    }

    #[test]
    fn tags_are_read_after_the_last_path_segment() {
        assert_eq!(tag("quay.io/prometheus/prometheus:v3.13.1"), Some("v3.13.1"));
        assert_eq!(tag("registry:5000/prometheus"), None);
        assert_eq!(tag("registry:5000/prometheus:v3@sha256:abc"), Some("v3"));
        assert_eq!(tag("prometheus:"), None);
    }
}
