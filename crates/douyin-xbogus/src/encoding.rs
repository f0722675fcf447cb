//! The two base64-style encodings X-Bogus needs: standard padded base64 (for
//! the scrambled user agent) and the custom-alphabet form of the final value.

use crate::SIGNATURE_LEN;

/// Length of the masked payload (`[2, 255]` + 19 RC4'd bytes).
pub(crate) const PAYLOAD_LEN: usize = 21;

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const XBOGUS: &[u8; 64] = b"Dkdpgh4ZKsQB80/Mfvw36XI1R25-WUAlEi7NLboqYTOPuzmFjJnryx9HVGcaStCe";

/// Reverse table for [`XBOGUS`]; `0xFF` marks characters outside the alphabet.
const XBOGUS_REV: [u8; 256] = {
    let mut rev = [0xFFu8; 256];
    let mut n = 0;
    while n < 64 {
        rev[XBOGUS[n] as usize] = n as u8;
        n += 1;
    }
    rev
};

#[inline]
fn quad(alphabet: &[u8; 64], n: u32) -> [u8; 4] {
    [
        alphabet[(n >> 18) as usize & 63],
        alphabet[(n >> 12) as usize & 63],
        alphabet[(n >> 6) as usize & 63],
        alphabet[n as usize & 63],
    ]
}

/// Standard base64 of `input` with `=` padding, written to `out`; returns the
/// number of bytes written. `out` must hold `input.len().div_ceil(3) * 4`.
///
/// Callers stream long inputs through here in multiple-of-3 chunks, so the
/// output concatenates to the base64 of the whole.
pub(crate) fn base64_standard(input: &[u8], out: &mut [u8]) -> usize {
    let mut w = 0;
    let mut groups = input.chunks_exact(3);
    for g in &mut groups {
        let n = (g[0] as u32) << 16 | (g[1] as u32) << 8 | g[2] as u32;
        out[w..w + 4].copy_from_slice(&quad(STANDARD, n));
        w += 4;
    }
    match *groups.remainder() {
        [a] => {
            let q = quad(STANDARD, (a as u32) << 16);
            out[w..w + 4].copy_from_slice(&[q[0], q[1], b'=', b'=']);
            w += 4;
        }
        [a, b] => {
            let q = quad(STANDARD, (a as u32) << 16 | (b as u32) << 8);
            out[w..w + 4].copy_from_slice(&[q[0], q[1], q[2], b'=']);
            w += 4;
        }
        _ => {}
    }
    w
}

/// Encodes the 21-byte payload as the 28-character X-Bogus value.
pub(crate) fn encode_xbogus(payload: &[u8; PAYLOAD_LEN]) -> [u8; SIGNATURE_LEN] {
    let mut out = [0u8; SIGNATURE_LEN];
    for (g, o) in payload.chunks_exact(3).zip(out.chunks_exact_mut(4)) {
        let n = (g[0] as u32) << 16 | (g[1] as u32) << 8 | g[2] as u32;
        o.copy_from_slice(&quad(XBOGUS, n));
    }
    out
}

/// Decodes 28 X-Bogus characters; on failure returns the byte index of the
/// first character outside the alphabet.
pub(crate) fn decode_xbogus(value: &[u8; SIGNATURE_LEN]) -> Result<[u8; PAYLOAD_LEN], usize> {
    let mut out = [0u8; PAYLOAD_LEN];
    for (k, (chars, o)) in value
        .chunks_exact(4)
        .zip(out.chunks_exact_mut(3))
        .enumerate()
    {
        let mut n = 0u32;
        for (m, &c) in chars.iter().enumerate() {
            let v = XBOGUS_REV[c as usize];
            if v == 0xFF {
                return Err(k * 4 + m);
            }
            n = n << 6 | v as u32;
        }
        o.copy_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(input: &[u8]) -> String {
        let mut out = vec![0; input.len().div_ceil(3) * 4];
        let n = base64_standard(input, &mut out);
        out.truncate(n);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn standard_base64_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(b64(input.as_bytes()), expected, "input {input:?}");
        }
        assert_eq!(b64(&[0xFB, 0xFF, 0xFE]), "+//+");
    }

    #[test]
    fn xbogus_alphabet_round_trips() {
        let payload: [u8; PAYLOAD_LEN] =
            core::array::from_fn(|n| (n as u8).wrapping_mul(37) ^ 0xA5);
        let text = encode_xbogus(&payload);
        assert!(text.iter().all(|c| XBOGUS.contains(c)));
        assert_eq!(decode_xbogus(&text), Ok(payload));
    }

    #[test]
    fn xbogus_known_prefix() {
        // Every signature starts with `[2, 255]` then the masked 64 byte,
        // which is why real values all begin with "DFSz".
        let mut payload = [0u8; PAYLOAD_LEN];
        payload[..3].copy_from_slice(&[2, 255, 64 ^ 109]);
        assert_eq!(&encode_xbogus(&payload)[..4], b"DFSz");
    }

    #[test]
    fn xbogus_rejects_foreign_characters() {
        let mut text = *b"DFSzswVYw/hANChSt-s72cppgiu3";
        text[9] = b'+';
        assert_eq!(decode_xbogus(&text), Err(9));
        text[9] = b'=';
        assert_eq!(decode_xbogus(&text), Err(9));
    }
}
