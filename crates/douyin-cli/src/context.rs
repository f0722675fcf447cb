//! [`Ctx`], a run's settings: the common options checked, the config (credentials, base URLs) and the output mode.
//! What every command of every domain uses, generic and domain-specific alike; it names no domain.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use douyin_core::{ClientSettings, RetryPolicy};
use serde::Serialize;

use crate::config::Config;
use crate::generated::CommonArgs;
use crate::support::{write_stdout, CliError};

/// The longest `--timeout` accepted: one day. Anything longer is a mistake, not a wish.
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

/// How JSON is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Indented.
    Pretty,
    /// One line.
    Compact,
}

/// Everything a run needs besides its arguments: the common options (checked), credentials and base URLs.
#[derive(Debug)]
pub struct Ctx {
    /// Credentials and base URLs from the environment and the config file.
    pub config: Config,
    /// `--base-url` (checked).
    base_url: Option<String>,
    /// `--verbose`.
    pub verbose: bool,
    /// Output format (pretty on a terminal unless told otherwise).
    pub format: Format,
    /// `--max-attempts`.
    pub max_attempts: u32,
    /// `--timeout`.
    pub timeout: Duration,
    /// `--max-body-bytes`: the largest response body read.
    pub max_body_bytes: u64,
    /// When the run started.
    pub started: Instant,
    /// `--identities`, `--pace-scale` (set by commands that take them).
    pub crawl: crate::identities::CrawlOptions,
    /// The latest crawl event, for progress lines.
    pub crawl_note: crate::identities::CrawlNote,
    /// `--state`, opened: where `--all-pages` keeps its cursor.
    pub walk_state: Option<Box<dyn douyin_media::Store>>,
}

/// `--timeout` as a duration: a finite number of seconds above 0 and at most a day.
pub fn timeout(secs: f64) -> Result<Duration, CliError> {
    if secs.is_finite() && secs > 0.0 && secs <= MAX_TIMEOUT_SECS {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(CliError::usage(format!(
            "--timeout {secs:?}: give a number of seconds above 0 and at most {MAX_TIMEOUT_SECS}"
        )))
    }
}

/// A base URL the client may use (the runtime's rule: absolute `http`/`https`, a host, no user name or password, no
/// query), checked before any client is built so the error names where it came from: `source` is `--base-url`, an
/// environment variable or the config file. The URL itself is never repeated: it may hold a password.
pub fn base_url(url: &str, source: &str) -> Result<String, CliError> {
    douyin_core::client::check_base_url(url)
        .map(|()| url.to_owned())
        .map_err(|e| CliError::usage(format!("{source}: {e}")))
}

/// The config the common options name (`--config`, else the default file) for every generated domain. (Here, not
/// in `config.rs`, which the fuzz crate compiles without the generated half.)
pub fn config_for(common: &CommonArgs) -> Result<Config, CliError> {
    Config::load(
        common.config.as_deref(),
        crate::generated::DOMAINS,
        crate::generated::credentials,
    )
}

impl Ctx {
    /// The context from the common options, loading the config they name ([`config_for`]).
    pub fn load(common: &CommonArgs) -> Result<Ctx, CliError> {
        Ctx::new(common, config_for(common)?)
    }

    /// The context from the common options and the loaded config (credential files read into it); a bad `--timeout`,
    /// `--base-url` or credential file is a usage error.
    pub fn new(common: &CommonArgs, mut config: Config) -> Result<Ctx, CliError> {
        for f in &common.credential_files {
            config.read_credential_file(f.domain, f.credential, f.flag, &f.path)?;
        }
        let format = if common.pretty {
            Format::Pretty
        } else if common.compact || !std::io::stdout().is_terminal() {
            Format::Compact
        } else {
            Format::Pretty
        };
        Ok(Ctx {
            config,
            base_url: common
                .base_url
                .as_deref()
                .map(|u| base_url(u, "--base-url"))
                .transpose()?,
            verbose: common.verbose,
            format,
            max_attempts: common.max_attempts.max(1),
            timeout: timeout(common.timeout)?,
            max_body_bytes: common.max_body_bytes,
            started: Instant::now(),
            crawl: Default::default(),
            crawl_note: Default::default(),
            walk_state: None,
        })
    }

    /// The base URL for `domain`: `--base-url`, else the configured one (checked), else `None` (the spec's).
    pub fn base_url_for(&self, domain: &str) -> Result<Option<String>, CliError> {
        if let Some(url) = &self.base_url {
            return Ok(Some(url.clone()));
        }
        match (
            self.config.base_url(domain),
            self.config.base_url_source(domain),
        ) {
            (Some(url), Some(source)) => base_url(url, &source).map(Some),
            _ => Ok(None),
        }
    }

    /// The runtime's settings for `domain`'s clients (and its session bootstrap or OAuth app): base URL, retries,
    /// timeout, body limit.
    pub fn client_settings(&self, domain: &str) -> Result<ClientSettings, CliError> {
        let mut settings = ClientSettings::default()
            .retry(RetryPolicy {
                max_attempts: self.max_attempts,
                ..RetryPolicy::default()
            })
            .timeout(self.timeout)
            .max_body_bytes(self.max_body_bytes);
        if let Some(url) = self.base_url_for(domain)? {
            settings = settings.base_url(url);
        }
        Ok(settings)
    }

    /// Prints a line on stderr when `--verbose` is on.
    pub fn note(&self, line: &str) {
        if self.verbose {
            eprintln!("douyin: {line}");
        }
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
            Format::Compact => crate::output::compact(&text),
        };
        write_stdout(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_must_be_finite_positive_and_at_most_a_day() {
        assert_eq!(timeout(2.5).unwrap(), Duration::from_millis(2500));
        assert_eq!(timeout(86_400.0).unwrap(), Duration::from_secs(86_400));
        for bad in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1.0,
            0.0,
            86_400.5,
        ] {
            let e = timeout(bad).unwrap_err();
            assert_eq!(e.exit, crate::support::EXIT_USAGE, "{bad}");
            assert!(e.message.starts_with("--timeout "), "{}", e.message);
        }
    }

    #[test]
    fn base_urls_must_be_http_with_a_host_and_no_userinfo() {
        assert_eq!(
            base_url("http://127.0.0.1:8080/web", "--base-url").unwrap(),
            "http://127.0.0.1:8080/web"
        );
        for (bad, why) in [
            ("not a url", "invalid base URL"),
            ("/relative/path", "invalid base URL"),
            ("ftp://host/", "not http or https"),
            ("http://user:PASSWORD@host/", "user name or password"),
            ("http://user@host/", "user name or password"),
        ] {
            let e = base_url(bad, "--base-url").unwrap_err();
            assert_eq!(e.exit, crate::support::EXIT_USAGE, "{bad}");
            assert!(e.message.contains(why), "{bad}: {}", e.message);
            assert!(!e.message.contains("PASSWORD"), "{}", e.message);
        }
    }
}
