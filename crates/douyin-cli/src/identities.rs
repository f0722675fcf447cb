//! `--identities FILE` and `--pace-scale`: a pool of identities for a domain's client, read from TOML or JSON,
//! each one `name`, an optional `proxy` and values of the domain's credentials by their spec names (web: `cookie`,
//! `user_agent`, `ms_token`); what it does not give comes from the configuration as usual. A bad file is a usage
//! error naming its line and field, never a value.
//!
//! ```toml
//! [[identity]]
//! name = "alice"
//! cookie = "sessionid=…; ttwid=…"
//! proxy = "http://127.0.0.1:3128"
//! ```
//!
//! JSON is the same shape: `{"identity": [{"name": "alice", "cookie": "…"}]}`. The config file can name the file
//! instead (`identities = "FILE"` in the domain's table).

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clap::{Arg, ArgMatches};
use douyin_core::Secret;
use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};

use crate::seam::IdentitySetup;
use crate::support::CliError;

/// Where identities come from, for messages about an empty pool or one that rests.
pub const WHERE: &str = "identities come from --identities FILE or `identities = \"FILE\"` in the domain's table of \
     the config file ([[identity]] entries: name, the domain's credentials, proxy); `douyin session new` prints a \
     fresh web session's cookie for another";

/// The crawl options of a run.
#[derive(Clone, Debug, Default)]
pub struct CrawlOptions {
    /// `--identities`.
    pub identities: Option<PathBuf>,
    /// `--pace-scale`.
    pub pace_scale: Option<f64>,
    /// `--state`: where `--all-pages` keeps its cursor (opened by `crate::pages::open_state`).
    pub state: Option<String>,
}

/// The arguments (global, like the common options).
pub fn args() -> Vec<Arg> {
    vec![
        Arg::new("identities")
            .long("identities")
            .value_name("FILE")
            .value_parser(clap::value_parser!(PathBuf))
            .global(true)
            .help_heading("Crawl options")
            .help(
                "Spread requests over these identities (TOML or JSON: [[identity]] name, credentials by their \
                 names, proxy), each held to the spec's budgets; a refused one rests",
            ),
        Arg::new("pace_scale")
            .long("pace-scale")
            .value_name("FACTOR")
            .value_parser(clap::value_parser!(f64))
            .global(true)
            .help_heading("Crawl options")
            .help("Pace requests at FACTOR times the spec's budgets (turns pacing on; 0.5: half as fast)"),
        Arg::new("state")
            .long("state")
            .value_name("URL_OR_FILE")
            .global(true)
            .help_heading("Crawl options")
            .help(
                "With --all-pages: keep the walk's cursor in this PostgreSQL database (postgres://…, shared by \
                 several processes, no page fetched twice) or SQLite file, so an interrupted walk resumes",
            ),
    ]
}

impl CrawlOptions {
    /// The options from a leaf command's matches.
    pub fn from_matches(m: &ArgMatches) -> Result<CrawlOptions, CliError> {
        let get = |id: &str| m.try_get_one::<f64>(id).ok().flatten().copied();
        let pace_scale = get("pace_scale");
        if let Some(f) = pace_scale.filter(|f| !(f.is_finite() && *f > 0.0 && *f <= 1e6)) {
            return Err(CliError::usage(format!(
                "--pace-scale {f}: give a factor above 0 and at most 1000000"
            )));
        }
        Ok(CrawlOptions {
            identities: m
                .try_get_one::<PathBuf>("identities")
                .ok()
                .flatten()
                .cloned(),
            pace_scale,
            state: m.try_get_one::<String>("state").ok().flatten().cloned(),
        })
    }

    /// Whether the client paces.
    pub fn paced(&self) -> bool {
        self.identities.is_some() || self.pace_scale.is_some()
    }
}

/// The latest crawl event in short, for the `--all-pages` progress line.
#[derive(Clone, Debug, Default)]
pub struct CrawlNote(Arc<Mutex<Option<String>>>);

impl CrawlNote {
    /// The latest event, if any.
    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Reports each crawl event on stderr (an identity resting, a breaker opening: never silent) and keeps it for the
/// progress line.
pub fn reporter(note: CrawlNote) -> impl Fn(&douyin_core::CrawlEvent) + Send + Sync + 'static {
    move |event| {
        let clear = if std::io::stderr().is_terminal() {
            "\r\x1b[2K"
        } else {
            ""
        };
        match event {
            douyin_core::CrawlEvent::AllResting { .. } => {
                eprintln!("{clear}douyin: {event} (more identities help: {WHERE})")
            }
            _ => eprintln!("{clear}douyin: {event}"),
        }
        *note.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(event.to_string());
    }
}

/// Reads the identities of `path` (named by `flag` in messages: `--identities` or the config file's key) for a
/// domain whose credentials are `names`.
pub fn load(
    path: &Path,
    flag: &str,
    names: &[&'static str],
) -> Result<Vec<IdentitySetup>, CliError> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("{flag} {shown}: {e}; {WHERE}")))?;
    let seed = FileSeed { names };
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    let entries = if json {
        let mut de = serde_json::Deserializer::from_str(&text);
        seed.deserialize(&mut de)
            .and_then(|v| de.end().map(|()| v))
            .map_err(|e| format!("{shown}:{}: {}", e.line(), strip_position(&e.to_string())))
    } else {
        toml::Deserializer::parse(&text)
            .and_then(|de| seed.deserialize(de))
            .map_err(|e| toml_error(&shown, &text, &e))
    }
    .map_err(|m| CliError::usage(format!("{flag} {m}")))?;
    if entries.is_empty() {
        return Err(CliError::usage(format!(
            "{flag} {shown}: no [[identity]] in it; {WHERE}"
        )));
    }
    Ok(entries)
}

fn toml_error(shown: &impl fmt::Display, text: &str, e: &toml::de::Error) -> String {
    let first = e.message().lines().next().unwrap_or("").to_owned();
    let start = e.span().map_or(0, |s| s.start.min(text.len()));
    let mut line = text[..start].matches('\n').count() + 1;
    // A custom error points at its identity's table: find the field's own line in that table.
    let field = first.split('`').nth(1).unwrap_or("");
    if !field.is_empty() {
        let table = text[start..]
            .lines()
            .enumerate()
            .take_while(|(i, l)| *i == 0 || !l.trim_start().starts_with('['));
        let found = table.map(|(i, l)| (i, l.trim_start())).find(|(_, l)| {
            l.strip_prefix(field)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        });
        line += found.map_or(0, |(i, _)| i);
    }
    format!("{shown}:{line}: {first}")
}

/// serde_json's message without its own " at line L column C" (the line is given first).
fn strip_position(message: &str) -> &str {
    message.rsplit_once(" at line ").map_or(message, |(m, _)| m)
}

struct FileSeed<'a> {
    names: &'a [&'static str],
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = Vec<IdentitySetup>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_> {
    type Value = Vec<IdentitySetup>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table with an `identity` list")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key != "identity" {
                return Err(A::Error::custom(format!(
                    "unknown key `{key}` (the file holds `identity` entries)"
                )));
            }
            out = map.next_value_seed(ListSeed { names: self.names })?;
        }
        Ok(out)
    }
}

struct ListSeed<'a> {
    names: &'a [&'static str],
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = Vec<IdentitySetup>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = Vec<IdentitySetup>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of identities")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out: Vec<IdentitySetup> = Vec::new();
        while let Some(mut entry) = seq.next_element_seed(EntrySeed {
            names: self.names,
            number: out.len() + 1,
        })? {
            if entry.name.is_empty() {
                entry.name = format!("#{}", out.len() + 1);
            }
            if out.iter().any(|e| e.name == entry.name) {
                return Err(A::Error::custom(format!(
                    "identity `{}` appears twice",
                    entry.name
                )));
            }
            out.push(entry);
        }
        Ok(out)
    }
}

struct EntrySeed<'a> {
    names: &'a [&'static str],
    number: usize,
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = IdentitySetup;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = IdentitySetup;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an identity: a table of text values")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let n = self.number;
        let mut entry = IdentitySetup::new("");
        while let Some(key) = map.next_key::<String>()? {
            let known = key == "name" || key == "proxy" || self.names.contains(&key.as_str());
            if !known {
                return Err(A::Error::custom(format!(
                    "identity {n}: unknown field `{key}` (fields: name, proxy, {})",
                    self.names.join(", ")
                )));
            }
            // The value is never quoted back: it is a credential.
            let value: String = map
                .next_value()
                .map_err(|_| A::Error::custom(format!("identity {n}: field `{key}` takes text")))?;
            if value.trim().is_empty() {
                return Err(A::Error::custom(format!(
                    "identity {n}: field `{key}` is empty"
                )));
            }
            match key.as_str() {
                "name" => entry.name = value,
                "proxy" => {
                    let proxy = reqwest::Proxy::all(&value).map_err(|_| {
                        A::Error::custom(format!("identity {n}: field `proxy` is not a proxy URL"))
                    })?;
                    entry.proxy = Some(proxy);
                }
                _ => {
                    entry.values.insert(key, Secret::new(value));
                }
            }
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["cookie", "user_agent", "ms_token"];

    fn load_text(name: &str, text: &str) -> Result<Vec<IdentitySetup>, String> {
        let path =
            std::env::temp_dir().join(format!("douyin-identities-{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let out = load(&path, "--identities", NAMES)
            .map_err(|e| e.message.replace(&path.display().to_string(), "FILE"));
        std::fs::remove_file(&path).unwrap();
        out
    }

    #[test]
    fn toml_and_json_give_the_same_identities() {
        let toml = "[[identity]]\nname = \"a\"\ncookie = \"sid=1\"\n\n[[identity]]\ncookie = \"sid=2\"\nproxy = \"http://127.0.0.1:9\"\n";
        let json = r#"{"identity": [{"name": "a", "cookie": "sid=1"}, {"cookie": "sid=2", "proxy": "http://127.0.0.1:9"}]}"#;
        for (name, text) in [("t.toml", toml), ("j.json", json)] {
            let ids = load_text(name, text).unwrap();
            assert_eq!(ids.len(), 2);
            assert_eq!((ids[0].name.as_str(), ids[1].name.as_str()), ("a", "#2"));
            assert_eq!(ids[1].values["cookie"].expose(), "sid=2");
            assert!(ids[1].proxy.is_some());
        }
    }

    #[test]
    fn a_bad_field_names_its_line_and_never_its_value() {
        let e = load_text(
            "bad.toml",
            "[[identity]]\nname = \"a\"\n\n[[identity]]\ncokie = \"secret-1\"\n",
        )
        .unwrap_err();
        assert!(
            e.starts_with("--identities FILE:5: identity 2: unknown field `cokie`"),
            "{e}"
        );
        let e = load_text(
            "bad.json",
            "{\"identity\": [\n  {\"name\": \"a\"},\n  {\"proxy\": \"not a url secret-2\"}\n]}",
        )
        .unwrap_err();
        assert!(
            e.starts_with("--identities FILE:3: identity 2: field `proxy` is not a proxy URL"),
            "{e}"
        );
        assert!(!e.contains("secret-2"), "{e}");
        let e = load_text(
            "dup.toml",
            "[[identity]]\nname = \"a\"\n[[identity]]\nname = \"a\"\n",
        )
        .unwrap_err();
        assert!(e.contains("identity `a` appears twice"), "{e}");
        let e = load_text("none.toml", "").unwrap_err();
        assert!(
            e.starts_with("--identities FILE: no [[identity]] in it; identities come from --identities FILE or \
                 `identities = \"FILE\"`"),
            "{e}"
        );
        assert!(e.contains("`douyin session new`"), "{e}");
    }
}
