//! Checks the signer, decoder and verifier against the a_bogus test vectors (`vectors/abogus.json`), and the
//! decoder's and verifier's errors.

use douyin_abogus::{
    decode, verify, ABogus, DecodeError, Entropy, Fingerprint, Stamp, VerifyError,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct File {
    format: String,
    count: usize,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    inputs: Inputs,
    expected: Expected,
}

#[derive(Debug, Deserialize)]
struct Inputs {
    query: String,
    body: String,
    user_agent: String,
    fingerprint: String,
    options: [u32; 3],
    start_ms: u64,
    end_ms: u64,
    random_ints: [u16; 3],
}

#[derive(Debug, Deserialize)]
struct Expected {
    a_bogus: String,
    a_bogus_urlencoded: String,
}

impl Case {
    fn signer(&self) -> ABogus {
        let fp: Fingerprint = self.inputs.fingerprint.parse().expect("vector fingerprint");
        ABogus::new(self.inputs.options, fp)
    }

    fn stamp(&self) -> Stamp {
        Stamp::new(
            self.inputs.start_ms,
            self.inputs.end_ms,
            self.inputs.random_ints,
        )
    }

    fn parts(&self) -> (&[u8], &[u8], &[u8]) {
        let i = &self.inputs;
        (
            i.query.as_bytes(),
            i.body.as_bytes(),
            i.user_agent.as_bytes(),
        )
    }
}

fn cases() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/abogus.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let file: File = serde_json::from_str(&text).expect("parsing abogus.json");
    assert_eq!(file.format, "abogus-vectors/1");
    // Guard against silently testing an empty or truncated file.
    assert_eq!(file.cases.len(), file.count);
    assert!(file.count >= 29, "only {} vectors", file.count);
    file.cases
}

/// A one-byte change that keeps the input the same length.
fn mutate(b: &[u8]) -> Vec<u8> {
    let mut b = b.to_vec();
    match b.last_mut() {
        Some(last) => *last ^= 1,
        None => b.push(b'x'),
    }
    b
}

#[test]
fn every_vector_signs_byte_for_byte() {
    for c in cases() {
        let (q, b, ua) = c.parts();
        let direct = c.signer().sign(q, b, ua, c.stamp());
        assert_eq!(direct.as_str(), c.expected.a_bogus, "{}", c.id);
        let session = c.signer().for_user_agent(ua).sign(q, b, c.stamp());
        assert_eq!(session, direct, "{} (UaSigner)", c.id);
        // The URL form is the value percent-encoded: only `/` and `=` need it.
        let url = direct.as_str().replace('/', "%2F").replace('=', "%3D");
        assert_eq!(url, c.expected.a_bogus_urlencoded, "{}", c.id);
    }
}

#[test]
fn every_vector_decodes_to_its_inputs() {
    for c in cases() {
        let d = decode(&c.expected.a_bogus).unwrap_or_else(|e| panic!("{}: {e}", c.id));
        assert_eq!(decode(&c.expected.a_bogus_urlencoded), Ok(d), "{}", c.id);
        assert_eq!(d.stamp(), c.stamp(), "{}", c.id);
        assert_eq!(d.options, c.inputs.options, "{}", c.id);
        assert_eq!(d.fingerprint.as_str(), c.inputs.fingerprint, "{}", c.id);
        assert_eq!(d.signature().as_str(), c.expected.a_bogus, "{}", c.id);
    }
}

#[test]
fn every_vector_verifies_and_each_mutated_part_is_named() {
    for c in cases() {
        let (q, b, ua) = c.parts();
        let sig = &c.expected.a_bogus;
        let d = verify(q, b, ua, sig).unwrap_or_else(|e| panic!("{}: {e}", c.id));
        assert!(d.check(q, b, ua).all(), "{}", c.id);

        assert_eq!(
            verify(&mutate(q), b, ua, sig),
            Err(VerifyError::Query),
            "{}",
            c.id
        );
        assert_eq!(
            verify(q, &mutate(b), ua, sig),
            Err(VerifyError::Body),
            "{}",
            c.id
        );
        assert_eq!(
            verify(q, b, &mutate(ua), sig),
            Err(VerifyError::UserAgent),
            "{}",
            c.id
        );
        let m = d.check(q, b, &mutate(ua));
        assert!(
            m.query && m.body && !m.user_agent && !m.all(),
            "{}: {m:?}",
            c.id
        );
    }
}

#[test]
fn sign_with_reads_the_clock_around_hashing_and_then_draws() {
    struct Script {
        times: Vec<u64>,
        randoms: Vec<u16>,
    }
    impl Entropy for Script {
        fn now_ms(&mut self) -> u64 {
            self.times.remove(0)
        }
        fn random(&mut self) -> u16 {
            self.randoms.remove(0)
        }
    }
    for c in cases() {
        let (q, b, ua) = c.parts();
        let mut script = Script {
            times: vec![c.inputs.start_ms, c.inputs.end_ms],
            randoms: c.inputs.random_ints.to_vec(),
        };
        let sig = c.signer().for_user_agent(ua).sign_with(q, b, &mut script);
        assert_eq!(sig.as_str(), c.expected.a_bogus, "{}", c.id);
        assert!(script.times.is_empty() && script.randoms.is_empty());
    }
}

#[test]
fn signatures_round_trip_beyond_the_vectors() {
    // Other options, fingerprints of every length, random values over the whole u16 range, and times on both
    // sides of the 2^32 and 2^40 ms boundaries (where the wide values and the checksum change width).
    let ua = b"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    let mut rng = fastrand::Rng::with_seed(7);
    let boundaries = [1u64 << 32, 1 << 40, 3 << 40, 1 << 41, 1_750_000_000_000];
    for n in 0..3000u32 {
        let fp_len = rng.usize(..=128);
        let fp: String = (0..fp_len).map(|_| rng.char(' '..='~')).collect();
        let fp: Fingerprint = fp.parse().unwrap();
        let options = [rng.u32(..), rng.u32(..), rng.u32(..)];
        let base = boundaries[n as usize % boundaries.len()];
        let start = base - rng.u64(..20);
        let end = start + rng.u64(..40);
        let stamp = Stamp::new(start, end, [rng.u16(..), rng.u16(..), rng.u16(..)]);
        let query = format!("aid=6383&cursor={n}");
        let body = "x=1".repeat(n as usize % 3);
        let sig = ABogus::new(options, fp).sign(query.as_bytes(), body.as_bytes(), ua, stamp);
        let d = verify(query.as_bytes(), body.as_bytes(), ua, sig.as_str())
            .unwrap_or_else(|e| panic!("case {n} ({stamp:?}, {fp:?}): {e}"));
        assert_eq!((d.stamp(), d.options), (stamp, options), "case {n}");
        // Across a 2^32 boundary the checksum is wider than a byte and may hide fingerprint bits; otherwise the
        // fingerprint comes back exactly.
        if start >> 32 == end >> 32 {
            assert_eq!(d.fingerprint, fp, "case {n}");
        }
        assert_eq!(d.signature(), sig, "case {n}");
    }
}

#[test]
fn verify_rejects_end_before_start_and_checks_the_clock() {
    let c = &cases()[0];
    let (q, b, ua) = c.parts();
    let backwards = Stamp::new(c.inputs.end_ms, c.inputs.start_ms, [1, 2, 3]);
    let sig = c.signer().sign(q, b, ua, backwards);
    assert_eq!(
        verify(q, b, ua, sig.as_str()),
        Err(VerifyError::Timestamps {
            start_ms: c.inputs.end_ms,
            end_ms: c.inputs.start_ms
        })
    );

    let d = decode(&c.expected.a_bogus).unwrap();
    let end = c.inputs.end_ms;
    assert_eq!(d.check_clock(end + 60_000, 60_000), Ok(()));
    assert_eq!(d.check_clock(end - 60_000, 60_000), Ok(()));
    assert_eq!(
        d.check_clock(end + 60_001, 60_000),
        Err(VerifyError::Clock {
            signed_ms: end,
            now_ms: end + 60_001,
            max_skew_ms: 60_000
        })
    );
}

#[test]
fn decode_rejects_wrong_lengths() {
    let v = &cases()[0].expected.a_bogus;
    assert_eq!(decode(""), Err(DecodeError::Length(0)));
    assert_eq!(
        decode(&v[..v.len() - 1]),
        Err(DecodeError::Length(v.len() - 1))
    );
    assert_eq!(decode(&v[..72]), Err(DecodeError::Length(72)));
    assert_eq!(decode(&"D".repeat(252)), Err(DecodeError::Length(252)));
    // 76 characters but two of them padding: 55 values, fewer than a signature has.
    let short = format!("{}D==", &"D".repeat(73));
    assert_eq!(decode(&short), Err(DecodeError::Length(76)));
}

#[test]
fn decode_rejects_characters_and_padding() {
    let v = cases()[0].expected.a_bogus.clone();
    let mut bad = v.clone().into_bytes();
    bad[10] = b'+';
    assert_eq!(
        decode(std::str::from_utf8(&bad).unwrap()),
        Err(DecodeError::Character {
            character: '+',
            index: 10
        })
    );
    // A two-byte character keeps the length a multiple of 4 only with another byte removed.
    let accented = format!("{}é{}", &v[..20], &v[23..]);
    assert_eq!(accented.len(), v.len() - 1);
    let accented = format!("{accented}D");
    assert_eq!(
        decode(&accented),
        Err(DecodeError::Character {
            character: 'é',
            index: 20
        })
    );
    // `=` in the middle, and padding where the value has none.
    let mut bad = v.clone().into_bytes();
    bad[40] = b'=';
    assert_eq!(
        decode(std::str::from_utf8(&bad).unwrap()),
        Err(DecodeError::Padding)
    );
}

#[test]
fn decode_names_the_corrupted_part() {
    let c = &cases()[5];
    let (q, b, ua) = c.parts();
    let signer = c.signer();
    let good = signer.sign(q, b, ua, c.stamp());
    assert!(decode(good.as_str()).is_ok());

    // The first two characters carry the first prefix value: zeroing them drops its marker bits.
    let mut bad = good.as_str().to_owned();
    bad.replace_range(0..2, "DD");
    assert!(
        matches!(decode(&bad), Err(DecodeError::Prefix { index: 0 })),
        "{:?}",
        decode(&bad)
    );

    // Flip one bit of every position in turn: every corruption is caught, none panics.
    let text = good.as_str().as_bytes();
    let alphabet = b"Dkdpgh2ZmsQB80/MfvV36XI1R45-WUAlEixNLwoqYTOPuzKFjJnry79HbGcaStCe";
    let mut kinds = std::collections::HashSet::new();
    for pos in 0..text.len() {
        let Some(idx) = alphabet.iter().position(|&a| a == text[pos]) else {
            continue; // padding
        };
        for bit in 0..6 {
            let mut t = text.to_vec();
            t[pos] = alphabet[idx ^ (1 << bit)];
            let t = String::from_utf8(t).unwrap();
            match decode(&t) {
                Ok(d) => {
                    // Only the free fields may change: hashes, times, options, random values, fingerprint.
                    assert_ne!(d.signature().as_str(), good.as_str(), "pos {pos} bit {bit}");
                    assert_eq!(d.signature().as_str(), t, "pos {pos} bit {bit}");
                }
                Err(e) => {
                    kinds.insert(std::mem::discriminant(&e));
                }
            }
        }
    }
    // Prefix markers, header constants, checksum, padding bits and the fingerprint's ASCII range all fire.
    assert!(kinds.len() >= 4, "{kinds:?}");
}

#[test]
fn checksum_errors_are_reported() {
    let c = &cases()[0];
    let good = c.expected.a_bogus.as_str();
    // ab-000 has 122 values: the checksum is the second value of the last group ("9Um="), whose low 4 bits the
    // third character ("m") carries above two zero bits; its index bit 2 is the checksum's bit 0.
    let alphabet = "Dkdpgh2ZmsQB80/MfvV36XI1R45-WUAlEixNLwoqYTOPuzKFjJnry79HbGcaStCe";
    let at = good.len() - 2;
    let idx = alphabet.find(&good[at..=at]).unwrap();
    let flipped = alphabet.as_bytes()[idx ^ 0b000100] as char;
    let bad = format!("{}{}{}", &good[..at], flipped, &good[at + 1..]);
    match decode(&bad) {
        Err(DecodeError::Checksum { computed, stored }) => assert_eq!(computed ^ stored, 1),
        other => panic!("expected a checksum error, got {other:?}"),
    }
}

#[test]
fn decoding_arbitrary_input_never_panics() {
    let mut rng = fastrand::Rng::with_seed(12345);
    let alphabet: Vec<char> =
        "Dkdpgh2ZmsQB80/MfvV36XI1R45-WUAlEixNLwoqYTOPuzKFjJnry79HbGcaStCe=+é\0 "
            .chars()
            .collect();
    let valid = cases()[3].expected.a_bogus.clone();
    for n in 0..20_000 {
        let s: String = match n % 4 {
            // Random text of any length.
            0 => (0..rng.usize(..300)).map(|_| rng.char(..)).collect(),
            // Random alphabet text of a plausible length.
            1 => (0..4 * rng.usize(18..64))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect(),
            // A valid value with a few characters replaced.
            2 => {
                let mut chars: Vec<char> = valid.chars().collect();
                for _ in 0..rng.usize(1..4) {
                    let i = rng.usize(..chars.len());
                    chars[i] = alphabet[rng.usize(..alphabet.len())];
                }
                chars.into_iter().collect()
            }
            // A valid value cut or extended.
            _ => {
                let cut = rng.usize(..=valid.len());
                format!("{}{}", &valid[..cut], "D=".repeat(rng.usize(..3)))
            }
        };
        if let Ok(d) = decode(&s) {
            // Whatever decodes re-encodes to the same text.
            assert_eq!(d.signature().as_str(), s);
        }
        // The same with its `/` and `=` percent-encoded, as in a URL.
        let escaped = s.replace('/', "%2F").replace('=', "%3d");
        assert_eq!(decode(&escaped).ok(), decode(&s).ok(), "{s:?}");
        let _ = verify(b"a=1", b"", b"ua", &s);
    }
}
