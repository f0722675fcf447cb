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
    mask_in_blocks(text, secrets, max_out, BLOCK)
}

/// [`mask_bytes`], searching `block_len` bytes at a time.
fn mask_in_blocks(
    text: &[u8],
    secrets: &[&str],
    max_out: usize,
    block_len: usize,
) -> Option<(Vec<u8>, bool)> {
    let secrets: Vec<&[u8]> = secrets
        .iter()
        .map(|s| s.as_bytes())
        .filter(|s| !s.is_empty())
        .collect();
    if secrets.is_empty() {
        return (text.len() > max_out).then(|| (text[..max_out].to_vec(), true));
    }
    let starts = Starts::new(&secrets);
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    // `text[copied..]` is input not yet written to `out`; `i` the first position not yet decided.
    let (mut copied, mut i) = (0, 0);
    let mut block = Vec::new();
    let mut from = 0;
    while from < text.len() {
        let to = (from + block_len).min(text.len());
        starts.find(text, from, to, &mut block);
        for &c in &block {
            if c < i {
                // Inside an occurrence masked already.
                continue;
            }
            if out.len() + (c - copied) >= max_out {
                return Some(cut(out, &text[copied..], max_out));
            }
            if let Some(end) = secrets
                .iter()
                .filter_map(|s| match_at(text, c, s, &mut scratch))
                .max()
            {
                out.extend_from_slice(&text[copied..c]);
                out.extend_from_slice(MASK.as_bytes());
                (copied, i) = (end, end);
            } else {
                i = c + 1;
            }
        }
        from = to.max(i);
    }
    if copied < text.len() && out.len() + (text.len() - copied) > max_out {
        return Some(cut(out, &text[copied..], max_out));
    }
    if copied == 0 {
        // Nothing was masked, and the whole text fits.
        return None;
    }
    out.extend_from_slice(&text[copied..]);
    Some((out, false))
}

/// `out` followed by as much of `rest` (input left unmasked) as fits in `max_out` bytes, marked as cut.
fn cut(mut out: Vec<u8>, rest: &[u8], max_out: usize) -> (Vec<u8>, bool) {
    out.extend_from_slice(&rest[..max_out.saturating_sub(out.len())]);
    (out, true)
}

/// The input is searched for where occurrences may start this many bytes at a time, so that a limited output
/// (`max_out`) costs no more than the blocks it needs.
const BLOCK: usize = 16 * 1024;

/// Finds where an occurrence of some secret may start, without looking at most bytes one by one: every spelling of
/// a secret starts with its first byte literally, then its second byte literally or encoded; or with its first
/// byte encoded (`%`, a backslash, or `+` for a space), which is checked where such a byte is found.
struct Starts<'s> {
    /// The first two bytes of each secret, searched for as they are.
    pairs: Vec<memchr::memmem::Finder<'s>>,
    /// Secrets of a single byte.
    singles: Vec<u8>,
    /// The first byte of each secret, and its second if it has one.
    heads: Vec<(u8, Option<u8>)>,
    /// The first byte of some secret.
    first: [bool; 256],
    /// The first two bytes of an encoded spelling (`%` and a hex digit, a backslash and a letter) of some secret's first
    /// byte, and of some secret's second byte: most `%` and backslashes in a text start neither, and are passed over on
    /// these two bytes.
    encoded_first: Vec<[u8; 2]>,
    encoded_second: Vec<[u8; 2]>,
}

/// The first two bytes of each encoded spelling of `b` (`+` for a space is one byte, `[b'+', 0]` here).
fn encoded_heads(b: u8) -> Vec<[u8; 2]> {
    let hex = |d: u8| char::from_digit(u32::from(d), 16).map(|c| c as u8);
    let mut heads = vec![[b'\\', b'u']];
    if let Some(h) = hex(b >> 4) {
        heads.push([b'%', h]);
        heads.push([b'%', h.to_ascii_uppercase()]);
    }
    heads.extend(escape_letter(b).map(|e| [b'\\', e]));
    if b == b' ' {
        heads.push([b'+', 0]);
    }
    heads
}

impl<'s> Starts<'s> {
    fn new(secrets: &[&'s [u8]]) -> Self {
        let (mut pairs, mut singles) = (Vec::new(), Vec::new());
        for s in secrets {
            match s.get(..2) {
                Some(pair) => pairs.push(memchr::memmem::Finder::new(pair)),
                None => singles.push(s[0]),
            }
        }
        let mut heads: Vec<(u8, Option<u8>)> =
            secrets.iter().map(|s| (s[0], s.get(1).copied())).collect();
        heads.sort_unstable();
        heads.dedup();
        let mut first = [false; 256];
        let (mut encoded_first, mut encoded_second) = (Vec::new(), Vec::new());
        for &(a, b) in &heads {
            first[usize::from(a)] = true;
            encoded_first.extend(encoded_heads(a));
            encoded_second.extend(b.map(encoded_heads).unwrap_or_default());
        }
        for list in [&mut encoded_first, &mut encoded_second] {
            list.sort_unstable();
            list.dedup();
        }
        Starts {
            pairs,
            singles,
            heads,
            first,
            encoded_first,
            encoded_second,
        }
    }

    /// The positions in `from..to` where an occurrence may start, ascending, into `found`.
    fn find(&self, text: &[u8], from: usize, to: usize, found: &mut Vec<usize>) {
        found.clear();
        // One byte past the block, so that a pair or an escape straddling its end is seen.
        let window = &text[from..(to + 1).min(text.len())];
        for pair in &self.pairs {
            found.extend(pair.find_iter(window).map(|p| from + p).filter(|&p| p < to));
        }
        for &b in &self.singles {
            found.extend(memchr::memchr_iter(b, &text[from..to]).map(|p| from + p));
        }
        for p in memchr::memchr3_iter(b'%', b'\\', b'+', window).map(|p| from + p) {
            let c = text[p];
            let head = [
                c,
                if c == b'+' {
                    0
                } else {
                    text.get(p + 1).copied().unwrap_or(0)
                },
            ];
            // A first byte encoded here.
            if p < to
                && self.encoded_first.contains(&head)
                && self.heads.iter().any(|&(first, _)| spells(text, p, first))
            {
                found.push(p);
            }
            // A literal first byte before a second one encoded here.
            let literal_first = |&(first, second): &(u8, Option<u8>)| {
                text[p - 1] == first && second.is_some_and(|second| spells(text, p, second))
            };
            if p > from
                && p - 1 < to
                && self.first[usize::from(text[p - 1])]
                && self.encoded_second.contains(&head)
                && self.heads.iter().any(literal_first)
            {
                found.push(p - 1);
            }
        }
        found.sort_unstable();
        found.dedup();
    }
}

/// The position lists [`match_at`] follows, kept across calls so that matching allocates only while they grow.
#[derive(Default)]
struct Scratch {
    live: Vec<usize>,
    next: Vec<usize>,
}

/// The end of the longest encoded occurrence of `secret` starting at `text[start]`, if one starts there.
fn match_at(text: &[u8], start: usize, secret: &[u8], scratch: &mut Scratch) -> Option<usize> {
    let c = text[start];
    if c != b'%' && c != b'\\' && c != b'+' {
        // Only the literal spelling starts with any other byte: decide most positions from two bytes.
        if c != secret[0] {
            return None;
        }
        if let Some(&b1) = secret.get(1) {
            match text.get(start + 1) {
                Some(&n) if n == b1 || n == b'%' || n == b'\\' || (n == b'+' && b1 == b' ') => {}
                _ => return None,
            }
        }
    }
    // Each secret byte has a few spellings, some of which share a first byte (`%` literally or `%25`), so follow
    // every live position at once; there are rarely more than two.
    let Scratch { live, next } = scratch;
    live.clear();
    live.push(start);
    for &b in secret {
        next.clear();
        for &j in live.iter() {
            spellings(text, j, b, next);
        }
        if next.is_empty() {
            return None;
        }
        next.sort_unstable();
        next.dedup();
        std::mem::swap(live, next);
    }
    live.last().copied()
}

/// What follows a backslash where JSON or Rust's `Debug` escape byte `b` that way (`\n`, `\"`), if they do.
fn escape_letter(b: u8) -> Option<u8> {
    match b {
        b'"' | b'\\' | b'/' | b'\'' => Some(b),
        b'\n' => Some(b'n'),
        b'\r' => Some(b'r'),
        b'\t' => Some(b't'),
        _ => None,
    }
}

/// Pushes the end of every spelling of byte `b` found at `text[j]`.
fn spellings(text: &[u8], j: usize, b: u8, ends: &mut Vec<usize>) {
    each_spelling(text, j, b, |end| ends.push(end));
}

/// Whether some spelling of byte `b` starts at `text[j]`.
fn spells(text: &[u8], j: usize, b: u8) -> bool {
    let mut any = false;
    each_spelling(text, j, b, |_| any = true);
    any
}

/// Calls `found` with the end of every spelling of byte `b` found at `text[j]`.
fn each_spelling(text: &[u8], j: usize, b: u8, mut found: impl FnMut(usize)) {
    let at = |k: usize| text.get(j + k).copied();
    // Exactly `n` hex digits, either case.
    let hex = |from: usize, n: usize| -> Option<u32> {
        text.get(j + from..j + from + n)?
            .iter()
            .try_fold(0, |value, &d| {
                Some(value * 16 + char::from(d).to_digit(16)?)
            })
    };
    if at(0) == Some(b) {
        found(j + 1);
    }
    if at(0) == Some(b'+') && b == b' ' {
        found(j + 1);
    }
    if at(0) == Some(b'%') && hex(1, 2) == Some(u32::from(b)) {
        found(j + 3);
    }
    if at(0) == Some(b'\\') {
        let escaped = escape_letter(b);
        if escaped.is_some() && at(1) == escaped {
            found(j + 2);
        }
        if b.is_ascii() && at(1) == Some(b'u') && hex(2, 4) == Some(u32::from(b)) {
            found(j + 6);
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

    /// The definition `mask_bytes` must agree with: every position tried, one output byte at a time.
    fn reference(text: &[u8], secrets: &[&str], max_out: usize) -> Option<(Vec<u8>, bool)> {
        let secrets: Vec<&[u8]> = secrets
            .iter()
            .map(|s| s.as_bytes())
            .filter(|s| !s.is_empty())
            .collect();
        let mut scratch = Scratch::default();
        let (mut out, mut changed, mut i) = (Vec::new(), false, 0);
        while i < text.len() {
            if out.len() >= max_out {
                return Some((out, true));
            }
            match secrets
                .iter()
                .filter_map(|s| match_at(text, i, s, &mut scratch))
                .max()
            {
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

    #[test]
    fn skipping_ahead_agrees_with_trying_every_position() {
        // Texts drawn from the secrets' own spellings and a little noise, so that matches, near misses and the
        // output limit all come up; a fixed seed keeps the run reproducible.
        let secrets = ["k9", "ab+c/d= e\"", "50%", " x"];
        let pieces = [
            "k9",
            "k%39",
            "ab%2Bc%2Fd%3D%20e%22",
            "ab+c\\/d= e\\\"",
            "50%25",
            "+x",
            "%20x",
            "\\u0020x",
            "a",
            "%",
            "\\",
            "+",
            " ",
            "zz",
            "k",
            "ab+c/d=",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut masked = 0;
        for _ in 0..5_000 {
            let text: String = (0..next(12)).map(|_| pieces[next(pieces.len())]).collect();
            let limit = if next(3) == 0 {
                next(text.len() + 2)
            } else {
                usize::MAX
            };
            let expected = reference(text.as_bytes(), &secrets, limit);
            masked += usize::from(expected.as_ref().is_some_and(|(_, cut)| !cut));
            for block in [1, 2, 3, 7, BLOCK] {
                let got = mask_in_blocks(text.as_bytes(), &secrets, limit, block);
                assert_eq!(got, expected, "{text:?} limit {limit} block {block}");
            }
        }
        assert!(
            masked > 1_000,
            "the texts should often hold a secret: {masked}"
        );
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
