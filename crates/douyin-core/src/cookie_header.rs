//! The one parser of a `Cookie` request header (`name=value; name2=value2`), for everything that reads one: a web
//! session merging cookies, a cookie import, masking a cookie's values in errors, and the mock checking them.
//!
//! Pairs are split on `;`, blanks around names and values are dropped and empty pieces skipped; values are kept as
//! written (no percent-decoding, quotes kept), as a browser sends them back.

use std::fmt;

/// A piece of a `Cookie` header that is not a cookie: no `=`, or nothing before it. Never shows the piece, which
/// may be a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PairError {
    /// The piece has no `=`.
    MissingEquals,
    /// Nothing comes before the `=`.
    EmptyName,
}

impl fmt::Display for PairError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PairError::MissingEquals => "a cookie without `=` between its name and value",
            PairError::EmptyName => "a cookie without a name",
        })
    }
}

impl std::error::Error for PairError {}

/// The header's cookies in order, each `(name, value)` or, for a piece that is not a cookie, the error and the
/// piece (trimmed) so a caller that keeps what it does not understand can.
pub fn parse(header: &str) -> impl Iterator<Item = Result<(&str, &str), (PairError, &str)>> {
    header
        .split(';')
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .map(|piece| match piece.split_once('=') {
            None => Err((PairError::MissingEquals, piece)),
            Some((name, _)) if name.trim().is_empty() => Err((PairError::EmptyName, piece)),
            Some((name, value)) => Ok((name.trim(), value.trim())),
        })
}

/// The header's well-formed cookies, `(name, value)` in order; other pieces are skipped.
pub fn pairs(header: &str) -> impl Iterator<Item = (&str, &str)> {
    parse(header).filter_map(Result::ok)
}

/// The non-empty value of the first cookie called `name`.
pub fn value_of<'h>(header: &'h str, name: &str) -> Option<&'h str> {
    pairs(header).find_map(|(n, v)| (n == name && !v.is_empty()).then_some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_trimmed_and_values_kept_as_written() {
        let header = " sessionid = abc ;;msToken=x=y; flag; =orphan; q=\"quoted\" ";
        let parsed: Vec<_> = parse(header).collect();
        assert_eq!(
            parsed,
            [
                Ok(("sessionid", "abc")),
                Ok(("msToken", "x=y")),
                Err((PairError::MissingEquals, "flag")),
                Err((PairError::EmptyName, "=orphan")),
                Ok(("q", "\"quoted\"")),
            ]
        );
        assert_eq!(pairs(header).count(), 3);
        assert_eq!(value_of(header, "msToken"), Some("x=y"));
        assert_eq!(
            value_of("a=; a=2", "a"),
            Some("2"),
            "an empty value is skipped"
        );
        assert_eq!(value_of(header, "flag"), None);
    }
}
