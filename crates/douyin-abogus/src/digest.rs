//! The three SM3 digests a_bogus embeds (query, body, user agent), each reduced to the two bytes the header keeps,
//! computed without heap allocation.

use base64::Engine as _;
use rc4::{KeyInit as _, Rc4, StreamCipher as _};
use sm3::{Digest as _, Sm3};

use crate::encoding::UA_BASE64;

/// Appended to the query and the body before hashing.
pub(crate) const SALT: &[u8] = b"cus";
/// The RC4 key the user agent is scrambled with. The reference uses it whatever the `options` say.
pub const UA_KEY: [u8; 3] = [0, 1, 14];
/// Which bytes of `SM3(SM3(input ‖ salt))` the header keeps, for the query and the body.
const INPUT_BYTES: [usize; 2] = [21, 22];
/// Which bytes of the user agent's SM3 the header keeps.
const UA_BYTES: [usize; 2] = [23, 24];

/// `SM3(SM3("" ‖ "cus"))[21..23]`: GET requests sign an empty body, so the signer skips hashing it.
pub(crate) const EMPTY_INPUT_HASH: [u8; 2] = [58, 51];

/// `SM3(SM3(data ‖ "cus"))`: the inner digest is hashed as its 32 raw bytes.
pub(crate) fn input_sm3x2(data: &[u8]) -> [u8; 32] {
    let inner = Sm3::new().chain_update(data).chain_update(SALT).finalize();
    Sm3::digest(inner).into()
}

/// The two bytes of `SM3(SM3(data ‖ "cus"))` the header carries, for the query or the body.
pub(crate) fn input_hash(data: &[u8]) -> [u8; 2] {
    if data.is_empty() {
        return EMPTY_INPUT_HASH;
    }
    let d = input_sm3x2(data);
    INPUT_BYTES.map(|i| d[i])
}

/// `SM3(base64(RC4(UA_KEY, user_agent)))` with the user-agent alphabet, the user agent's bytes taken as Latin-1
/// character codes.
///
/// The user agent is streamed through RC4 and base64 into SM3 in fixed-size chunks, so any length works without
/// allocating.
pub(crate) fn ua_sm3(user_agent: &[u8]) -> [u8; 32] {
    // A multiple of 3, so the chunks' encodings concatenate to the whole one (padding only at the very end).
    const CHUNK: usize = 96;
    let mut rc4 = Rc4::new_from_slice(&UA_KEY).expect("a 3-byte RC4 key is valid");
    let mut sm3 = Sm3::new();
    let mut plain = [0u8; CHUNK];
    let mut text = [0u8; CHUNK / 3 * 4];
    for chunk in user_agent.chunks(CHUNK) {
        let plain = &mut plain[..chunk.len()];
        plain.copy_from_slice(chunk);
        rc4.apply_keystream(plain);
        let n = UA_BASE64
            .encode_slice(&*plain, &mut text)
            .expect("the buffer holds the encoding of a chunk");
        sm3.update(&text[..n]);
    }
    sm3.finalize().into()
}

/// The two bytes of the user agent's digest the header carries.
pub(crate) fn ua_hash(user_agent: &[u8]) -> [u8; 2] {
    let d = ua_sm3(user_agent);
    UA_BYTES.map(|i| d[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_standard_vector() {
        // GB/T 32905-2016 example 1: SM3("abc").
        let d: [u8; 32] = Sm3::digest(b"abc").into();
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn empty_constant_is_the_real_digest() {
        let d = input_sm3x2(b"");
        assert_eq!([d[21], d[22]], EMPTY_INPUT_HASH);
    }

    /// The straightforward, allocating definition the streaming path must match.
    fn ua_sm3_reference(ua: &[u8]) -> [u8; 32] {
        let mut data = ua.to_vec();
        Rc4::new_from_slice(&UA_KEY)
            .unwrap()
            .apply_keystream(&mut data);
        let mut text = vec![0; data.len().div_ceil(3) * 4];
        let n = UA_BASE64.encode_slice(&data, &mut text).unwrap();
        Sm3::digest(&text[..n]).into()
    }

    #[test]
    fn streaming_ua_digest_matches_reference_at_every_length() {
        // Covers chunk boundaries and all three padding cases.
        let ua: Vec<u8> = (0..400u32).map(|n| (n * 7 + 13) as u8).collect();
        for len in 0..ua.len() {
            assert_eq!(
                ua_sm3(&ua[..len]),
                ua_sm3_reference(&ua[..len]),
                "length {len}"
            );
        }
    }
}
