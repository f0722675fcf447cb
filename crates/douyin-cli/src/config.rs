//! Credentials and base URLs from the environment and the optional config file. Never from flags, never printed.
//!
//! Each credential `<name>` of domain `<domain>` (as the domain's spec names them) is read from, first match wins:
//!
//! 1. `DOUYIN_<DOMAIN>_<NAME>` (`DOUYIN_ONEBOUND_KEY`, `DOUYIN_WEB_COOKIE`),
//! 2. `DOUYIN_<NAME>` (`DOUYIN_COOKIE`, `DOUYIN_USER_AGENT`, `DOUYIN_MS_TOKEN`, `DOUYIN_ACCESS_TOKEN`),
//! 3. key `<name>` in table `[<domain>]` of the config file: `--config FILE`, else
//!    `$XDG_CONFIG_HOME/douyin/config.toml`, else `$HOME/.config/douyin/config.toml`.
//!
//! Base URLs: `--base-url`, then `DOUYIN_<DOMAIN>_BASE_URL`, then `base_url` in the domain's table.
//!
//! A pool of identities: `--identities FILE`, else `identities = "FILE"` in the domain's table (relative to the config
//! file's directory).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use douyin_core::Secret;

use crate::seam::Credential;
use crate::support::CliError;

/// Where a value came from (for `--verbose`; the value itself is never shown).
#[derive(Clone, Debug)]
pub enum Source {
    /// An environment variable.
    Env(String),
    /// The config file.
    File,
    /// A file named by a flag (`--cookies FILE`): the flag.
    Flag(&'static str),
}

/// The largest credential file read (a browser's whole cookie export is a few hundred KiB).
const MAX_CREDENTIAL_FILE_BYTES: u64 = 4 << 20;

/// Credentials and base URLs, by domain.
#[derive(Debug, Default)]
pub struct Config {
    file: Option<(PathBuf, bool)>,
    credentials: BTreeMap<(String, String), (Secret, Source)>,
    base_urls: BTreeMap<String, (String, Source)>,
    identities: BTreeMap<String, PathBuf>,
}

fn upper(s: &str) -> String {
    s.replace('-', "_").to_ascii_uppercase()
}

/// The environment variables credential `name` of `domain` is read from, most specific first.
pub fn env_names(domain: &str, name: &str) -> [String; 2] {
    [
        format!("DOUYIN_{}_{}", upper(domain), upper(name)),
        format!("DOUYIN_{}", upper(name)),
    ]
}

/// The environment variable overriding `domain`'s base URL.
pub fn base_url_env(domain: &str) -> String {
    format!("DOUYIN_{}_BASE_URL", upper(domain))
}

/// The config file used when `--config` is not given.
pub fn default_file() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty());
    match xdg {
        Some(dir) => Some(PathBuf::from(dir)),
        None => std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|h| PathBuf::from(h).join(".config")),
    }
    .map(|d| d.join("douyin").join("config.toml"))
}

/// The credentials section of a domain command's `--help`.
pub fn credentials_help(domain: &str, creds: &[Credential]) -> String {
    let mut s = String::from(
        "Credentials (never flags; from the environment, else the config file's table):\n",
    );
    for c in creds {
        let [specific, short] = env_names(domain, c.name);
        s.push_str(&format!(
            "  {:<13} {specific} or {short}, or `{}` in [{domain}]\n",
            c.name, c.name
        ));
        if !c.doc.is_empty() {
            s.push_str(&format!("  {:<13} {}\n", "", c.doc));
        }
    }
    s.push_str(&format!(
        "\nConfig file: --config FILE, else $XDG_CONFIG_HOME/douyin/config.toml, else ~/.config/douyin/config.toml.\n\
         Base URL: --base-url, else {}, else `base_url` in [{domain}].",
        base_url_env(domain)
    ));
    s
}

/// Line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

impl Config {
    /// Reads the config file (`explicit`, or the default one if it exists) and the environment.
    ///
    /// `credentials` gives each known domain's declared credentials; a key the file sets that is neither a
    /// credential of its domain nor `base_url` is an error (it is most likely a typo).
    pub fn load(
        explicit: Option<&Path>,
        domains: &[&str],
        credentials: impl Fn(&str) -> Option<&'static [Credential]>,
    ) -> Result<Config, CliError> {
        let mut config = Config::default();
        let file = match explicit {
            Some(p) => Some((p.to_path_buf(), true)),
            None => default_file().map(|p| (p, false)),
        };
        if let Some((path, required)) = file {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    config.read_file(&path, &text, domains, &credentials)?;
                    config.file = Some((path, true));
                }
                Err(e) if required || e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(CliError::usage(format!(
                        "config file {}: {e}",
                        path.display()
                    )));
                }
                Err(_) => config.file = Some((path, false)),
            }
        }
        for domain in domains {
            for c in credentials(domain).unwrap_or_default() {
                for var in env_names(domain, c.name) {
                    if let Some(v) = std::env::var_os(&var).filter(|v| !v.is_empty()) {
                        let v = v.into_string().map_err(|_| {
                            CliError::usage(format!(
                                "environment variable {var} is not valid UTF-8"
                            ))
                        })?;
                        config.credentials.insert(
                            ((*domain).to_owned(), c.name.to_owned()),
                            (Secret::new(v), Source::Env(var)),
                        );
                        break;
                    }
                }
            }
            let var = base_url_env(domain);
            if let Some(v) = std::env::var(&var).ok().filter(|v| !v.is_empty()) {
                config
                    .base_urls
                    .insert((*domain).to_owned(), (v, Source::Env(var)));
            }
        }
        Ok(config)
    }

    fn read_file(
        &mut self,
        path: &Path,
        text: &str,
        domains: &[&str],
        credentials: &impl Fn(&str) -> Option<&'static [Credential]>,
    ) -> Result<(), CliError> {
        let bad = |what: String| CliError::usage(format!("config file {}: {what}", path.display()));
        // The parser's own message quotes the offending line, which may hold a credential: report position only.
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let (l, c) = line_col(text, s.start);
                    format!("line {l}, column {c}: ")
                })
                .unwrap_or_default();
            bad(format!("{at}{}", e.message()))
        })?;
        for (domain, value) in &table {
            let Some(creds) = domains
                .contains(&domain.as_str())
                .then(|| credentials(domain))
                .flatten()
            else {
                return Err(bad(format!(
                    "unknown table [{domain}]; domains: {}",
                    domains.join(", ")
                )));
            };
            let toml::Value::Table(entries) = value else {
                return Err(bad(format!("`{domain}` must be a table ([{domain}])")));
            };
            for (key, value) in entries {
                let toml::Value::String(v) = value else {
                    return Err(bad(format!("[{domain}] {key} must be a string")));
                };
                if key == "base_url" {
                    self.base_urls
                        .insert(domain.clone(), (v.clone(), Source::File));
                } else if key == "identities" {
                    let dir = path.parent().unwrap_or(Path::new(""));
                    self.identities.insert(domain.clone(), dir.join(v));
                } else if creds.iter().any(|c| c.name == key) {
                    self.credentials.insert(
                        (domain.clone(), key.clone()),
                        (Secret::new(v.clone()), Source::File),
                    );
                } else {
                    let names: Vec<&str> = creds.iter().map(|c| c.name).collect();
                    return Err(bad(format!(
                        "[{domain}] has no key `{key}`; it takes base_url, identities and {}",
                        names.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }

    /// Credential `name` of `domain`, if configured.
    pub fn credential(&self, domain: &str, name: &str) -> Option<&Secret> {
        self.credentials
            .get(&(domain.to_owned(), name.to_owned()))
            .map(|(s, _)| s)
    }

    /// Sets credential `credential` of `domain` to the contents of `path` (given with `--flag`), over the environment
    /// and the config file; the file's text is the credential's value, never echoed in errors.
    pub fn read_credential_file(
        &mut self,
        domain: &str,
        credential: &str,
        flag: &'static str,
        path: &Path,
    ) -> Result<(), CliError> {
        use std::io::Read as _;
        let bad = |e: std::io::Error| CliError::usage(format!("--{flag} {}: {e}", path.display()));
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(bad)?
            .take(MAX_CREDENTIAL_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(bad)?;
        if text.len() as u64 > MAX_CREDENTIAL_FILE_BYTES {
            return Err(CliError::usage(format!(
                "--{flag} {}: larger than {MAX_CREDENTIAL_FILE_BYTES} bytes",
                path.display()
            )));
        }
        self.credentials.insert(
            (domain.to_owned(), credential.to_owned()),
            (Secret::new(text), Source::Flag(flag)),
        );
        Ok(())
    }

    /// Credential `name` of `domain`, or an error saying where to set it.
    pub fn require(&self, domain: &str, name: &str) -> Result<Secret, CliError> {
        self.credential(domain, name).cloned().ok_or_else(|| {
            let [specific, short] = env_names(domain, name);
            let file = self.file_name();
            CliError::usage(format!(
                "missing credential `{name}` for {domain}: set {specific} (or {short}), or `{name}` under \
                 [{domain}] in {file}"
            ))
        })
    }

    /// The identities file the config file names for `domain` (`identities = "FILE"` in its table).
    pub fn identities(&self, domain: &str) -> Option<&Path> {
        self.identities.get(domain).map(PathBuf::as_path)
    }

    /// The configured base URL of `domain` (environment, then file).
    pub fn base_url(&self, domain: &str) -> Option<&str> {
        self.base_urls.get(domain).map(|(u, _)| u.as_str())
    }

    /// Where the configured base URL of `domain` comes from (an environment variable or the config file's table).
    pub fn base_url_source(&self, domain: &str) -> Option<String> {
        self.base_urls.get(domain).map(|(_, source)| match source {
            Source::Env(var) => var.clone(),
            Source::File => format!("`base_url` in [{domain}] of {}", self.file_name()),
            Source::Flag(flag) => format!("--{flag}"),
        })
    }

    fn file_name(&self) -> String {
        match &self.file {
            Some((p, _)) => p.display().to_string(),
            None => "the config file".to_owned(),
        }
    }

    /// Which config file was read, for `--verbose`.
    pub fn describe_file(&self) -> String {
        match &self.file {
            Some((p, true)) => format!("{} (read)", p.display()),
            Some((p, false)) => format!("{} (not present)", p.display()),
            None => "none".to_owned(),
        }
    }

    /// Which credentials of `domain` are configured and where from, never their values.
    pub fn describe_credentials(&self, domain: &str) -> String {
        let found: Vec<String> = self
            .credentials
            .iter()
            .filter(|((d, _), _)| d == domain)
            .map(|((_, name), (_, source))| match source {
                Source::Env(var) => format!("{name} (from {var})"),
                Source::File => format!("{name} (from the config file)"),
                Source::Flag(flag) => format!("{name} (from the file given with --{flag})"),
            })
            .collect();
        if found.is_empty() {
            "none configured".to_owned()
        } else {
            found.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREDS: &[Credential] = &[
        Credential {
            name: "key",
            doc: "",
        },
        Credential {
            name: "secret",
            doc: "",
        },
    ];

    fn creds(d: &str) -> Option<&'static [Credential]> {
        (d == "onebound").then_some(CREDS)
    }

    fn file(text: &str) -> Result<Config, CliError> {
        let mut c = Config::default();
        c.read_file(Path::new("c.toml"), text, &["onebound"], &creds)
            .map(|()| c)
    }

    #[test]
    fn env_names_are_specific_then_short() {
        assert_eq!(
            env_names("open-platform", "access_token"),
            [
                "DOUYIN_OPEN_PLATFORM_ACCESS_TOKEN".to_owned(),
                "DOUYIN_ACCESS_TOKEN".to_owned()
            ]
        );
    }

    #[test]
    fn file_sets_credentials_and_base_url() {
        let c =
            file("[onebound]\nkey = \"k1\"\nsecret = \"s1\"\nbase_url = \"http://x\"\n").unwrap();
        assert_eq!(c.credential("onebound", "key").unwrap().expose(), "k1");
        assert_eq!(c.credential("onebound", "secret").unwrap().expose(), "s1");
        assert_eq!(c.base_url("onebound"), Some("http://x"));
        let c = file("[onebound]\nidentities = \"ids.toml\"\n").unwrap();
        assert_eq!(c.identities("onebound"), Some(Path::new("ids.toml")));
    }

    #[test]
    fn typos_are_errors_naming_the_key_not_the_value() {
        let e = file("[onebound]\nkee = \"SECRETVALUE\"\n").unwrap_err();
        assert!(e.message.contains("no key `kee`"), "{}", e.message);
        assert!(!e.message.contains("SECRETVALUE"));
        let e = file("[onebund]\nkey = \"x\"\n").unwrap_err();
        assert!(
            e.message.contains("unknown table [onebund]"),
            "{}",
            e.message
        );
    }

    #[test]
    fn parse_errors_give_the_position_without_quoting_the_line() {
        let e = file("[onebound]\nkey = \"SECRETVALUE\n").unwrap_err();
        assert!(e.message.contains("line 2"), "{}", e.message);
        assert!(!e.message.contains("SECRETVALUE"), "{}", e.message);
    }

    #[test]
    fn missing_credentials_say_where_to_set_them() {
        let e = Config::default().require("onebound", "key").unwrap_err();
        assert!(
            e.message.contains("DOUYIN_ONEBOUND_KEY (or DOUYIN_KEY)"),
            "{}",
            e.message
        );
    }
}
