//! PromQL in dashboards must parse. Grafana substitutes template variables before a query
//! reaches Prometheus, so they are replaced first by values of the right shape.

/// A template variable a dashboard defines, and what it stands for in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variable {
    pub name: String,
    /// Interval variables stand for durations; every other variable for a label value.
    pub is_duration: bool,
}

/// Parses `expr` after substituting Grafana's variables; the error quotes the parser.
pub(crate) fn check(expr: &str, variables: &[Variable]) -> Result<(), String> {
    let substituted = substitute(expr, variables)?;
    crate::contract::promql::parses(&substituted).map_err(|e| {
        let e = e.trim();
        if substituted == expr {
            format!("PromQL does not parse: {e}: `{expr}`")
        } else {
            format!("PromQL does not parse: {e}: `{expr}` (with variables substituted: `{substituted}`)")
        }
    })
}

/// A plausible value for a built-in variable, or `None` if `name` is not one.
fn builtin(name: &str) -> Option<&'static str> {
    Some(match name {
        "__rate_interval" | "__interval" | "__range" => "5m",
        "__interval_ms" | "__range_ms" => "300000",
        "__range_s" => "300",
        _ => return None,
    })
}

/// `expr` with every `$name`, `${name}`, `${name:format}` and `[[name]]` replaced. A
/// variable the dashboard does not define is an error.
pub(crate) fn substitute(expr: &str, variables: &[Variable]) -> Result<String, String> {
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(start) = rest.find(['$', '[']) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let (name, len) = if let Some(body) = tail.strip_prefix("${") {
            let end = body.find('}').ok_or_else(|| format!("unclosed `${{` in `{expr}`"))?;
            let inner = &body[..end];
            (inner.split(':').next().unwrap_or(inner), end + 3)
        } else if let Some(body) = tail.strip_prefix("[[") {
            match body.find("]]") {
                Some(end) if is_name(&body[..end]) => (&body[..end], end + 4),
                _ => ("", 0),
            }
        } else if let Some(body) = tail.strip_prefix('$')
            && !body.starts_with(|c: char| c.is_ascii_digit())
        {
            // `$1` is a capture group in `label_replace`, which Grafana leaves alone too.
            let end = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(body.len());
            (&body[..end], end + 1)
        } else {
            ("", 0)
        };
        if len == 0 || name.is_empty() {
            // A `[` that opens a range selector, or a lone `$`: not a variable.
            out.push_str(&tail[..1]);
            rest = &tail[1..];
            continue;
        }
        let value = match (builtin(name), variables.iter().find(|v| v.name == name)) {
            (Some(value), _) => value,
            (None, Some(v)) if v.is_duration => "5m",
            (None, Some(_)) => "value",
            (None, None) => return Err(format!("unknown template variable `${name}` in `{expr}`")),
        };
        out.push_str(value);
        rest = &tail[len..];
    }
    out.push_str(rest);
    Ok(out)
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vec<Variable> {
        vec![
            Variable { name: "service".into(), is_duration: false },
            Variable { name: "window".into(), is_duration: true },
        ]
    }

    #[test]
    fn variables_are_substituted_by_shape() {
        let expr = r#"sum(rate(x{service="$service", job="${service:regex}"}[$__rate_interval])) + rate(y[$window]) + z[[service]]"#;
        assert_eq!(
            substitute(expr, &vars()).unwrap(),
            r#"sum(rate(x{service="value", job="value"}[5m])) + rate(y[5m]) + zvalue"#
        );
        assert!(check(expr, &vars()).is_ok());
    }

    #[test]
    fn range_selectors_are_left_alone() {
        assert_eq!(substitute("rate(x[5m])", &[]).unwrap(), "rate(x[5m])");
    }

    #[test]
    fn capture_group_references_are_not_variables() {
        let expr = r#"label_replace(up, "workload", "$1", "job", "(.*)")"#;
        assert_eq!(substitute(expr, &[]).unwrap(), expr);
    }

    #[test]
    fn unknown_variables_are_errors() {
        let err = substitute("rate(x{a=\"$nope\"}[5m])", &vars()).unwrap_err();
        assert!(err.contains("unknown template variable `$nope`"), "{err}");
    }

    #[test]
    fn broken_promql_is_reported_with_the_substituted_text() {
        let err = check("sum(rate(x[$__rate_interval])", &[]).unwrap_err();
        assert!(err.starts_with("PromQL does not parse: ") && err.contains("sum(rate(x[5m])"), "{err}");
    }
}
