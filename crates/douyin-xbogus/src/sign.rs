//! The signer: [`XBogus`] for one-off signatures and [`UaSigner`] for a
//! session that signs many requests with one user agent.

use crate::digest::{input_digest, ua_digest};
use crate::encoding::{encode_xbogus, PAYLOAD_LEN};
use crate::rc4::keystream;
use crate::signature::Signature;

/// Length of the signed fields plus their XOR checksum.
pub(crate) const FIELDS_LEN: usize = 19;
/// First signed byte; a fixed marker.
pub(crate) const MARKER: u8 = 64;
/// Clear-text bytes in front of the masked fields.
pub(crate) const PREFIX: [u8; 2] = [2, 255];
/// The fields are RC4'd with the constant key `[255]`, i.e. XORed with this
/// fixed keystream, so it is computed once at compile time.
pub(crate) const MASK: [u8; FIELDS_LEN] = keystream(&[PREFIX[1]]);

/// Default `args`: the UA key bytes douyin.com's web client commonly uses.
pub const DEFAULT_ARGS: [u8; 3] = [0, 1, 12];
/// Default `canvas`: the environment constant commonly sent with [`DEFAULT_ARGS`].
pub const DEFAULT_CANVAS: u32 = 536_919_696;

/// XOR of all bytes: the checksum appended as the 19th field byte.
pub(crate) fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// Everything that goes into a signature, already digested.
pub(crate) struct Fields {
    pub(crate) args: [u8; 3],
    pub(crate) query: [u8; 2],
    pub(crate) body: [u8; 2],
    pub(crate) ua: [u8; 2],
    pub(crate) timestamp: u32,
    pub(crate) canvas: u32,
}

impl Fields {
    /// Lays out, checksums, masks and encodes the fields (steps 3 to 5).
    pub(crate) fn seal(&self) -> Signature {
        let mut f = [0u8; FIELDS_LEN];
        f[0] = MARKER;
        f[1..4].copy_from_slice(&self.args);
        f[4..6].copy_from_slice(&self.query);
        f[6..8].copy_from_slice(&self.body);
        f[8..10].copy_from_slice(&self.ua);
        f[10..14].copy_from_slice(&self.timestamp.to_be_bytes());
        f[14..18].copy_from_slice(&self.canvas.to_be_bytes());
        f[18] = checksum(&f[..18]);

        let mut payload = [0u8; PAYLOAD_LEN];
        payload[..2].copy_from_slice(&PREFIX);
        for (p, (b, m)) in payload[2..].iter_mut().zip(f.iter().zip(MASK)) {
            *p = b ^ m;
        }
        Signature::from_ascii(encode_xbogus(&payload))
    }
}

/// X-Bogus signer configuration: the three UA key bytes (`args`) and the
/// `canvas` environment constant. Both are embedded in every signature.
///
/// See the [crate docs](crate) for an example.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct XBogus {
    args: [u8; 3],
    canvas: u32,
}

impl Default for XBogus {
    /// `args` [`DEFAULT_ARGS`], `canvas` [`DEFAULT_CANVAS`].
    fn default() -> Self {
        Self::new(DEFAULT_ARGS, DEFAULT_CANVAS)
    }
}

impl XBogus {
    /// A signer with the given UA key bytes and canvas constant.
    pub const fn new(args: [u8; 3], canvas: u32) -> Self {
        Self { args, canvas }
    }

    /// The UA key bytes.
    pub const fn args(&self) -> [u8; 3] {
        self.args
    }

    /// The canvas constant.
    pub const fn canvas(&self) -> u32 {
        self.canvas
    }

    /// Signs one request. `query` is the query string exactly as sent
    /// (percent-encoded, no `?`, without `X-Bogus`), `body` the body exactly
    /// as sent (empty for GET), `timestamp` Unix seconds (see
    /// [`unix_now`](crate::unix_now)). Never allocates.
    pub fn sign(&self, query: &[u8], body: &[u8], user_agent: &[u8], timestamp: u32) -> Signature {
        self.for_user_agent(user_agent).sign(query, body, timestamp)
    }

    /// Precomputes the user-agent part, for signing many requests with one
    /// user agent: [`UaSigner::sign`] then only hashes the query and body.
    pub fn for_user_agent(&self, user_agent: &[u8]) -> UaSigner {
        UaSigner {
            args: self.args,
            canvas: self.canvas,
            ua: ua_digest(self.args, user_agent),
        }
    }
}

/// An [`XBogus`] bound to one user agent, whose digest it caches.
/// Produces exactly what [`XBogus::sign`] would for that user agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UaSigner {
    args: [u8; 3],
    canvas: u32,
    ua: [u8; 2],
}

impl UaSigner {
    /// Signs one request with the bound user agent. Never allocates; an
    /// empty `body` costs no hashing (its digest is a constant).
    pub fn sign(&self, query: &[u8], body: &[u8], timestamp: u32) -> Signature {
        Fields {
            args: self.args,
            query: input_digest(query),
            body: input_digest(body),
            ua: self.ua,
            timestamp,
            canvas: self.canvas,
        }
        .seal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_is_rc4_of_key_255() {
        assert_eq!(
            MASK,
            [
                109, 37, 47, 36, 112, 83, 27, 176, 57, 75, 147, 180, 196, 111, 221, 156, 232, 188,
                240
            ]
        );
    }

    #[test]
    fn seal_matches_hand_computed_layout() {
        // Vector "aid=6383&c=lZG" (args [0,1,14], canvas 0, ts 1757674915),
        // with its digests taken from the Python reference.
        let sig = Fields {
            args: [0, 1, 14],
            query: input_digest(b"aid=6383&c=lZG"),
            body: input_digest(b""),
            ua: ua_digest(
                [0, 1, 14],
                b"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            ),
            timestamp: 1_757_674_915,
            canvas: 0,
        }
        .seal();
        assert_eq!(sig, "DFSzswVOsktANVh6CHWGr09WcBnM");
    }

    #[test]
    fn default_configuration() {
        let x = XBogus::default();
        assert_eq!(x.args(), [0, 1, 12]);
        assert_eq!(x.canvas(), 536_919_696);
    }
}
