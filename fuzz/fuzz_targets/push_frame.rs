//! The live chat's frame decoder (douyin_web::push) refuses any malformed, truncated, badly compressed or oversized
//! frame with a typed error (never a panic), and every message of a frame that does decode is typed or kept.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(douyin_web::push::Incoming::Response { response, .. }) = douyin_web::push::decode_frame(data) {
        for m in response.messages_list {
            let _ = douyin_web::webcast::Typed::decode(&m.method, &m.payload);
        }
    }
    // The same bytes as a message payload of every typed method.
    for (method, _) in douyin_web::webcast::PUSH.methods {
        let _ = douyin_web::webcast::Typed::decode(method, data);
    }
});
