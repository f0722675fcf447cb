//! The CLI's config file parser (compiled in from `crates/douyin-cli/src/config.rs` with the modules it uses) turns
//! any file into a config or a one-line usage error naming where, never a panic.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/douyin-cli/src/config.rs"]
mod config;

#[allow(dead_code)]
#[path = "../../crates/douyin-cli/src/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../../crates/douyin-cli/src/output.rs"]
mod output;

use support::CredentialInfo;

static WEB: &[CredentialInfo] = &[
    CredentialInfo {
        name: "cookie",
        doc: "",
    },
    CredentialInfo {
        name: "ms_token",
        doc: "",
    },
];
static OPEN: &[CredentialInfo] = &[CredentialInfo {
    name: "access_token",
    doc: "",
}];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("douyin-fuzz-config-{}.toml", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let creds = |d: &str| match d {
        "web" => Some(WEB),
        "open-platform" => Some(OPEN),
        _ => None,
    };
    if let Err(e) = config::Config::load(Some(&path), &["web", "open-platform", "onebound"], creds)
    {
        assert!(
            !e.message.contains('\n'),
            "a multi-line error: {}",
            e.message
        );
    }
});
