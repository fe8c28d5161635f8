//! "Did you mean" for unknown names: the nearest of the names that exist, when one is near
//! enough to be a typo (an edit distance, from `strsim`, of at most a third of the name, at
//! least 1 and at most 2, and less than the name's length unless the name starts it). No unsafe
//! code.

/// `"; did you mean 'x'?"` for the candidate nearest to `name`, or `""` when none is near —
/// the tail of an error message about an unknown name.
///
/// ```
/// use rcffi_cdef::did_you_mean;
/// assert_eq!(did_you_mean("prinft", ["printf", "puts"]), "; did you mean 'printf'?");
/// assert_eq!(did_you_mean("strlen", ["malloc"]), "");
/// ```
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let len = name.chars().count();
    let limit = (len / 3).clamp(1, 2);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        // Not every name for a one-letter one: a suggestion keeps part of the name.
        .filter(|(d, c)| *d <= limit && (*d < len || c.starts_with(name)))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map_or_else(String::new, |(_, c)| format!("; did you mean '{c}'?"))
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn near_names_are_suggested_and_far_ones_not() {
        assert_eq!(
            did_you_mean("prinft", ["printf", "puts"]),
            "; did you mean 'printf'?"
        );
        assert_eq!(did_you_mean("xx", ["y", "x"]), "; did you mean 'x'?");
        assert_eq!(did_you_mean("z", ["x", "y"]), "");
        assert_eq!(did_you_mean("strlen", ["malloc", "free"]), "");
        assert_eq!(did_you_mean("abc", []), "");
    }
}
