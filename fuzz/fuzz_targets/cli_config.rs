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

/// The one item `config.rs` takes from the CLI's generated half (`crates/douyin-cli/src/generated/mod.rs`, which
/// declares every domain's clap commands and is not compiled in here). The same fields: if the generated struct
/// gains one that `config.rs` reads, this target stops compiling rather than fuzzing something else.
mod generated {
    pub struct Credential {
        pub name: &'static str,
        pub doc: &'static str,
    }
}

use generated::Credential;

static WEB: &[Credential] = &[
    Credential {
        name: "cookie",
        doc: "",
    },
    Credential {
        name: "ms_token",
        doc: "",
    },
];
static OPEN: &[Credential] = &[Credential {
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
