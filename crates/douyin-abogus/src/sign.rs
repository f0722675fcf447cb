//! The signer: [`ABogus`] (options and fingerprint) for one-off signatures, [`UaSigner`] for a session that signs
//! many requests with one user agent, and [`Stamp`], the time and random values that vary between signatures.

use std::sync::LazyLock;

use base64::Engine as _;
use rc4::{KeyInit as _, Rc4, StreamCipher as _};

use crate::digest::{input_hash, ua_hash};
use crate::encoding::{fold, SIGNATURE_BASE64};
use crate::fingerprint::{Fingerprint, MAX_FINGERPRINT_LEN};
use crate::header::{checksum, Fields, HEADER_LEN};
use crate::signature::{Signature, MAX_SIGNATURE_LEN, MAX_VALUES, PREFIX_LEN};

/// Default `options`: what the reference signer sends for every request.
///
/// Public notes disagree on whether browsers send `[0, 1, 8]` for GET and `[0, 1, 14]` for POST or the other way
/// round; the value is carried in the signature, so set it from the session profile when it is known.
pub const DEFAULT_OPTIONS: [u32; 3] = [0, 1, 14];

/// The RC4 key the masked values are encrypted with.
const MASK_KEY: &[u8] = b"y";
/// Keystream bytes a signature can use: header, longest fingerprint, checksum.
pub(crate) const MASK_LEN: usize = HEADER_LEN + MAX_FINGERPRINT_LEN + 1;

/// The RC4 keystream for the key `"y"`. Every signature starts from a fresh RC4 state, so its masked values are
/// XORed with this same sequence; XOR leaves values above 255 above 255.
pub(crate) fn mask() -> &'static [u8; MASK_LEN] {
    static MASK: LazyLock<[u8; MASK_LEN]> = LazyLock::new(|| {
        let mut ks = [0u8; MASK_LEN];
        Rc4::new_from_slice(MASK_KEY)
            .expect("a 1-byte RC4 key is valid")
            .apply_keystream(&mut ks);
        ks
    });
    &MASK
}

/// The time and random values a signature carries: what differs between two signatures of the same request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stamp {
    /// Unix milliseconds read before hashing.
    pub start_ms: u64,
    /// Unix milliseconds read after hashing.
    pub end_ms: u64,
    /// Three random values; the reference draws each from `0..=9999`.
    pub random: [u16; 3],
}

impl Stamp {
    /// A stamp of the given times and random values.
    pub const fn new(start_ms: u64, end_ms: u64, random: [u16; 3]) -> Self {
        Stamp {
            start_ms,
            end_ms,
            random,
        }
    }
}

/// Four prefix values per random value: its two bytes split over alternate bits, each with fixed marker bits set.
pub(crate) fn prefix(random: [u16; 3]) -> [u32; PREFIX_LEN] {
    let mut out = [0u32; PREFIX_LEN];
    for (r, o) in random.iter().zip(out.chunks_exact_mut(4)) {
        let (low, high) = (u32::from(*r & 255), u32::from(*r >> 8));
        o.copy_from_slice(&[
            (low & 170) | 1,
            (low & 85) | 2,
            (high & 170) | 5,
            (high & 85) | 40,
        ]);
    }
    out
}

/// Lays out, checksums, masks and encodes a signature (steps 2 to 5 of the [crate docs](crate)).
pub(crate) fn seal(fields: &Fields, fingerprint: &Fingerprint, random: [u16; 3]) -> Signature {
    let header = fields.header();
    let fp = fingerprint.as_bytes();
    let masked = header
        .iter()
        .copied()
        .chain(fp.iter().map(|&c| u32::from(c)))
        .chain([checksum(&header)])
        .zip(mask().iter())
        .map(|(v, &k)| v ^ u32::from(k));

    let mut values = [0u32; MAX_VALUES];
    values[..PREFIX_LEN].copy_from_slice(&prefix(random));
    let mut n = PREFIX_LEN;
    for (slot, v) in values[PREFIX_LEN..].iter_mut().zip(masked) {
        *slot = v;
        n += 1;
    }

    let mut bytes = [0u8; MAX_VALUES];
    let n = fold(&values[..n], &mut bytes);
    let mut text = [0u8; MAX_SIGNATURE_LEN];
    let len = SIGNATURE_BASE64
        .encode_slice(&bytes[..n], &mut text)
        .expect("the buffer holds the longest signature");
    Signature::from_ascii(text, len)
}

/// a_bogus signer configuration: the `options` triple and the browser [`Fingerprint`], both carried in every
/// signature. Set them from the session's browser profile; the defaults are [`DEFAULT_OPTIONS`] and
/// [`Fingerprint::default`].
///
/// See the [crate docs](crate) for an example.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ABogus {
    options: [u32; 3],
    fingerprint: Fingerprint,
}

impl ABogus {
    /// A signer with the given options and fingerprint.
    pub const fn new(options: [u32; 3], fingerprint: Fingerprint) -> Self {
        ABogus {
            options,
            fingerprint,
        }
    }

    /// The same signer with other options.
    pub const fn with_options(mut self, options: [u32; 3]) -> Self {
        self.options = options;
        self
    }

    /// The same signer with another fingerprint.
    pub const fn with_fingerprint(mut self, fingerprint: Fingerprint) -> Self {
        self.fingerprint = fingerprint;
        self
    }

    /// The options.
    pub const fn options(&self) -> [u32; 3] {
        self.options
    }

    /// The fingerprint.
    pub const fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    /// Signs one request. `query` is the query string exactly as sent (percent-encoded, no `?`, without
    /// `a_bogus`), `body` the body exactly as sent (empty for GET), `user_agent` the header's bytes. Never
    /// allocates.
    pub fn sign(&self, query: &[u8], body: &[u8], user_agent: &[u8], stamp: Stamp) -> Signature {
        self.for_user_agent(user_agent).sign(query, body, stamp)
    }

    /// Precomputes the user-agent part, for signing many requests with one user agent: [`UaSigner::sign`] then
    /// only hashes the query and the body.
    pub fn for_user_agent(&self, user_agent: &[u8]) -> UaSigner {
        UaSigner {
            config: *self,
            ua: ua_hash(user_agent),
        }
    }
}

/// An [`ABogus`] bound to one user agent, whose digest it caches. Produces exactly what [`ABogus::sign`] would
/// for that user agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UaSigner {
    config: ABogus,
    ua: [u8; 2],
}

impl UaSigner {
    /// The configuration this signer was made from.
    pub const fn config(&self) -> &ABogus {
        &self.config
    }

    /// Signs one request with the bound user agent and the given times and random values. Never allocates; an
    /// empty `body` costs no hashing.
    pub fn sign(&self, query: &[u8], body: &[u8], stamp: Stamp) -> Signature {
        self.sign_with(query, body, &mut Pinned(stamp))
    }

    /// Signs like a browser: reads `clock` (Unix milliseconds) before and after hashing, then draws the three
    /// random values from `random`. [`sign_now`](Self::sign_now) uses the system clock and a fast RNG.
    pub fn sign_with(&self, query: &[u8], body: &[u8], source: &mut impl Entropy) -> Signature {
        let start_ms = source.now_ms();
        let query = input_hash(query);
        let body = input_hash(body);
        let end_ms = source.now_ms();
        let fields = Fields {
            start_ms,
            end_ms,
            options: self.config.options,
            query,
            body,
            ua: self.ua,
            fingerprint_len: self.config.fingerprint.len() as u32,
        };
        let random = [source.random(), source.random(), source.random()];
        seal(&fields, &self.config.fingerprint, random)
    }

    /// Signs with the system clock and a fast (non-cryptographic) random number generator.
    pub fn sign_now(&self, query: &[u8], body: &[u8]) -> Signature {
        self.sign_with(query, body, &mut SystemEntropy)
    }
}

/// Where a signature's times and random values come from.
pub trait Entropy {
    /// Unix milliseconds now. Called once before hashing and once after.
    fn now_ms(&mut self) -> u64;
    /// A random value, drawn three times per signature; browsers draw from `0..=9999`.
    fn random(&mut self) -> u16;
}

/// The system clock and `fastrand`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemEntropy;

impl Entropy for SystemEntropy {
    fn now_ms(&mut self) -> u64 {
        crate::unix_now_ms()
    }

    fn random(&mut self) -> u16 {
        fastrand::u16(0..10_000)
    }
}

/// Replays a [`Stamp`]: start then end time, then its three random values.
struct Pinned(Stamp);

impl Entropy for Pinned {
    fn now_ms(&mut self) -> u64 {
        let now = self.0.start_ms;
        self.0.start_ms = self.0.end_ms;
        now
    }

    fn random(&mut self) -> u16 {
        let [r, rest @ ..] = self.0.random;
        self.0.random = [rest[0], rest[1], r];
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_is_the_keystream_of_y() {
        // Vector ab-007: `rc4_out[i] ^ layout44[i]` for the first eight values.
        assert_eq!(&mask()[..8], &[69, 132, 164, 66, 132, 231, 73, 53]);
    }

    #[test]
    fn prefix_of_known_random_values() {
        // Vector ab-007: random 9909, 3798, 3175.
        assert_eq!(
            prefix([9909, 3798, 3175]),
            [161, 23, 39, 44, 131, 86, 15, 44, 35, 71, 13, 44]
        );
        // The marker bits alone for zero; all bits for 0xFFFF.
        assert_eq!(&prefix([0, 0, 0])[..4], &[1, 2, 5, 40]);
        assert_eq!(&prefix([u16::MAX; 3])[..4], &[171, 87, 175, 125]);
    }

    #[test]
    fn pinned_replays_a_stamp() {
        let mut p = Pinned(Stamp::new(1, 2, [7, 8, 9]));
        assert_eq!((p.now_ms(), p.now_ms()), (1, 2));
        assert_eq!([p.random(), p.random(), p.random()], [7, 8, 9]);
    }

    #[test]
    fn system_entropy_is_plausible() {
        let mut e = SystemEntropy;
        let (a, b) = (e.now_ms(), e.now_ms());
        assert!(b >= a && a > 1_704_067_200_000, "{a} {b}");
        assert!((0..200).all(|_| e.random() < 10_000));
    }
}
