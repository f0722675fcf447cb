//! Step-by-step checks against the intermediates of `vectors/abogus.json` (digests, scrambled user agent, header,
//! checksum, prefix, masked values), so a failing vector points at the step that broke.

use base64::Engine as _;
use rc4::{KeyInit as _, Rc4, StreamCipher as _};
use serde_json::Value;

use crate::digest::{input_sm3x2, ua_sm3, UA_KEY};
use crate::encoding::UA_BASE64;
use crate::header::{checksum, Fields};
use crate::sign::{mask, prefix};

fn cases() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/abogus.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let file: Value = serde_json::from_str(&text).expect("parsing abogus.json");
    file["cases"].as_array().expect("cases").clone()
}

fn ints<T: TryFrom<u64>>(v: &Value) -> Vec<T> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|n| {
            T::try_from(n.as_u64().expect("an integer"))
                .unwrap_or_else(|_| panic!("{n} out of range"))
        })
        .collect()
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

#[test]
fn every_intermediate_matches() {
    let cases = cases();
    assert_eq!(cases.len(), 29);
    for case in &cases {
        let id = text(case, "id");
        let (i, m) = (&case["inputs"], &case["intermediate"]);
        let query = text(i, "query").as_bytes();
        let body = text(i, "body").as_bytes();
        let ua = text(i, "user_agent").as_bytes();
        let fp = text(i, "fingerprint");

        assert_eq!(ints::<u8>(&i["ua_rc4_key"]), UA_KEY, "{id} ua key");
        assert_eq!(
            input_sm3x2(query).to_vec(),
            ints::<u8>(&m["params_sm3x2"]),
            "{id} query"
        );
        assert_eq!(
            input_sm3x2(body).to_vec(),
            ints::<u8>(&m["body_sm3x2"]),
            "{id} body"
        );

        let mut scrambled = ua.to_vec();
        Rc4::new_from_slice(&UA_KEY)
            .unwrap()
            .apply_keystream(&mut scrambled);
        assert_eq!(
            UA_BASE64.encode(&scrambled),
            text(m, "ua_rc4_b64"),
            "{id} ua base64"
        );
        let u = ua_sm3(ua);
        assert_eq!(u.to_vec(), ints::<u8>(&m["ua_sm3"]), "{id} ua sm3");

        let p = input_sm3x2(query);
        let b = input_sm3x2(body);
        let options: Vec<u32> = ints(&i["options"]);
        let fields = Fields {
            start_ms: i["start_ms"].as_u64().unwrap(),
            end_ms: i["end_ms"].as_u64().unwrap(),
            options: options.try_into().unwrap(),
            query: [p[21], p[22]],
            body: [b[21], b[22]],
            ua: [u[23], u[24]],
            fingerprint_len: fp.len() as u32,
        };
        let header = fields.header();
        assert_eq!(header.to_vec(), ints::<u32>(&m["layout44"]), "{id} header");
        assert_eq!(
            u64::from(checksum(&header)),
            m["checksum"].as_u64().unwrap(),
            "{id} checksum"
        );

        let random: Vec<u16> = ints(&i["random_ints"]);
        let prefix = prefix(random.try_into().unwrap());
        assert_eq!(prefix.to_vec(), ints::<u32>(&m["prefix12"]), "{id} prefix");

        let plain = header
            .iter()
            .copied()
            .chain(fp.bytes().map(u32::from))
            .chain([checksum(&header)]);
        let masked: Vec<u32> = plain.zip(mask()).map(|(v, &k)| v ^ u32::from(k)).collect();
        assert_eq!(masked, ints::<u32>(&m["rc4_out"]), "{id} masked values");
    }
}

#[test]
fn the_vectors_exercise_values_above_a_byte() {
    // Times after 2^40 ms (2004-11-25) have wide values above 255 (the test above checks them exactly); the one
    // case before that date has none.
    let wide: Vec<String> = cases()
        .iter()
        .filter(|c| {
            ints::<u32>(&c["intermediate"]["rc4_out"])
                .iter()
                .any(|&v| v > 255)
        })
        .map(|c| c["id"].to_string())
        .collect();
    assert_eq!(wide.len(), 28, "{wide:?}");
}
