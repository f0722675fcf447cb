//! The two base64 forms a_bogus uses, both standard 3→4 base64 with `=` padding over custom alphabets: one for the
//! scrambled user agent, one for the signature itself, whose values may exceed a byte.

use base64::alphabet::Alphabet;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

const fn alphabet(symbols: &str) -> Alphabet {
    match Alphabet::new(symbols) {
        Ok(a) => a,
        Err(_) => panic!("a base64 alphabet is 64 distinct ASCII characters"),
    }
}

/// The alphabet of the scrambled user agent's base64.
pub(crate) const UA_ALPHABET: &str =
    "ckdp1h4ZKsUB80/Mfvw36XIgR25+WQAlEi7NLboqYTOPuzmFjJnryx9HVGDaStCe";
/// The alphabet of the signature.
pub(crate) const SIGNATURE_ALPHABET: &str =
    "Dkdpgh2ZmsQB80/MfvV36XI1R45-WUAlEixNLwoqYTOPuzKFjJnry79HbGcaStCe";

/// Padded base64 over [`UA_ALPHABET`].
pub(crate) const UA_BASE64: GeneralPurpose =
    GeneralPurpose::new(&alphabet(UA_ALPHABET), GeneralPurposeConfig::new());
/// Padded base64 over [`SIGNATURE_ALPHABET`]. Decoding requires canonical padding and zero trailing bits, which is
/// what the signer writes.
pub(crate) const SIGNATURE_BASE64: GeneralPurpose =
    GeneralPurpose::new(&alphabet(SIGNATURE_ALPHABET), GeneralPurposeConfig::new());

/// Folds values into the bytes base64 then encodes.
///
/// The reference packs each group of three values as `(a << 16) | (b << 8) | c`: a plain OR, so a value above 255
/// spills into its left neighbours and its bits above the group's 24 are dropped. Only the low 24 bits of the group
/// reach the output, so 32-bit arithmetic gives the same characters. A last group of one or two values is
/// packed with zeros and yields one or two bytes, which base64 pads. `out` must hold `values.len()` bytes; returns
/// the number written (always `values.len()`).
pub(crate) fn fold(values: &[u32], out: &mut [u8]) -> usize {
    for (group, bytes) in values.chunks(3).zip(out.chunks_mut(3)) {
        let at = |k: usize| group.get(k).copied().unwrap_or(0);
        let n = (at(0) << 16) | (at(1) << 8) | at(2);
        let packed = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        bytes[..group.len()].copy_from_slice(&packed[..group.len()]);
    }
    values.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn encode(values: &[u32]) -> String {
        let mut bytes = vec![0; values.len()];
        let n = fold(values, &mut bytes);
        SIGNATURE_BASE64.encode(&bytes[..n])
    }

    #[test]
    fn bytes_encode_as_plain_base64_over_the_alphabet() {
        // Index 0..2 of the alphabet: "D", "k", "d"; "foobar" in standard base64 is "Zm9vYmFy" (indices
        // 25, 38, 61, 47, 24, 38, 5, 50).
        let values: Vec<u32> = b"foobar".iter().map(|&b| u32::from(b)).collect();
        let want: String = [25, 38, 61, 47, 24, 38, 5, 50]
            .iter()
            .map(|&i| SIGNATURE_ALPHABET.as_bytes()[i] as char)
            .collect();
        assert_eq!(encode(&values), want);
        assert_eq!(encode(&[0]), "DD==");
        assert_eq!(encode(&[0, 0]), "DDD=");
    }

    #[test]
    fn wide_values_spill_into_their_neighbours() {
        // 407 = 0x197: in the middle of a group its 0x100 bit lands on the first value's lowest bit.
        assert_eq!(encode(&[0, 407, 0]), encode(&[1, 151, 0]));
        // Last in a group, its high byte ORs into the middle value.
        assert_eq!(encode(&[0, 2, 407]), encode(&[0, 3, 151]));
        // First in a group, bits above the group's 24 are dropped.
        assert_eq!(encode(&[407, 0, 0]), encode(&[151, 0, 0]));
        // A wide last value of a partial group.
        assert_eq!(encode(&[0, 300]), encode(&[1, 44]));
    }

    #[test]
    fn the_ua_alphabet_is_valid() {
        assert_eq!(UA_BASE64.encode(b"\xff\xff\xff"), "eeee");
        assert_eq!(UA_BASE64.encode(b"\0"), "cc==");
    }
}
