//! The three digests X-Bogus embeds (query, body, user agent), each reduced
//! to the last two bytes of an MD5, computed without heap allocation.

use md5::{Digest, Md5};

use crate::encoding::base64_standard;
use crate::rc4::Rc4;

/// `MD5(MD5(""))[14..16]`: GET requests sign an empty body, so skip hashing.
pub(crate) const EMPTY_INPUT_DIGEST: [u8; 2] = [69, 63];

/// Last two bytes of `MD5(MD5(data))` (the outer MD5 is over the raw digest).
pub(crate) fn input_digest(data: &[u8]) -> [u8; 2] {
    if data.is_empty() {
        return EMPTY_INPUT_DIGEST;
    }
    let inner = Md5::digest(data);
    let outer = Md5::digest(inner);
    [outer[14], outer[15]]
}

/// Last two bytes of `MD5(base64(RC4(args, user_agent)))`.
///
/// The user agent is streamed through RC4 and base64 into MD5 in fixed-size
/// chunks, so any length works without allocating.
pub(crate) fn ua_digest(args: [u8; 3], user_agent: &[u8]) -> [u8; 2] {
    // A multiple of 3 so chunk encodings concatenate without inner padding.
    const CHUNK: usize = 96;
    let mut rc4 = Rc4::new(&args);
    let mut md5 = Md5::new();
    let mut plain = [0u8; CHUNK];
    let mut text = [0u8; CHUNK / 3 * 4];
    for chunk in user_agent.chunks(CHUNK) {
        let plain = &mut plain[..chunk.len()];
        plain.copy_from_slice(chunk);
        rc4.apply(plain);
        let n = base64_standard(plain, &mut text);
        md5.update(&text[..n]);
    }
    let d = md5.finalize();
    [d[14], d[15]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_constant_is_the_real_digest() {
        let outer = Md5::digest(Md5::digest(b""));
        assert_eq!([outer[14], outer[15]], EMPTY_INPUT_DIGEST);
    }

    #[test]
    fn input_digest_known_value() {
        // MD5(MD5("abc") raw) = af5da9f4...2f8ff687 (Python's hashlib).
        assert_eq!(input_digest(b"abc"), [0xf6, 0x87]);
    }

    #[test]
    fn ua_digest_known_value() {
        // base64(RC4([0,1,12], ua)) = "Opb+/h2i...TrL1RoQ1+sdpKDllNOw==",
        // whose MD5 ends in [206, 33] (Python reference).
        let ua = b"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(ua_digest([0, 1, 12], ua), [206, 33]);
    }

    /// The straightforward, allocating definition the streaming path must match.
    fn ua_digest_reference(args: [u8; 3], ua: &[u8]) -> [u8; 2] {
        let mut data = ua.to_vec();
        Rc4::new(&args).apply(&mut data);
        let mut text = vec![0; data.len().div_ceil(3) * 4];
        let n = base64_standard(&data, &mut text);
        let d = Md5::digest(&text[..n]);
        [d[14], d[15]]
    }

    #[test]
    fn streaming_ua_digest_matches_reference_at_every_length() {
        // Covers chunk boundaries and all three padding cases.
        let ua: Vec<u8> = (0..400u32).map(|n| (n * 7 + 13) as u8).collect();
        for len in 0..ua.len() {
            assert_eq!(
                ua_digest([0, 1, 12], &ua[..len]),
                ua_digest_reference([0, 1, 12], &ua[..len]),
                "length {len}"
            );
        }
    }
}
