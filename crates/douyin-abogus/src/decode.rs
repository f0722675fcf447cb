//! The decoder and verifier: recovers what an a_bogus value carries (RC4 is its own inverse) and checks it against a
//! request, to verify requests on a server or explain a mismatch.

use base64::Engine as _;

use crate::digest::{input_hash, ua_hash};
use crate::encoding::{fold, SIGNATURE_BASE64};
use crate::fingerprint::{Fingerprint, FingerprintError, MAX_FINGERPRINT_LEN};
use crate::header::{checksum, Fields, Slot, HEADER_LEN, LAYOUT};
use crate::sign::{mask, prefix, seal, Stamp};
use crate::signature::{
    Signature, FIXED_VALUES, MAX_SIGNATURE_LEN, MAX_VALUES, MIN_SIGNATURE_LEN, PREFIX_LEN,
};

/// Why a string is not a well-formed a_bogus value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not a multiple of 4 between [`MIN_SIGNATURE_LEN`] and [`MAX_SIGNATURE_LEN`] characters, or too few values
    /// once the padding is removed.
    #[error("wrong length: expected a multiple of 4 from 76 to 248 characters, got {0} bytes")]
    Length(usize),
    /// A character outside the a_bogus alphabet (`=` only as padding at the end).
    #[error("invalid character {character:?} at byte {index}")]
    Character {
        /// The offending character.
        character: char,
        /// Its byte offset in the input.
        index: usize,
    },
    /// Padding, or the bits the last character carries below the data, are not what the encoder writes.
    #[error("bad padding at the end of the value")]
    Padding,
    /// A random-prefix value lacks the marker bits every prefix value has.
    #[error("bad prefix value {index}: marker bits missing")]
    Prefix {
        /// Index among the 12 prefix values.
        index: usize,
    },
    /// A header constant (or the fingerprint length) differs from what every signature carries.
    #[error("bad header value {index}: expected {expected}, got {found}")]
    Header {
        /// Index among the 44 header values.
        index: usize,
        /// Its low byte in a valid signature.
        expected: u8,
        /// The low byte found.
        found: u8,
    },
    /// The checksum (XOR of the header values) does not match.
    #[error("checksum mismatch: computed {computed}, stored {stored}")]
    Checksum {
        /// Low byte of the XOR of the decoded header.
        computed: u8,
        /// Low byte carried in the value.
        stored: u8,
    },
    /// The fingerprint is not printable ASCII.
    #[error("bad fingerprint: {0}")]
    Fingerprint(FingerprintError),
    /// No set of fields produces exactly this value (bits that a signer leaves clear are set).
    #[error("the value is not one a signer produces")]
    Inconsistent,
}

/// What an a_bogus value carries.
///
/// The hashes are two bytes of each part's SM3 digest, so [`check`](Self::check) can only tell a match up to 1 in
/// 65,536.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decoded {
    /// The three random values.
    pub random: [u16; 3],
    /// Unix milliseconds the signer read before hashing.
    pub start_ms: u64,
    /// Unix milliseconds the signer read after hashing.
    pub end_ms: u64,
    /// The signer's `options`.
    pub options: [u32; 3],
    /// Bytes 21 and 22 of `SM3(SM3(query ‖ "cus"))`.
    pub query_hash: [u8; 2],
    /// Bytes 21 and 22 of `SM3(SM3(body ‖ "cus"))`.
    pub body_hash: [u8; 2],
    /// Bytes 23 and 24 of the user agent's digest.
    pub ua_hash: [u8; 2],
    /// The browser fingerprint.
    pub fingerprint: Fingerprint,
}

/// Which parts of a request agree with a [`Decoded`] signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Match {
    /// The query string's hash bytes match.
    pub query: bool,
    /// The body's hash bytes match.
    pub body: bool,
    /// The user agent's hash bytes match.
    pub user_agent: bool,
}

impl Match {
    /// Whether every part matches.
    pub const fn all(&self) -> bool {
        self.query && self.body && self.user_agent
    }
}

/// Why a request's a_bogus does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The value is not a well-formed a_bogus.
    #[error("not a valid a_bogus value: {0}")]
    Decode(#[from] DecodeError),
    /// The query string's hash bytes differ: it was signed for another query.
    #[error("a_bogus was signed for another query")]
    Query,
    /// The body's hash bytes differ.
    #[error("a_bogus was signed for another body")]
    Body,
    /// The user agent's hash bytes differ: the signature belongs to another browser.
    #[error("a_bogus was signed for another user agent")]
    UserAgent,
    /// The end time is before the start time.
    #[error("a_bogus ends ({end_ms} ms) before it starts ({start_ms} ms)")]
    Timestamps {
        /// Start time carried.
        start_ms: u64,
        /// End time carried.
        end_ms: u64,
    },
    /// The signing time is too far from the verifier's clock.
    #[error("a_bogus was made at {signed_ms} ms, more than {max_skew_ms} ms away from now ({now_ms} ms)")]
    Clock {
        /// End time carried.
        signed_ms: u64,
        /// The verifier's time.
        now_ms: u64,
        /// The tolerance.
        max_skew_ms: u64,
    },
}

/// Decodes an a_bogus value, raw or percent-encoded as in a URL (`%2F` for `/`, `%3D` for `=`; errors then
/// locate characters in the unescaped value).
///
/// The value is accepted only if re-encoding the decoded fields gives it back exactly, so every field is what the
/// signer put in. Bits the encoding drops are rebuilt: the end time's bits above 40 from the start time, and,
/// when the checksum exceeds a byte (a clock crossing a 2^32 ms boundary while signing), the fingerprint bits it
/// overlaps are chosen to keep the fingerprint printable (the signature cannot tell them). Never panics and never
/// allocates, whatever the input.
pub fn decode(value: &str) -> Result<Decoded, DecodeError> {
    if !value.contains('%') {
        return decode_raw(value);
    }
    let mut raw = [0u8; MAX_SIGNATURE_LEN];
    let mut len = 0;
    let mut rest = value.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        let (byte, tail) = match (first, tail) {
            (b'%', [a, b, tail @ ..]) if *a == b'2' && b.eq_ignore_ascii_case(&b'f') => {
                (b'/', tail)
            }
            (b'%', [a, b, tail @ ..]) if *a == b'3' && b.eq_ignore_ascii_case(&b'd') => {
                (b'=', tail)
            }
            _ => (first, tail),
        };
        let Some(slot) = raw.get_mut(len) else {
            return Err(DecodeError::Length(value.len()));
        };
        *slot = byte;
        len += 1;
        rest = tail;
    }
    match core::str::from_utf8(&raw[..len]) {
        Ok(unescaped) => decode_raw(unescaped),
        // Cut inside a multi-byte character: too long for any signature anyway.
        Err(_) => Err(DecodeError::Length(value.len())),
    }
}

fn decode_raw(value: &str) -> Result<Decoded, DecodeError> {
    let len = value.len();
    if len % 4 != 0 || !(MIN_SIGNATURE_LEN..=MAX_SIGNATURE_LEN).contains(&len) {
        return Err(DecodeError::Length(len));
    }
    let mut buf = [0u8; MAX_SIGNATURE_LEN / 4 * 3];
    let n = SIGNATURE_BASE64
        .decode_slice(value, &mut buf)
        .map_err(|e| base64_error(value, e))?;
    let view = &buf[..n];
    if !(FIXED_VALUES..=MAX_VALUES).contains(&n) {
        return Err(DecodeError::Length(len));
    }
    let fp_len = n - FIXED_VALUES;

    let ks = mask();
    let random: [u16; 3] = core::array::from_fn(|k| {
        let v = &view[4 * k..4 * k + 4];
        let (low, high) = ((v[0] & 170) | (v[1] & 85), (v[2] & 170) | (v[3] & 85));
        u16::from(low) | u16::from(high) << 8
    });
    let low: [u8; HEADER_LEN] = core::array::from_fn(|i| view[PREFIX_LEN + i] ^ ks[i]);
    let mut read = Fields::read_lenient(&low, fp_len as u32);
    let read_end_ms = read.end_ms;

    let mut first_error = None;
    for end_ms in end_candidates(read.start_ms, read_end_ms) {
        read.end_ms = end_ms;
        match reproduce(view, &read, random, fp_len) {
            Ok(d) => return Ok(d),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(DecodeError::Inconsistent))
}

/// Decodes `signature` and checks it against a request: the start and end times are in order and the query, body
/// and user-agent hash bytes match. On success, returns what the signature carries, for further checks (its age:
/// [`Decoded::check_clock`]; its fingerprint and options against the session).
pub fn verify(
    query: &[u8],
    body: &[u8],
    user_agent: &[u8],
    signature: &str,
) -> Result<Decoded, VerifyError> {
    let d = decode(signature)?;
    if d.end_ms < d.start_ms {
        return Err(VerifyError::Timestamps {
            start_ms: d.start_ms,
            end_ms: d.end_ms,
        });
    }
    let m = d.check(query, body, user_agent);
    if !m.query {
        Err(VerifyError::Query)
    } else if !m.body {
        Err(VerifyError::Body)
    } else if !m.user_agent {
        Err(VerifyError::UserAgent)
    } else {
        Ok(d)
    }
}

impl Decoded {
    /// Recomputes the hash bytes of a request and reports which parts match this signature.
    pub fn check(&self, query: &[u8], body: &[u8], user_agent: &[u8]) -> Match {
        Match {
            query: input_hash(query) == self.query_hash,
            body: input_hash(body) == self.body_hash,
            user_agent: ua_hash(user_agent) == self.ua_hash,
        }
    }

    /// Checks that the signature was made (its end time) within `max_skew_ms` of `now_ms` (Unix milliseconds).
    pub fn check_clock(&self, now_ms: u64, max_skew_ms: u64) -> Result<(), VerifyError> {
        if self.end_ms.abs_diff(now_ms) <= max_skew_ms {
            Ok(())
        } else {
            Err(VerifyError::Clock {
                signed_ms: self.end_ms,
                now_ms,
                max_skew_ms,
            })
        }
    }

    /// The times and random values, to sign again exactly as this signature was signed.
    pub const fn stamp(&self) -> Stamp {
        Stamp::new(self.start_ms, self.end_ms, self.random)
    }

    /// The 44 header values this signature carries (before RC4), some above 255.
    pub fn header(&self) -> [u32; HEADER_LEN] {
        self.fields().header()
    }

    /// The checksum: XOR of the [`header`](Self::header) values.
    pub fn checksum(&self) -> u32 {
        checksum(&self.header())
    }

    /// Encodes these fields again: the signature they came from.
    pub fn signature(&self) -> Signature {
        seal(&self.fields(), &self.fingerprint, self.random)
    }

    fn fields(&self) -> Fields {
        Fields {
            start_ms: self.start_ms,
            end_ms: self.end_ms,
            options: self.options,
            query: self.query_hash,
            body: self.body_hash,
            ua: self.ua_hash,
            fingerprint_len: self.fingerprint.len() as u32,
        }
    }
}

/// The end times to try. The end time's bits above 40 overlap the start time's wide value when encoded, so they
/// are taken from the start time: the same, or one more when signing crossed a 2^40 ms boundary.
fn end_candidates(start_ms: u64, read_end_ms: u64) -> impl Iterator<Item = u64> {
    const LOW40: u64 = (1 << 40) - 1;
    let high = start_ms >> 40;
    [Some(high), high.checked_add(1)]
        .into_iter()
        .filter_map(move |h| Some(h?.checked_mul(1 << 40)? | (read_end_ms & LOW40)))
}

/// Encodes `fields` with the fingerprint and random values read from `view` and compares with `view`: the fields
/// are right only if every value comes out the same. On a difference, says where.
fn reproduce(
    view: &[u8],
    fields: &Fields,
    random: [u16; 3],
    fp_len: usize,
) -> Result<Decoded, DecodeError> {
    let ks = mask();
    let header = fields.header();
    let sum = checksum(&header);

    let fp_start = PREFIX_LEN + HEADER_LEN;
    let mut fp = [0u8; MAX_FINGERPRINT_LEN];
    for (i, f) in fp[..fp_len].iter_mut().enumerate() {
        *f = view[fp_start + i] ^ ks[HEADER_LEN + i];
    }
    // The checksum is the last value; its bits above a byte fall on its left neighbours in the same group, whose
    // own bits there can no longer be told: take the first choice that leaves the fingerprint printable.
    let last = view.len() - 1;
    for (k, spill) in [(sum >> 8) as u8, (sum >> 16) as u8]
        .into_iter()
        .enumerate()
        .take(last % 3)
    {
        let Some(i) = (last - 1 - k).checked_sub(fp_start) else {
            continue; // a header value: the comparison below checks it
        };
        let observed = view[fp_start + i];
        let unknown = observed & spill;
        let mut clear = 0u8;
        loop {
            let c = (observed & !clear) ^ ks[HEADER_LEN + i];
            if (b' '..=b'~').contains(&c) {
                fp[i] = c;
                break;
            }
            if clear == unknown {
                break;
            }
            clear = clear.wrapping_sub(unknown) & unknown; // next subset of `unknown`
        }
    }

    let mut values = [0u32; MAX_VALUES];
    values[..PREFIX_LEN].copy_from_slice(&prefix(random));
    let masked = header
        .iter()
        .copied()
        .chain(fp[..fp_len].iter().map(|&c| u32::from(c)))
        .chain([sum])
        .zip(ks.iter())
        .map(|(v, &k)| v ^ u32::from(k));
    for (slot, v) in values[PREFIX_LEN..view.len()].iter_mut().zip(masked) {
        *slot = v;
    }
    let mut expected = [0u8; MAX_VALUES];
    fold(&values[..view.len()], &mut expected);

    if let Some(p) = (0..view.len()).find(|&p| expected[p] != view[p]) {
        return Err(mismatch(p, expected[p], view[p], fp_len));
    }
    let fingerprint = Fingerprint::from_bytes(&fp[..fp_len]).map_err(DecodeError::Fingerprint)?;
    Ok(Decoded {
        random,
        start_ms: fields.start_ms,
        end_ms: fields.end_ms,
        options: fields.options,
        query_hash: fields.query,
        body_hash: fields.body,
        ua_hash: fields.ua,
        fingerprint,
    })
}

/// Names the first value that differs from what the decoded fields encode to.
fn mismatch(position: usize, expected: u8, found: u8, fp_len: usize) -> DecodeError {
    let ks = mask();
    if position < PREFIX_LEN {
        return DecodeError::Prefix { index: position };
    }
    let i = position - PREFIX_LEN;
    if i < HEADER_LEN {
        return match LAYOUT[i] {
            Slot::Fixed(_) | Slot::FingerprintLen => DecodeError::Header {
                index: i,
                expected: expected ^ ks[i],
                found: found ^ ks[i],
            },
            _ => DecodeError::Inconsistent,
        };
    }
    if i == HEADER_LEN + fp_len {
        return DecodeError::Checksum {
            computed: expected ^ ks[i],
            stored: found ^ ks[i],
        };
    }
    DecodeError::Inconsistent
}

fn base64_error(value: &str, e: base64::DecodeSliceError) -> DecodeError {
    use base64::DecodeError as B;
    match e {
        base64::DecodeSliceError::DecodeError(B::InvalidByte(index, byte)) if byte != b'=' => {
            DecodeError::Character {
                // A character boundary unless the byte is inside a multi-byte character.
                character: value
                    .get(index..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or(char::from(byte)),
                index,
            }
        }
        base64::DecodeSliceError::DecodeError(B::InvalidLength(_))
        | base64::DecodeSliceError::OutputSliceTooSmall => DecodeError::Length(value.len()),
        base64::DecodeSliceError::DecodeError(_) => DecodeError::Padding,
    }
}
