//! [`Signature`], the a_bogus value, kept inline so signing never allocates.

use core::fmt;

use crate::fingerprint::MAX_FINGERPRINT_LEN;
use crate::header::HEADER_LEN;

/// Random prefix values in front of the masked values.
pub(crate) const PREFIX_LEN: usize = 12;
/// Values a signature carries besides the fingerprint: prefix, header, checksum.
pub(crate) const FIXED_VALUES: usize = PREFIX_LEN + HEADER_LEN + 1;
/// Most values a signature carries (with the longest fingerprint).
pub(crate) const MAX_VALUES: usize = FIXED_VALUES + MAX_FINGERPRINT_LEN;
/// Shortest a_bogus value (empty fingerprint), in characters.
pub const MIN_SIGNATURE_LEN: usize = FIXED_VALUES.div_ceil(3) * 4;
/// Longest a_bogus value (fingerprint of [`MAX_FINGERPRINT_LEN`]), in characters.
pub const MAX_SIGNATURE_LEN: usize = MAX_VALUES.div_ceil(3) * 4;

/// An a_bogus value (164–176 characters for a browser's fingerprint), stored inline (no heap).
///
/// Its alphabet (`A-Z a-z 0-9 - /` and `=` padding) needs percent-encoding of `/` and `=` in a query value;
/// [`as_str`](Self::as_str) is the raw value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    text: [u8; MAX_SIGNATURE_LEN],
    len: u8,
}

impl Signature {
    /// Wraps `len` bytes of base64 text the encoder wrote (always ASCII).
    pub(crate) fn from_ascii(text: [u8; MAX_SIGNATURE_LEN], len: usize) -> Self {
        debug_assert!(len <= MAX_SIGNATURE_LEN && text[..len].is_ascii());
        Signature {
            text,
            len: len as u8,
        }
    }

    /// The value as text.
    pub fn as_str(&self) -> &str {
        match core::str::from_utf8(self.as_bytes()) {
            Ok(s) => s,
            // Only ever built from the base64 alphabet.
            Err(_) => unreachable!("signature bytes are ASCII"),
        }
    }

    /// The value as ASCII bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.text[..usize::from(self.len)]
    }

    /// Length in characters.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always false: a signature is at least [`MIN_SIGNATURE_LEN`] characters.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl AsRef<str> for Signature {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Signature").field(&self.as_str()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(MIN_SIGNATURE_LEN, 76);
        assert_eq!(MAX_SIGNATURE_LEN, 248);
        assert!(MAX_SIGNATURE_LEN <= usize::from(u8::MAX));
    }
}
