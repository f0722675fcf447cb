//! The X-Bogus decoder refuses any malformed value with an error (never a panic), and a decoded value can be checked
//! against any request.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (value, request) = data.split_at(data.len().min(28));
    if let Ok(value) = std::str::from_utf8(value) {
        if let Ok(decoded) = douyin_xbogus::decode(value) {
            let third = request.len() / 3;
            let _ = decoded.check(
                &request[..third],
                &request[third..2 * third],
                &request[2 * third..],
            );
        }
    }
});
