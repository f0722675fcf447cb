//! Masks credential values in text that came from a server (error messages, decode messages, body excerpts) before
//! it reaches an error, a log line or a terminal — also where the value arrives encoded.

use std::borrow::Cow;

/// What a masked credential is replaced with.
pub const MASK: &str = "***";

/// Cookie values shorter than this are not masked on their own (flags like `1` or `true` are not secrets; session
/// ids and tokens are far longer). The whole cookie is always masked, whatever its length.
const MIN_COOKIE_VALUE: usize = 8;

/// Replaces every occurrence of each non-empty secret in `text` with `***`.
///
/// An occurrence also counts when any of its bytes appear percent-encoded (either hex case, wholly or partly, as
/// servers re-encode query strings), form-encoded (a space as `+`), or escaped the way JSON and Rust's `Debug` (hence
/// serde's messages) escape (`\"`, `\\`, `\/`, `\n`, `\u00XX`). Short secrets are masked too.
pub fn mask<'t>(text: &'t str, secrets: &[&str]) -> Cow<'t, str> {
    match mask_bytes(text.as_bytes(), secrets, usize::MAX) {
        None => Cow::Borrowed(text),
        // Matches start on a secret's first byte and end after whole characters, so the output stays UTF-8.
        Some((out, _)) => Cow::Owned(String::from_utf8_lossy(&out).into_owned()),
    }
}

/// Masks `text` like [`mask`] until the output holds `max_out` bytes; returns `None` when nothing needed masking
/// and the text fits, else the output and whether input was left over. Work is bounded by the output wanted plus
/// the longest encoded secret, so a huge body costs no more than its excerpt.
pub fn mask_bytes(text: &[u8], secrets: &[&str], max_out: usize) -> Option<(Vec<u8>, bool)> {
    let secrets: Vec<&[u8]> = secrets
        .iter()
        .map(|s| s.as_bytes())
        .filter(|s| !s.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        if out.len() >= max_out {
            return Some((out, true));
        }
        let end = secrets.iter().filter_map(|s| match_at(text, i, s)).max();
        match end {
            Some(end) => {
                out.extend_from_slice(MASK.as_bytes());
                changed = true;
                i = end;
            }
            None => {
                out.push(text[i]);
                i += 1;
            }
        }
    }
    changed.then_some((out, false))
}

/// The end of the longest encoded occurrence of `secret` starting at `text[start]`, if one starts there.
fn match_at(text: &[u8], start: usize, secret: &[u8]) -> Option<usize> {
    // Most positions start no spelling at all: decide that without allocating.
    let (c, first) = (text[start], secret[0]);
    if c != first && c != b'%' && c != b'\\' && !(c == b'+' && first == b' ') {
        return None;
    }
    // Each secret byte has a few spellings, some of which share a first byte (`%` literally or `%25`), so follow
    // every live position at once; there are rarely more than two.
    let mut live = vec![start];
    for &b in secret {
        let mut next = Vec::with_capacity(live.len());
        for &j in &live {
            spellings(text, j, b, &mut next);
        }
        next.sort_unstable();
        next.dedup();
        if next.is_empty() {
            return None;
        }
        live = next;
    }
    live.last().copied()
}

/// Pushes the end of every spelling of byte `b` found at `text[j]`.
fn spellings(text: &[u8], j: usize, b: u8, ends: &mut Vec<usize>) {
    let at = |k: usize| text.get(j + k).copied();
    let hex = |from: usize, n: usize| -> Option<u32> {
        let digits = text.get(j + from..j + from + n)?;
        let digits = std::str::from_utf8(digits).ok()?;
        u32::from_str_radix(digits, 16).ok()
    };
    if at(0) == Some(b) {
        ends.push(j + 1);
    }
    if at(0) == Some(b'+') && b == b' ' {
        ends.push(j + 1);
    }
    if at(0) == Some(b'%') && hex(1, 2) == Some(u32::from(b)) {
        ends.push(j + 3);
    }
    if at(0) == Some(b'\\') {
        let escaped = match b {
            b'"' | b'\\' | b'/' | b'\'' => Some(b),
            b'\n' => Some(b'n'),
            b'\r' => Some(b'r'),
            b'\t' => Some(b't'),
            _ => None,
        };
        if escaped.is_some() && at(1) == escaped {
            ends.push(j + 2);
        }
        if b.is_ascii() && at(1) == Some(b'u') && hex(2, 4) == Some(u32::from(b)) {
            ends.push(j + 6);
        }
    }
}

/// The values inside a `Cookie` header worth masking on their own (a server may echo just the session id); of a
/// piece that is not a cookie, what follows its `=`, or the whole piece.
pub fn cookie_values(cookie: &str) -> impl Iterator<Item = &str> {
    crate::cookie_header::parse(cookie)
        .map(|piece| match piece {
            Ok((_, value)) => value,
            Err((_, piece)) => piece.split_once('=').map_or(piece, |(_, v)| v.trim()),
        })
        .filter(|v| v.len() >= MIN_COOKIE_VALUE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_secret_is_masked() {
        let secret = "ab+c/d= e\"";
        let spellings = [
            "ab+c/d= e\"",
            "ab%2Bc%2Fd%3D%20e%22",
            "ab%2bc%2fd%3d+e%22",
            "ab%2Bc/d=+e\"",
            "ab+c\\/d= e\\\"",
            "ab\\u002bc/d= e\\u0022",
        ];
        for s in spellings {
            let text = format!("x {s} y");
            assert_eq!(mask(&text, &[secret]), "x *** y", "{s}");
        }
        assert_eq!(
            mask("ab+c/d=", &[secret]),
            "ab+c/d=",
            "a prefix alone is not the secret"
        );
    }

    #[test]
    fn short_secrets_and_literal_percent_signs_are_masked() {
        assert_eq!(mask("key=k9&x=k%39", &["k9"]), "key=***&x=***");
        assert_eq!(mask("50%25 and 50%", &["50%"]), "*** and ***");
        assert!(matches!(
            mask("nothing here", &["k9", ""]),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn the_longest_of_overlapping_secrets_wins() {
        assert_eq!(mask("tokenXYZ", &["token", "tokenXYZ"]), "***");
    }

    #[test]
    fn output_stops_at_the_limit_and_never_splits_a_secret() {
        let text = format!("{}SECRETSECRET tail", "a".repeat(8));
        let (out, cut) = mask_bytes(text.as_bytes(), &["SECRET"], 9).unwrap();
        assert_eq!(out, b"aaaaaaaa***");
        assert!(cut);
    }

    #[test]
    fn cookie_values_worth_masking_are_the_long_ones() {
        let cookie = "sessionid=0123456789abcdef; is_staff=0; ttwid=1%7Cabcdefgh; =nameless-secret; bare-token-xyz";
        let values: Vec<&str> = cookie_values(cookie).collect();
        assert_eq!(
            values,
            [
                "0123456789abcdef",
                "1%7Cabcdefgh",
                "nameless-secret",
                "bare-token-xyz"
            ]
        );
    }
}
