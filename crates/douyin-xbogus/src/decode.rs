//! The decoder: recovers the fields of an X-Bogus value and checks them
//! against a request, to verify requests or explain a mismatch.

use crate::digest::{input_digest, ua_digest};
use crate::encoding::decode_xbogus;
use crate::sign::{checksum, FIELDS_LEN, MARKER, MASK, PREFIX};
use crate::signature::SIGNATURE_LEN;

/// Why a string is not a well-formed X-Bogus value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not 28 bytes long.
    #[error("wrong length: expected 28 characters, got {0} bytes")]
    Length(usize),
    /// A character outside the X-Bogus alphabet.
    #[error("invalid character {character:?} at byte {index}")]
    Character {
        /// The offending character.
        character: char,
        /// Its byte offset in the input.
        index: usize,
    },
    /// The clear-text prefix is not `[2, 255]`.
    #[error("bad prefix: expected [2, 255], got {0:?}")]
    Prefix([u8; 2]),
    /// The first unmasked byte is not the 64 marker.
    #[error("bad marker: expected 64, got {0}")]
    Marker(u8),
    /// The XOR checksum does not match the other 18 bytes.
    #[error("checksum mismatch: computed {computed}, stored {stored}")]
    Checksum {
        /// XOR of the 18 field bytes.
        computed: u8,
        /// The 19th byte carried in the value.
        stored: u8,
    },
}

/// The fields carried by an X-Bogus value.
///
/// The digests are the last two bytes of the MD5 each part was reduced to,
/// so [`check`](Self::check) can only tell a match up to 1 in 65536.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decoded {
    /// UA key bytes the signer used.
    pub args: [u8; 3],
    /// Last two bytes of `MD5(MD5(query))`.
    pub query_digest: [u8; 2],
    /// Last two bytes of `MD5(MD5(body))`.
    pub body_digest: [u8; 2],
    /// Last two bytes of `MD5(base64(RC4(args, user_agent)))`.
    pub ua_digest: [u8; 2],
    /// Unix seconds the signer used.
    pub timestamp: u32,
    /// Canvas constant the signer used.
    pub canvas: u32,
}

/// Which parts of a request agree with a [`Decoded`] signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Match {
    /// The query string's digest matches.
    pub query: bool,
    /// The body's digest matches.
    pub body: bool,
    /// The user agent's digest (keyed with the decoded `args`) matches.
    pub user_agent: bool,
}

impl Match {
    /// Whether every part matches.
    pub const fn all(&self) -> bool {
        self.query && self.body && self.user_agent
    }
}

/// Decodes an X-Bogus value, validating its length, alphabet, prefix, marker
/// byte and checksum.
pub fn decode(value: &str) -> Result<Decoded, DecodeError> {
    let text: &[u8; SIGNATURE_LEN] = value
        .as_bytes()
        .try_into()
        .map_err(|_| DecodeError::Length(value.len()))?;
    let payload = decode_xbogus(text).map_err(|index| DecodeError::Character {
        // The index is on a char boundary: every byte before it is ASCII.
        character: value[index..].chars().next().unwrap_or('\u{fffd}'),
        index,
    })?;

    let prefix = [payload[0], payload[1]];
    if prefix != PREFIX {
        return Err(DecodeError::Prefix(prefix));
    }
    let mut f = [0u8; FIELDS_LEN];
    for (b, (p, m)) in f.iter_mut().zip(payload[2..].iter().zip(MASK)) {
        *b = p ^ m;
    }
    if f[0] != MARKER {
        return Err(DecodeError::Marker(f[0]));
    }
    let computed = checksum(&f[..18]);
    if computed != f[18] {
        return Err(DecodeError::Checksum {
            computed,
            stored: f[18],
        });
    }

    Ok(Decoded {
        args: [f[1], f[2], f[3]],
        query_digest: [f[4], f[5]],
        body_digest: [f[6], f[7]],
        ua_digest: [f[8], f[9]],
        timestamp: u32::from_be_bytes([f[10], f[11], f[12], f[13]]),
        canvas: u32::from_be_bytes([f[14], f[15], f[16], f[17]]),
    })
}

impl Decoded {
    /// Recomputes the digests of a request (the user agent keyed with the
    /// decoded `args`) and reports which parts match this signature.
    pub fn check(&self, query: &[u8], body: &[u8], user_agent: &[u8]) -> Match {
        Match {
            query: input_digest(query) == self.query_digest,
            body: input_digest(body) == self.body_digest,
            user_agent: ua_digest(self.args, user_agent) == self.ua_digest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{encode_xbogus, PAYLOAD_LEN};

    /// Encodes raw payload bytes, bypassing the signer's own validity.
    fn raw(prefix: [u8; 2], fields: [u8; FIELDS_LEN]) -> String {
        let mut p = [0u8; PAYLOAD_LEN];
        p[..2].copy_from_slice(&prefix);
        for (o, (b, m)) in p[2..].iter_mut().zip(fields.iter().zip(MASK)) {
            *o = b ^ m;
        }
        String::from_utf8(encode_xbogus(&p).to_vec()).unwrap()
    }

    fn valid_fields() -> [u8; FIELDS_LEN] {
        let mut f = [0u8; FIELDS_LEN];
        f[0] = MARKER;
        f[1..18].copy_from_slice(&[
            0, 1, 12, 1, 2, 3, 4, 5, 6, 0x60, 0, 0, 1, 0x20, 0, 0xBE, 0x90,
        ]);
        f[18] = checksum(&f[..18]);
        f
    }

    #[test]
    fn decodes_every_field() {
        let d = decode(&raw(PREFIX, valid_fields())).unwrap();
        assert_eq!(
            d,
            Decoded {
                args: [0, 1, 12],
                query_digest: [1, 2],
                body_digest: [3, 4],
                ua_digest: [5, 6],
                timestamp: 0x6000_0001,
                canvas: 536_919_696,
            }
        );
    }

    #[test]
    fn rejects_bad_prefix() {
        assert_eq!(
            decode(&raw([2, 254], valid_fields())),
            Err(DecodeError::Prefix([2, 254]))
        );
    }

    #[test]
    fn rejects_bad_marker() {
        let mut f = valid_fields();
        f[0] = 65;
        f[18] = checksum(&f[..18]);
        assert_eq!(decode(&raw(PREFIX, f)), Err(DecodeError::Marker(65)));
    }

    #[test]
    fn rejects_bad_checksum() {
        let mut f = valid_fields();
        let good = f[18];
        f[18] ^= 0x10;
        assert_eq!(
            decode(&raw(PREFIX, f)),
            Err(DecodeError::Checksum {
                computed: good,
                stored: good ^ 0x10
            })
        );
    }

    #[test]
    fn reports_non_ascii_character() {
        // 28 bytes: 26 ASCII characters and one 2-byte character.
        let value = "DFSzswVYw/hANChSt-s72cppgé3";
        assert_eq!(value.len(), 28);
        assert_eq!(
            decode(value),
            Err(DecodeError::Character {
                character: 'é',
                index: 25
            })
        );
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            DecodeError::Length(27).to_string(),
            "wrong length: expected 28 characters, got 27 bytes"
        );
        assert_eq!(
            DecodeError::Character {
                character: '+',
                index: 3
            }
            .to_string(),
            "invalid character '+' at byte 3"
        );
        assert_eq!(
            DecodeError::Checksum {
                computed: 1,
                stored: 2
            }
            .to_string(),
            "checksum mismatch: computed 1, stored 2"
        );
    }
}
