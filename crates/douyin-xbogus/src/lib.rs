//! X-Bogus, the request signature douyin.com's web API expects in the
//! `X-Bogus` query parameter: a signer and a decoder.
//!
//! The signature packs, into 28 characters:
//!
//! 1. the last two bytes of `MD5(MD5(query))` and of `MD5(MD5(body))`;
//! 2. the last two bytes of `MD5(base64(RC4(args, user_agent)))`;
//! 3. a marker byte (64), the three `args` bytes, the Unix timestamp and a
//!    `canvas` constant (both big-endian), plus an XOR checksum;
//! 4. all of it RC4-masked with the key `[255]` behind a `[2, 255]` prefix,
//!    and encoded with a custom base64 alphabet.
//!
//! Signing never allocates. [`XBogus::for_user_agent`] caches the
//! user-agent part for a session that signs many requests with one user agent.
//!
//! ```
//! use douyin_xbogus::{decode, XBogus};
//!
//! let query = b"aid=6383&device_platform=webapp";
//! let body = b"sec_user_ids=%5B%22MS4wLjABAAAAWoGsbeKXgzg2sye9b2Rann76dEyTzAeKOmXRrvft%22%5D";
//! let ua = b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
//!            (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36";
//!
//! let signer = XBogus::new([0, 1, 14], 536_919_696);
//! let sig = signer.sign(query, body, ua, 1_684_631_583);
//! assert_eq!(sig.as_str(), "DFSzswVObHKXP9ILtt9yWM9WX7nH");
//!
//! // A session binds its user agent once; the result is the same.
//! let session = signer.for_user_agent(ua);
//! assert_eq!(session.sign(query, body, 1_684_631_583), sig);
//!
//! // Decoding recovers the inputs and tells which parts of a request match.
//! let decoded = decode(sig.as_str())?;
//! assert_eq!(decoded.timestamp, 1_684_631_583);
//! assert_eq!(decoded.args, [0, 1, 14]);
//! assert!(decoded.check(query, body, ua).all());
//! assert!(!decoded.check(query, b"", ua).body);
//! # Ok::<(), douyin_xbogus::DecodeError>(())
//! ```
//!
//! Inputs are bytes: pass the query and body exactly as sent on the wire.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod decode;
mod digest;
mod encoding;
mod rc4;
mod sign;
mod signature;

pub use decode::{decode, DecodeError, Decoded, Match};
pub use sign::{UaSigner, XBogus, DEFAULT_ARGS, DEFAULT_CANVAS};
pub use signature::{Signature, SIGNATURE_LEN};

/// The current Unix time in seconds, as the signer's `timestamp`.
///
/// Saturates (to 0 before 1970, to `u32::MAX` after 2106) rather than panic.
pub fn unix_now() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    #[test]
    fn unix_now_is_plausible() {
        let now = super::unix_now();
        // After 2024-01-01 and before 2100-01-01.
        assert!(now > 1_704_067_200, "{now}");
        assert!(now < 4_102_444_800, "{now}");
    }
}

/// The README's example, compiled as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
