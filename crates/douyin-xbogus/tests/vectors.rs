//! Checks the signer and decoder against the shared X-Bogus test vectors
//! (`vectors/xbogus.json`), and the decoder's error cases.

use std::path::PathBuf;

use douyin_xbogus::{decode, DecodeError, XBogus};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Case {
    query: String,
    body: String,
    user_agent: String,
    timestamp: u32,
    args: [u8; 3],
    canvas: u32,
    x_bogus: String,
    source: String,
}

fn cases() -> Vec<Case> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../vectors/xbogus.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let cases: Vec<Case> = serde_json::from_str(&text).expect("parsing xbogus.json");
    // Guard against silently testing an empty or truncated file.
    assert!(cases.len() >= 25, "only {} vectors", cases.len());
    cases
}

/// A one-byte change that keeps the input the same length.
fn mutate(s: &str) -> Vec<u8> {
    let mut b = s.as_bytes().to_vec();
    match b.last_mut() {
        Some(last) => *last ^= 1,
        None => b.push(b'x'),
    }
    b
}

#[test]
fn every_vector_signs_byte_for_byte() {
    for (n, c) in cases().iter().enumerate() {
        let x = XBogus::new(c.args, c.canvas);
        let (q, b, ua) = (
            c.query.as_bytes(),
            c.body.as_bytes(),
            c.user_agent.as_bytes(),
        );
        let direct = x.sign(q, b, ua, c.timestamp);
        let session = x.for_user_agent(ua).sign(q, b, c.timestamp);
        assert_eq!(direct.as_str(), c.x_bogus, "vector {n} ({})", c.source);
        assert_eq!(
            session.as_str(),
            c.x_bogus,
            "vector {n} ({}), UaSigner",
            c.source
        );
        assert_eq!(direct.to_string(), c.x_bogus);
    }
}

#[test]
fn every_vector_decodes_to_its_inputs() {
    for (n, c) in cases().iter().enumerate() {
        let d = decode(&c.x_bogus).unwrap_or_else(|e| panic!("vector {n}: {e}"));
        assert_eq!(d.timestamp, c.timestamp, "vector {n}");
        assert_eq!(d.args, c.args, "vector {n}");
        assert_eq!(d.canvas, c.canvas, "vector {n}");
    }
}

#[test]
fn check_matches_own_request_and_flags_each_mutated_part() {
    for (n, c) in cases().iter().enumerate() {
        let d = decode(&c.x_bogus).unwrap();
        let (q, b, ua) = (
            c.query.as_bytes(),
            c.body.as_bytes(),
            c.user_agent.as_bytes(),
        );

        let m = d.check(q, b, ua);
        assert!(
            m.query && m.body && m.user_agent && m.all(),
            "vector {n}: {m:?}"
        );

        let m = d.check(&mutate(&c.query), b, ua);
        assert!(
            !m.query && m.body && m.user_agent,
            "vector {n} query: {m:?}"
        );
        let m = d.check(q, &mutate(&c.body), ua);
        assert!(m.query && !m.body && m.user_agent, "vector {n} body: {m:?}");
        let m = d.check(q, b, &mutate(&c.user_agent));
        assert!(m.query && m.body && !m.user_agent, "vector {n} ua: {m:?}");
        assert!(!m.all());
    }
}

#[test]
fn both_sign_paths_agree_beyond_the_vectors() {
    let x = XBogus::default();
    let ua = cases().remove(0).user_agent;
    let session = x.for_user_agent(ua.as_bytes());
    for n in 0..200u32 {
        let query = format!("aid=6383&cursor={n}&count=20");
        let body = "x=".repeat(n as usize % 7);
        let ts = 1_700_000_000 + n * 7919;
        let a = x.sign(query.as_bytes(), body.as_bytes(), ua.as_bytes(), ts);
        let b = session.sign(query.as_bytes(), body.as_bytes(), ts);
        assert_eq!(a, b, "case {n}");
        let d = decode(a.as_str()).unwrap();
        assert_eq!(
            (d.timestamp, d.args, d.canvas),
            (ts, [0, 1, 12], 536_919_696)
        );
    }
}

#[test]
fn decode_rejects_wrong_length() {
    let v = "DFSzswVYw/hANChSt-s72cppgiu3";
    assert_eq!(decode(&v[..27]), Err(DecodeError::Length(27)));
    assert_eq!(decode(&format!("{v}D")), Err(DecodeError::Length(29)));
    assert_eq!(decode(""), Err(DecodeError::Length(0)));
}

#[test]
fn decode_rejects_bad_character() {
    // '+' and '=' belong to standard base64, not to the X-Bogus alphabet.
    assert_eq!(
        decode("DFSzswVYw/hANChSt+s72cppgiu3"),
        Err(DecodeError::Character {
            character: '+',
            index: 17
        })
    );
    assert_eq!(
        decode("DFSzswVYw/hANChSt-s72cppgiu="),
        Err(DecodeError::Character {
            character: '=',
            index: 27
        })
    );
}

#[test]
fn decode_rejects_corrupted_checksum() {
    // The last character carries the low 6 bits of the checksum byte, so
    // changing it breaks only the checksum.
    let good = "DFSzswVYw/hANChSt-s72cppgiu3";
    let bad = "DFSzswVYw/hANChSt-s72cppgiuw";
    assert!(decode(good).is_ok());
    match decode(bad) {
        Err(DecodeError::Checksum { computed, stored }) => assert_eq!(computed ^ stored, 1),
        other => panic!("expected a checksum error, got {other:?}"),
    }
}

#[test]
fn decode_rejects_bad_prefix_and_marker() {
    // First character encodes the top 6 bits of the 2 in the prefix.
    assert!(matches!(
        decode("kFSzswVYw/hANChSt-s72cppgiu3"),
        Err(DecodeError::Prefix([6, 255]))
    ));
    // Chars 3-4 carry the masked marker byte's low bits.
    assert!(matches!(
        decode("DFSkswVYw/hANChSt-s72cppgiu3"),
        Err(DecodeError::Marker(_))
    ));
}
