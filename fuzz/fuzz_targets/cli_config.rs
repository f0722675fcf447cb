//! The CLI's config file parser (`douyin_cli::config`) turns any file into a config or a one-line usage error naming
//! where, never a panic; with every domain's credentials as the generated CLI declares them.
#![no_main]

use douyin_cli::config::Config;
use douyin_cli::generated::{credentials, DOMAINS};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("douyin-fuzz-config-{}.toml", std::process::id()));
    std::fs::write(&path, data).unwrap();
    if let Err(e) = Config::load(Some(&path), DOMAINS, credentials) {
        assert!(
            !e.message.contains('\n'),
            "a multi-line error: {}",
            e.message
        );
    }
});
