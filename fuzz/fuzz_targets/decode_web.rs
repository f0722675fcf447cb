//! Every web operation decodes arbitrary bytes, tolerant and strict, without panicking; a JSON object decodes
//! tolerantly and re-encodes to the same value.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    douyin_fuzz::decode_all(douyin_web::OPERATIONS, data);
});
