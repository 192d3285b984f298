//! "Did you mean" for names: the closest candidate, if it is close enough to be a typo.

/// The candidate nearest to `wrong`, when the edit distance makes a typo plausible.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_ascii_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // An abbreviation (`prod` for `production`) is as likely as a typo.
    if wrong.len() >= 3
        && let Some(c) = candidates.iter().find(|c| c.to_ascii_lowercase().starts_with(&wrong_lower))
    {
        return Some(c);
    }
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&wrong_lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(wrong.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos_not_strangers() {
        assert_eq!(closest("volumeSise", ["replicas", "volumeSize"]), Some("volumeSize"));
        assert_eq!(closest("repoUrl", ["repoURL", "revision"]), Some("repoURL"));
        assert_eq!(closest("locl", ["local", "staging", "production"]), Some("local"));
        assert_eq!(closest("banana", ["local", "staging"]), None);
        assert_eq!(closest("prod", ["local", "staging", "production"]), Some("production"));
    }
}
