//! What the `douyin` CLI defines itself beside the specs, and so what no spec may take: its common flags, its paging
//! flags and its top-level commands. A fact shared by the CLI emitter (which emits the flags) and spec validation
//! (which refuses parameters and domains with these names), so it lives in neither.

/// What a flag of the CLI's own carries, and so its clap parser and its field in the generated `CommonArgs`.
#[derive(Clone, Copy)]
pub enum FlagValue {
    /// On or off (`bool`).
    Switch,
    /// A file (`Option<PathBuf>`).
    Path(&'static str),
    /// Text (`Option<String>`).
    Text(&'static str),
    /// A count of at least 1 with a default (`u32`).
    Count(&'static str, u32),
    /// A number of seconds with a default (`f64`; the hand-written host says which values make sense).
    Seconds(&'static str, &'static str),
    /// A count of at least 1, optional (`Option<u64>`).
    Limit(&'static str),
    /// A byte count of at least 1 (`u64`), by default the runtime's response body limit.
    BodyBytes(&'static str),
}

/// A flag the CLI defines itself (not from a spec).
pub struct OwnFlag {
    /// Argument id (also the `CommonArgs` field).
    pub id: &'static str,
    pub long: &'static str,
    pub short: Option<char>,
    pub value: FlagValue,
    pub help: &'static str,
    /// Another flag of the same list it cannot be given with.
    pub conflicts_with: Option<&'static str>,
}

/// The one list of common flags: every domain command takes them (global, so they also go after the operation);
/// the generator emits them as `CommonArgs`, and no spec parameter may take their names.
pub const COMMON: &[OwnFlag] = &[
    OwnFlag {
        id: "config",
        long: "config",
        short: None,
        value: FlagValue::Path("FILE"),
        help: "Config file with credentials [default: $XDG_CONFIG_HOME/douyin/config.toml]",
        conflicts_with: None,
    },
    OwnFlag {
        id: "base_url",
        long: "base-url",
        short: None,
        value: FlagValue::Text("URL"),
        help: "Send requests to this base URL (a mock server, a proxy) instead of the service",
        conflicts_with: None,
    },
    OwnFlag {
        id: "verbose",
        long: "verbose",
        short: Some('v'),
        value: FlagValue::Switch,
        help:
            "Say on stderr what is sent where and where credentials come from (never their values)",
        conflicts_with: None,
    },
    OwnFlag {
        id: "pretty",
        long: "pretty",
        short: None,
        value: FlagValue::Switch,
        help: "Indented JSON [default on a terminal]",
        conflicts_with: Some("compact"),
    },
    OwnFlag {
        id: "compact",
        long: "compact",
        short: None,
        value: FlagValue::Switch,
        help: "One-line JSON [default when stdout is not a terminal]",
        conflicts_with: None,
    },
    OwnFlag {
        id: "max_attempts",
        long: "max-attempts",
        short: None,
        value: FlagValue::Count("N", 3),
        help: "Attempts per request, retries of retryable failures included",
        conflicts_with: None,
    },
    OwnFlag {
        id: "timeout",
        long: "timeout",
        short: None,
        value: FlagValue::Seconds("SECONDS", "30"),
        help: "Time allowed for one attempt (more than 0, at most 86400)",
        conflicts_with: None,
    },
    OwnFlag {
        id: "max_body_bytes",
        long: "max-body-bytes",
        short: None,
        value: FlagValue::BodyBytes("BYTES"),
        help: "Refuse a response body larger than this, counted decompressed [default: the library's limit, 64 MiB]",
        conflicts_with: None,
    },
];

/// The flags of a paginated operation (`--all-pages`, `--max-pages`); their long help is the host's business
/// (`Host::paging_help`), as it names the operation's cursor flag.
pub const PAGING: &[OwnFlag] = &[
    OwnFlag {
        id: "all_pages",
        long: "all-pages",
        short: None,
        value: FlagValue::Switch,
        help: "Follow the pagination; print one item per line (JSON Lines)",
        conflicts_with: None,
    },
    OwnFlag {
        id: "max_pages",
        long: "max-pages",
        short: None,
        value: FlagValue::Limit("N"),
        help: "With --all-pages: stop after N pages and print the cursor to resume from",
        conflicts_with: None,
    },
];

/// Whether `flag` (a long flag without dashes, or an argument id) is taken by the CLI itself; spec validation
/// refuses parameters with such names.
pub fn reserved(flag: &str) -> bool {
    flag == "help"
        || COMMON
            .iter()
            .chain(PAGING)
            .any(|f| f.long == flag || f.id == flag)
}

/// Top-level command names the hand-written CLI uses; a domain may not take them.
pub const RESERVED_COMMANDS: &[&str] = &[
    "check-capture",
    "xbogus",
    "abogus",
    "resolve",
    "download",
    "session",
    "serve",
    "help",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_own_flags_are_reserved_by_long_name_and_id() {
        for f in COMMON.iter().chain(PAGING) {
            assert!(reserved(f.long) && reserved(f.id), "{}", f.long);
        }
        assert!(reserved("help") && reserved("max_attempts") && reserved("all-pages"));
        assert!(!reserved("cursor") && !reserved("count"));
        // Every conflict names a flag of the same list.
        for f in COMMON {
            if let Some(other) = f.conflicts_with {
                assert!(COMMON.iter().any(|g| g.id == other), "{other}");
            }
        }
    }
}
