//! a_bogus, the request signature douyin.com's web API expects in the `a_bogus` query parameter: a signer, a
//! decoder and a verifier.
//!
//! # The algorithm
//!
//! As the reference (the `ABogus` class of the f2 project, PyPI f2 0.0.1.7, SM3 from gmssl 3.2.2) computes it and
//! `vectors/abogus.json` pins it. Values are integers; a few exceed 255 and are never truncated.
//!
//! 1. **Digests.** The query string and the body (empty for GET) are each salted with `"cus"` and hashed twice with
//!    SM3: `SM3(SM3(data ‖ "cus"))`, the outer hash over the inner digest's 32 bytes. The user agent's bytes are
//!    RC4-encrypted with the key `[0, 1, 14]`, base64-encoded (standard 3→4 grouping and `=` padding, alphabet
//!    `ckdp1h4ZKsUB80/Mfvw36XIgR25+WQAlEi7NLboqYTOPuzmFjJnryx9HVGDaStCe`) and the text hashed once with SM3. The
//!    signature keeps bytes 21 and 22 of the query's and the body's digests and bytes 23 and 24 of the user
//!    agent's.
//! 2. **Header.** 44 values hold those six bytes, the four bytes of each `options` value, the start time (read
//!    before hashing) and end time (after) in Unix milliseconds, the bytes of the app id 6383 (24, 239), the
//!    fingerprint's length and a few constants, interleaved in a fixed order. Each time is sent as its four low
//!    bytes plus `floor(t / 2^32)` and `floor(t / 2^40)`, which today are about 400 and 1: the two values above a
//!    byte.
//! 3. **Masking.** The header, then the character codes of the browser fingerprint, then a checksum (the XOR of the
//!    44 header values) are XORed with the RC4 keystream of the key `"y"`, from a fresh RC4 state for every
//!    signature. XOR leaves a value above 255 above 255.
//! 4. **Prefix.** Three random values `r` (0..=9999) become four values each:
//!    `(r & 0xAA) | 1`, `(r & 0x55) | 2`, `((r >> 8) & 0xAA) | 5`, `((r >> 8) & 0x55) | 40` (low byte of `r`
//!    in the first two).
//! 5. **Encoding.** Prefix and masked values, three at a time, are packed as `(a << 16) | (b << 8) | c` (a plain
//!    OR: a wide value spills onto its left neighbours) and written as four characters of the alphabet
//!    `Dkdpgh2ZmsQB80/MfvV36XI1R45-WUAlEixNLwoqYTOPuzKFjJnry79HbGcaStCe`; a last group of one or two values
//!    gives two or three characters and `=` padding. In a URL the value is percent-encoded (`/`, `=`).
//!
//! A browser fingerprint of 65–73 characters gives a 164–176 character value. Other public copies of the
//! algorithm differ (page id, prefix, padding, hashing the HTTP method instead of the body) and do not match the
//! reference; this crate implements the reference only.
//!
//! # Decoding
//!
//! RC4 and the prefix are reversible, so [`decode`] recovers every field; [`verify`] checks them against a
//! request (the hash bytes and the time order), which is what a server does. Only the low 24 bits of a packed group
//! reach the text, so bits of the wide values are rebuilt from the other fields, and a value is accepted only when
//! encoding its decoded fields gives it back exactly.
//!
//! # Example
//!
//! ```
//! use douyin_abogus::{decode, verify, ABogus, Fingerprint, Stamp};
//!
//! let query = b"device_platform=webapp&aid=6383";
//! let ua = b"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:124.0) Gecko/20100101 Firefox/124.0";
//! let fp: Fingerprint = "1536|742|1536|864|0|0|0|0|1536|864|1536|864|1536|742|24|24|MacIntel".parse()?;
//!
//! // Time and random values pinned (vector ab-007); `UaSigner::sign_now` reads the clock instead.
//! let stamp = Stamp::new(1_750_736_636_186, 1_750_736_636_187, [9909, 3798, 3175]);
//! let signer = ABogus::new([0, 1, 14], fp);
//! let sig = signer.sign(query, b"", ua, stamp);
//! assert!(sig.as_str().starts_with("YvWqBm0IpnjNvjyu5VVLfY3q6413Ypic"));
//! assert_eq!(sig.len(), 168);
//!
//! // A session binds its user agent once; the result is the same.
//! assert_eq!(signer.for_user_agent(ua).sign(query, b"", stamp), sig);
//!
//! // The server side: decode, and verify against the request it came with.
//! let decoded = verify(query, b"", ua, sig.as_str())?;
//! assert_eq!(decoded.stamp(), stamp);
//! assert_eq!(decoded.fingerprint, fp);
//! assert!(verify(b"aid=6383", b"", ua, sig.as_str()).is_err());
//! assert!(!decode(sig.as_str())?.check(query, b"", b"curl/8.0").user_agent);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Inputs are bytes: pass the query and body exactly as sent on the wire, the user agent as the header's bytes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod decode;
mod digest;
mod encoding;
mod fingerprint;
mod header;
mod sign;
mod signature;

pub use decode::{decode, verify, DecodeError, Decoded, Match, VerifyError};
pub use digest::UA_KEY;
pub use fingerprint::{Fingerprint, FingerprintError, Size, Window, MAX_FINGERPRINT_LEN};
pub use header::HEADER_LEN;
pub use sign::{ABogus, Entropy, Stamp, SystemEntropy, UaSigner, DEFAULT_OPTIONS};
pub use signature::{Signature, MAX_SIGNATURE_LEN, MIN_SIGNATURE_LEN};

/// The current Unix time in milliseconds, as a signature's start and end times (0 before 1970).
pub fn unix_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests;

/// The README's example, compiled as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
