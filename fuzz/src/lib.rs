//! What the response-decoding fuzz targets share: every operation of a domain's registry decodes the input in both
//! modes, and for a JSON object without duplicate keys the tolerant decode must succeed (or be the API error the
//! envelope reports) and re-encode to the same value.

use douyin_core::compare::{differences, duplicate_keys};
use douyin_core::registry::OperationEntry;
use douyin_core::{DecodeMode, Error, ErrorCode};
use serde_json::Value;

/// Runs every operation of `ops` over `data`, tolerant and strict; panics if the tolerant contract breaks.
pub fn decode_all<C: ErrorCode>(ops: &[OperationEntry<C>], data: &[u8]) {
    let parsed: Option<Value> = serde_json::from_slice(data).ok();
    let checkable = matches!(parsed, Some(Value::Object(_)))
        && duplicate_keys(data).is_ok_and(|d| d.is_empty());
    for op in ops {
        let _ = (op.check)(data, DecodeMode::Strict);
        match (op.check)(data, DecodeMode::Tolerant) {
            Ok(checked) => {
                if let (true, Some(original)) = (checkable, &parsed) {
                    let diff = differences(original, &checked.reencoded, 1);
                    assert!(diff.is_empty(), "{}: not lossless: {diff:?}", op.name);
                }
            }
            Err(Error::Api(_)) => {}
            Err(e) => assert!(
                !checkable,
                "{}: tolerant decode of a JSON object failed: {e}",
                op.name
            ),
        }
    }
}
