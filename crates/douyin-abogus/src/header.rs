//! The 44-value header: where each signed field goes ([`LAYOUT`]), how the signer fills it in and how the decoder
//! reads the fields back.

/// Number of header values.
pub const HEADER_LEN: usize = 44;

/// The web app id (`aid`) whose bytes are two of the header's constants.
const AID: u32 = 6383;

/// What one header value holds. Values are the field's byte `(x >> shift) & 255`, except the `Wide` ones: whole
/// `floor(x / 2^shift)`, which exceed 255 for today's millisecond clocks and are not truncated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    Fixed(u32),
    Start(u8),
    StartWide(u8),
    End(u8),
    EndWide(u8),
    /// Option `k`, byte at `shift`.
    Option(usize, u8),
    /// Byte `k` of the query, body or user-agent hash bytes.
    Query(usize),
    Body(usize),
    Ua(usize),
    FingerprintLen,
}

use Slot::*;

/// The header, index by index.
pub(crate) const LAYOUT: [Slot; HEADER_LEN] = [
    Fixed(44),
    Start(24),
    Fixed(0),
    Option(0, 24),
    Option(1, 8),
    Option(2, 24),
    Fixed(AID >> 8),
    Query(0),
    Body(0),
    Fixed(0),
    Ua(0),
    Start(16),
    Option(0, 16),
    Fixed(0),
    Fixed(0),
    Option(1, 0),
    Option(2, 16),
    Fixed(AID & 255),
    Query(1),
    Body(1),
    Ua(1),
    Start(8),
    Option(0, 8),
    Option(1, 24),
    Fixed(0),
    Option(2, 8),
    Start(0),
    Option(0, 0),
    Option(1, 16),
    Option(2, 0),
    End(24),
    End(16),
    Fixed(0),
    End(8),
    End(0),
    Fixed(3),
    EndWide(32),
    EndWide(40),
    StartWide(32),
    StartWide(40),
    FingerprintLen,
    Fixed(0),
    Fixed(0),
    Fixed(0),
];

/// Everything the header carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Fields {
    pub(crate) start_ms: u64,
    pub(crate) end_ms: u64,
    pub(crate) options: [u32; 3],
    pub(crate) query: [u8; 2],
    pub(crate) body: [u8; 2],
    pub(crate) ua: [u8; 2],
    pub(crate) fingerprint_len: u32,
}

/// `(x >> shift) & 255`.
fn byte(x: u64, shift: u8) -> u32 {
    (x >> shift) as u32 & 255
}

/// `floor(x / 2^shift)`, saturated to 32 bits (reached only some 50 million years from now).
fn wide(x: u64, shift: u8) -> u32 {
    u32::try_from(x >> shift).unwrap_or(u32::MAX)
}

impl Fields {
    /// The 44 header values.
    pub(crate) fn header(&self) -> [u32; HEADER_LEN] {
        LAYOUT.map(|slot| match slot {
            Fixed(v) => v,
            Start(s) => byte(self.start_ms, s),
            StartWide(s) => wide(self.start_ms, s),
            End(s) => byte(self.end_ms, s),
            EndWide(s) => wide(self.end_ms, s),
            Option(k, s) => byte(u64::from(self.options[k]), s),
            Query(k) => u32::from(self.query[k]),
            Body(k) => u32::from(self.body[k]),
            Ua(k) => u32::from(self.ua[k]),
            FingerprintLen => self.fingerprint_len,
        })
    }

    /// Reads the fields back from the low byte of each header value, which is what the signature keeps of most of
    /// them. A wide value contributes its low byte at its shift; the caller settles the bits above, and checks the
    /// constants by encoding the fields again.
    pub(crate) fn read_lenient(low: &[u8; HEADER_LEN], fingerprint_len: u32) -> Fields {
        let mut f = Fields {
            fingerprint_len,
            ..Fields::default()
        };
        for (slot, &b) in LAYOUT.iter().zip(low) {
            match *slot {
                Fixed(_) | FingerprintLen => {}
                Start(s) | StartWide(s) => f.start_ms |= u64::from(b) << s,
                End(s) | EndWide(s) => f.end_ms |= u64::from(b) << s,
                Option(k, s) => f.options[k] |= u32::from(b) << s,
                Query(k) => f.query[k] = b,
                Body(k) => f.body[k] = b,
                Ua(k) => f.ua[k] = b,
            }
        }
        f
    }
}

/// XOR of the header values: the value appended after the fingerprint.
pub(crate) fn checksum(header: &[u32; HEADER_LEN]) -> u32 {
    header.iter().fold(0, |acc, v| acc ^ v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Fields {
        Fields {
            start_ms: 1_750_736_636_186,
            end_ms: 1_750_736_636_187,
            options: [0, 1, 14],
            query: [160, 181],
            body: [58, 51],
            ua: [146, 134],
            fingerprint_len: 67,
        }
    }

    #[test]
    fn header_of_a_vector() {
        // Vector ab-007's `layout44`.
        assert_eq!(
            sample().header(),
            [
                44, 160, 0, 0, 0, 0, 24, 160, 58, 0, 146, 9, 0, 0, 0, 1, 0, 239, 181, 51, 134, 9,
                0, 0, 0, 0, 26, 0, 0, 14, 160, 9, 0, 9, 27, 3, 407, 1, 407, 1, 67, 0, 0, 0
            ]
        );
    }

    #[test]
    fn every_field_byte_has_one_slot() {
        // Each option byte, each clock byte below bit 48 and each hash byte appears exactly once.
        let mut seen = std::collections::HashSet::new();
        for slot in LAYOUT {
            if !matches!(slot, Fixed(_)) {
                assert!(seen.insert(format!("{slot:?}")), "{slot:?} twice");
            }
        }
        assert_eq!(seen.len(), 12 + 6 + 6 + 6 + 1);
    }

    #[test]
    fn read_inverts_header_for_byte_sized_values() {
        let f = Fields {
            options: [0x0102_0304, 0x0506_0708, 0x090A_0B0C],
            ..sample()
        };
        let low = f.header().map(|v| v as u8);
        assert_eq!(Fields::read_lenient(&low, 67), f);
    }

    #[test]
    fn checksum_of_a_vector() {
        assert_eq!(checksum(&sample().header()), 157);
    }
}
