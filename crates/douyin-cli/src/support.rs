//! What the generated command modules call: argument readers, the error type with its exit status, the run context
//! (output mode, verbosity, connection settings, credentials) and page conversion.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::{Arg, ArgAction, ArgMatches};
use douyin_core::ErrorCode;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::Config;

/// A credential a domain's spec declares.
#[derive(Clone, Copy, Debug)]
pub struct CredentialInfo {
    /// The spec's credential name (`key`, `access_token`, `cookie`, …).
    pub name: &'static str,
    /// The first line of its documentation.
    pub doc: &'static str,
}

/// Exit status of a failed operation, a failed check or an unreadable input.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status of a usage problem: bad arguments, a parameter rejected before sending, a missing credential, a bad
/// config file.
pub const EXIT_USAGE: u8 = 2;
/// Exit status after Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

/// A failure, printed as one line on stderr, with the process's exit status.
#[derive(Debug)]
pub struct CliError {
    /// What went wrong, on one line; never contains a credential.
    pub message: String,
    /// Exit status.
    pub exit: u8,
}

impl CliError {
    /// A usage problem (exit status 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            exit: EXIT_USAGE,
        }
    }

    /// A failed operation or check (exit status 1).
    pub fn failure(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            exit: EXIT_FAILURE,
        }
    }

    /// The single line printed on stderr.
    pub fn line(&self) -> String {
        let one: Vec<&str> = self.message.split_whitespace().collect();
        format!("error: {}", one.join(" "))
    }
}

/// The Rust variant name of a typed error code (`NoResult`), or `Unknown` for an undocumented one.
fn code_name<C: ErrorCode>(code: &C) -> String {
    let dbg = format!("{code:?}");
    match dbg.split_once('(') {
        Some((name, _)) => name.to_owned(),
        None => dbg,
    }
}

fn with_sources(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = inner.source();
    }
    s
}

/// A client method's error as one line naming the typed error: the code with its name, meaning and class, and
/// whether the runtime retries it. Credential values never appear (the runtime's errors carry none).
pub fn api_error<C: ErrorCode>(e: douyin_core::Error<C>) -> CliError {
    use douyin_core::Error as E;
    let retry = if e.is_retryable() {
        "retryable"
    } else {
        "not retryable"
    };
    match &e {
        E::Api(a) => {
            let mut s = format!("API error {} (code {}", code_name(&a.code), a.code.raw());
            match a.code.meaning() {
                Some(m) => s.push_str(&format!(": {m}")),
                None => s.push_str(": not in the documented code table"),
            }
            s.push_str(&format!("; class {}, {retry}", a.class().as_str()));
            match a.billing() {
                Some(douyin_core::Billing::Billed) => s.push_str(", billed"),
                Some(douyin_core::Billing::NotBilled) => s.push_str(", not billed"),
                Some(douyin_core::Billing::Ignored) => s.push_str(", billing ignored"),
                None => {}
            }
            s.push(')');
            if let Some(m) = a.message.as_deref().filter(|m| !m.is_empty()) {
                s.push_str(&format!(": {m}"));
            }
            if let Some(c) = a.sub_code.as_deref().filter(|m| !m.is_empty()) {
                s.push_str(&format!("; sub code {c}"));
            }
            if let Some(m) = a.sub_message.as_deref().filter(|m| !m.is_empty()) {
                s.push_str(&format!(": {m}"));
            }
            if let Some(id) = a.log_id.as_deref().filter(|m| !m.is_empty()) {
                s.push_str(&format!(" [log id {id}]"));
            }
            if let Some(advice) = a.code.advice() {
                s.push_str(&format!("; what to do: {advice}"));
            }
            CliError::failure(s)
        }
        E::InvalidParameter { .. } => CliError::usage(format!("{e} (checked before sending)")),
        E::Credential { .. } => CliError::usage(e.to_string()),
        E::Decode(d) => CliError::failure(format!(
            "decode error at `{}`: {} ({retry}; the response does not match the spec: save it and run \
             `douyin check-capture` on it)",
            d.path, d.message
        )),
        E::Blocked(b) => CliError::failure(format!("{e} ({retry}; what to do: {})", b.advice())),
        E::Status { status, .. } => CliError::failure(format!("HTTP status {status} ({retry})")),
        _ => CliError::failure(format!("{} ({retry})", with_sources(&e))),
    }
}

/// A string argument.
pub fn string(m: &ArgMatches, id: &str) -> Option<String> {
    m.try_get_one::<String>(id).ok().flatten().cloned()
}

/// An integer argument.
pub fn int(m: &ArgMatches, id: &str) -> Option<i64> {
    m.try_get_one::<i64>(id).ok().flatten().copied()
}

/// A boolean argument (`true`/`false`, `yes`/`no`, `1`/`0`).
pub fn boolean(m: &ArgMatches, id: &str) -> Option<bool> {
    m.try_get_one::<bool>(id).ok().flatten().copied()
}

/// A list of strings (repeated flag or comma-separated).
pub fn strings(m: &ArgMatches, id: &str) -> Option<Vec<String>> {
    m.try_get_many::<String>(id)
        .ok()
        .flatten()
        .map(|v| v.cloned().collect())
}

/// A list of integers (repeated flag or comma-separated).
// Used by generated code for parameters of this type; no current spec has one.
#[allow(dead_code)]
pub fn ints(m: &ArgMatches, id: &str) -> Option<Vec<i64>> {
    m.try_get_many::<i64>(id)
        .ok()
        .flatten()
        .map(|v| v.copied().collect())
}

/// A list of booleans (repeated flag or comma-separated).
// Used by generated code for parameters of this type; no current spec has one.
#[allow(dead_code)]
pub fn bools(m: &ArgMatches, id: &str) -> Option<Vec<bool>> {
    m.try_get_many::<bool>(id)
        .ok()
        .flatten()
        .map(|v| v.copied().collect())
}

fn flag_of(id: &str) -> String {
    format!("--{}", id.replace('_', "-"))
}

/// An argument given as JSON, decoded into the parameter's generated type.
// Used by generated code for parameters of this type; no current spec has one.
#[allow(dead_code)]
pub fn json<T: DeserializeOwned>(m: &ArgMatches, id: &str) -> Result<Option<T>, CliError> {
    string(m, id)
        .map(|text| {
            serde_json::from_str(&text).map_err(|e| {
                CliError::usage(format!("{}: not valid JSON for it: {e}", flag_of(id)))
            })
        })
        .transpose()
}

/// A list argument of JSON items: each occurrence one item, or one occurrence holding a JSON array.
pub fn json_list<T: DeserializeOwned>(
    m: &ArgMatches,
    id: &str,
) -> Result<Option<Vec<T>>, CliError> {
    let Some(values) = strings(m, id) else {
        return Ok(None);
    };
    let bad = |e: serde_json::Error| {
        CliError::usage(format!("{}: not valid JSON for it: {e}", flag_of(id)))
    };
    if let [only] = values.as_slice() {
        if only.trim_start().starts_with('[') {
            return serde_json::from_str(only).map(Some).map_err(bad);
        }
    }
    values
        .iter()
        .map(|v| serde_json::from_str(v).map_err(bad))
        .collect::<Result<Vec<T>, _>>()
        .map(Some)
}

/// A required argument (clap enforces presence; this keeps a missing one an error rather than a panic).
pub fn required<T>(value: Option<T>, flag: &str) -> Result<T, CliError> {
    value.ok_or_else(|| CliError::usage(format!("{flag} is required")))
}

/// `--all-pages` and `--max-pages` of a paginated operation.
pub fn paging_args(cursor_flag: &'static str) -> [Arg; 2] {
    [
        Arg::new("all_pages")
            .long("all-pages")
            .action(ArgAction::SetTrue)
            .help_heading("Pagination")
            .help("Follow the pagination; print one item per line (JSON Lines)")
            .long_help(format!(
                "Follow the operation's pagination and print every item of every page, one JSON value per line \
                 (JSON Lines). A progress line (items, pages, rate) goes to stderr when it is a terminal. Ctrl-C \
                 stops after the lines already written and prints the cursor to resume from with `{cursor_flag}`."
            )),
        Arg::new("max_pages")
            .long("max-pages")
            .value_name("N")
            .value_parser(clap::value_parser!(u64).range(1..))
            .requires("all_pages")
            .help_heading("Pagination")
            .help(format!(
                "With --all-pages: stop after N pages and print the cursor to resume from with {cursor_flag}"
            )),
    ]
}

/// Whether `--all-pages` was given.
pub fn all_pages(m: &ArgMatches) -> bool {
    m.try_get_one::<bool>("all_pages")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

/// `--max-pages`.
pub fn max_pages(m: &ArgMatches) -> Option<u64> {
    m.try_get_one::<u64>("max_pages").ok().flatten().copied()
}

/// How `--all-pages` runs: the flag that sets the cursor, where it starts, where it stops.
#[derive(Clone, Debug)]
pub struct Paging {
    /// `--cursor`, `--max-cursor`, …: named when telling how to resume.
    pub cursor_flag: &'static str,
    /// The cursor given on the command line, if any.
    pub start: Option<i64>,
    /// Stop after this many pages.
    pub max_pages: Option<u64>,
}

/// One page with its items already encoded as compact JSON text (one line each).
#[derive(Debug)]
pub struct PageJson {
    /// Each item as compact JSON.
    pub items: Vec<String>,
    /// The cursor of the next page.
    pub next_cursor: Option<i64>,
    /// Whether the service says more pages follow.
    pub has_more: bool,
}

/// Encodes a generated page's items (lossless: unknown fields included, key order kept).
pub fn page_json<I: Serialize>(page: douyin_core::Page<I>) -> Result<PageJson, CliError> {
    let items = page
        .items
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::failure(format!("encoding an item failed: {e}")))?;
    Ok(PageJson {
        items,
        next_cursor: page.next_cursor,
        has_more: page.has_more,
    })
}

/// How JSON is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Indented.
    Pretty,
    /// One line.
    Compact,
}

/// Everything a run needs besides its arguments.
#[derive(Debug)]
pub struct Ctx {
    /// Credentials and base URLs from the environment and the config file.
    pub config: Config,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--verbose`.
    pub verbose: bool,
    /// Output format (pretty on a terminal unless told otherwise).
    pub format: Format,
    /// `--max-attempts`.
    pub max_attempts: u32,
    /// `--timeout`.
    pub timeout: Duration,
    /// `--cookies` (web).
    pub cookies: Option<std::path::PathBuf>,
    /// When the run started.
    pub started: Instant,
}

impl Ctx {
    /// The context from a leaf command's matches (the global flags propagate down to it).
    pub fn from_matches(m: &ArgMatches, config: Config) -> Ctx {
        let format = if m.get_flag("pretty") {
            Format::Pretty
        } else if m.get_flag("compact") || !std::io::stdout().is_terminal() {
            Format::Compact
        } else {
            Format::Pretty
        };
        Ctx {
            config,
            base_url: string(m, "base_url"),
            verbose: m.get_flag("verbose"),
            format,
            max_attempts: m.get_one::<u32>("max_attempts").copied().unwrap_or(3),
            timeout: Duration::from_secs_f64(m.get_one::<f64>("timeout").copied().unwrap_or(30.0)),
            cookies: m.get_one::<std::path::PathBuf>("cookies").cloned(),
            started: Instant::now(),
        }
    }

    /// Prints a line on stderr when `--verbose` is on.
    pub fn note(&self, line: &str) {
        if self.verbose {
            eprintln!("douyin: {line}");
        }
    }

    /// With `--verbose`: which operation runs where, with which arguments, and where each credential comes from
    /// (never its value).
    pub fn announce(
        &self,
        domain: &str,
        op: &str,
        method: &str,
        base_url: &str,
        path: &str,
        m: &ArgMatches,
    ) {
        if !self.verbose {
            return;
        }
        self.note(&format!("{domain} {op}: {method} {base_url}{path}"));
        let mut args = Vec::new();
        for id in m.ids() {
            let id = id.as_str();
            if matches!(
                id,
                "config"
                    | "base_url"
                    | "verbose"
                    | "pretty"
                    | "compact"
                    | "max_attempts"
                    | "timeout"
            ) {
                continue;
            }
            if let Ok(Some(raw)) = m.try_get_raw(id) {
                if m.value_source(id) != Some(clap::parser::ValueSource::CommandLine) {
                    continue;
                }
                let values: Vec<String> = raw.map(|v| v.to_string_lossy().into_owned()).collect();
                args.push(format!("{}={}", flag_of(id), values.join(",")));
            }
        }
        self.note(&format!(
            "arguments: {}",
            if args.is_empty() {
                "(none)".to_owned()
            } else {
                args.join(" ")
            }
        ));
        self.note(&format!("config file: {}", self.config.describe_file()));
        self.note(&format!(
            "credentials: {}",
            self.config.describe_credentials(domain)
        ));
        self.note(&format!(
            "attempts at most {}, timeout {:?}",
            self.max_attempts, self.timeout
        ));
    }

    /// Prints a decoded response as JSON (lossless re-encoding, key order kept).
    pub fn print_response<T: Serialize>(&self, value: &T) -> Result<(), CliError> {
        let text = serde_json::to_string(value)
            .map_err(|e| CliError::failure(format!("encoding the response failed: {e}")))?;
        self.note(&format!(
            "decoded response: {} bytes of JSON in {} ms",
            text.len(),
            self.started.elapsed().as_millis()
        ));
        let text = match self.format {
            Format::Pretty => crate::output::pretty(&text),
            Format::Compact => text,
        };
        write_stdout(&text)
    }

    /// Prints a text body (formats that are not JSON) as received.
    pub fn print_text(&self, text: &str) -> Result<(), CliError> {
        self.note(&format!("text response: {} bytes", text.len()));
        write_stdout(text)
    }
}

/// Writes `text` and a newline to stdout; a closed pipe is not an error.
pub fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let result = out
        .write_all(text.as_bytes())
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        })
        .and_then(|()| out.flush());
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::failure(format!("writing to stdout failed: {e}")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_are_single_lines() {
        let e = CliError::failure("a\nb  c\n");
        assert_eq!(e.line(), "error: a b c");
    }

    #[test]
    fn code_names_drop_unknown_payloads() {
        assert_eq!(code_name(&douyin_onebound::ErrorCode::NoResult), "NoResult");
        assert_eq!(
            code_name(&douyin_onebound::ErrorCode::from_raw("9999")),
            "Unknown"
        );
    }

    #[test]
    fn api_errors_name_code_meaning_class_and_retryability() {
        let api = douyin_core::ApiError {
            code: douyin_onebound::ErrorCode::from_raw("4008"),
            message: Some("slow down".to_owned()),
            log_id: Some("abc".to_owned()),
            sub_code: None,
            sub_message: None,
            http_status: 200,
        };
        let e = api_error(douyin_core::Error::Api(Box::new(api)));
        assert_eq!(e.exit, EXIT_FAILURE);
        assert_eq!(
            e.message,
            "API error RateLimited (code 4008: API rate limit exceeded; class rate_limited, retryable, billing \
             ignored): slow down [log id abc]"
        );
    }
}
