//! [`Signature`], the 28-character X-Bogus value, kept inline so signing
//! never allocates.

use core::fmt;

/// Length of an X-Bogus value in characters (all ASCII).
pub const SIGNATURE_LEN: usize = 28;

/// A 28-character X-Bogus value, stored inline (`Copy`, no heap).
///
/// Use [`as_str`](Self::as_str) or `Display` to put it in a URL; its
/// alphabet (`A-Z a-z 0-9 - /`) needs no percent-encoding in a query value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature([u8; SIGNATURE_LEN]);

impl Signature {
    /// Wraps bytes that the encoder produced (always X-Bogus alphabet ASCII).
    pub(crate) const fn from_ascii(bytes: [u8; SIGNATURE_LEN]) -> Self {
        Self(bytes)
    }

    /// The value as text.
    pub fn as_str(&self) -> &str {
        match core::str::from_utf8(&self.0) {
            Ok(s) => s,
            // Only ever built from the ASCII alphabet.
            Err(_) => unreachable!("signature bytes are ASCII"),
        }
    }

    /// The value as ASCII bytes.
    pub const fn as_bytes(&self) -> &[u8; SIGNATURE_LEN] {
        &self.0
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

impl PartialEq<str> for Signature {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Signature {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
