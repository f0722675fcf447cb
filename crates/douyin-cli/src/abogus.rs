//! `douyin abogus sign` and `douyin abogus decode`: the a_bogus signature of a request, its test vectors, and what a
//! signature contains.

use clap::{Arg, ArgAction, ArgMatches, Command};
use douyin_abogus::{ABogus, Decoded, Fingerprint, Stamp, SystemEntropy, DEFAULT_OPTIONS};
use serde::Deserialize;

use crate::support::{write_stdout, CliError};
use crate::vectors::Outcome;
use crate::xbogus::utc;

/// The `abogus` command.
pub fn command() -> Command {
    Command::new("abogus")
        .about("a_bogus signatures: sign a request, check test vectors, decode a signature")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("sign")
                .about("Print the a_bogus signature of a query, body and user agent (or check test vectors)")
                .arg(
                    Arg::new("query")
                        .long("query")
                        .value_name("QUERY")
                        .help("The query string exactly as sent (percent-encoded, without `?` and a_bogus)")
                        .required_unless_present("vectors"),
                )
                .arg(
                    Arg::new("user_agent")
                        .long("user-agent")
                        .value_name("UA")
                        .help("The User-Agent header")
                        .required_unless_present("vectors"),
                )
                .arg(
                    Arg::new("body")
                        .long("body")
                        .value_name("BODY")
                        .default_value("")
                        .help("The request body exactly as sent (empty for GET)"),
                )
                .arg(
                    Arg::new("fingerprint")
                        .long("fingerprint")
                        .value_name("FP")
                        .help(format!(
                            "The browser fingerprint (`inner|outer|screen x,y|0|0|avail|screen|client|24|24|platform`) \
                             [default: {}]",
                            Fingerprint::default()
                        )),
                )
                .arg(
                    Arg::new("options")
                        .long("options")
                        .value_name("A,B,C")
                        .value_parser(clap::value_parser!(u32))
                        .value_delimiter(',')
                        .num_args(1..)
                        .help(format!(
                            "The three option values [default: {}]",
                            DEFAULT_OPTIONS.map(|b| b.to_string()).join(",")
                        )),
                )
                .arg(
                    Arg::new("start_ms")
                        .long("start-ms")
                        .value_name("UNIX_MS")
                        .value_parser(clap::value_parser!(u64))
                        .help("Start time in Unix milliseconds [default: now]"),
                )
                .arg(
                    Arg::new("end_ms")
                        .long("end-ms")
                        .value_name("UNIX_MS")
                        .value_parser(clap::value_parser!(u64))
                        .help("End time in Unix milliseconds [default: the start time]"),
                )
                .arg(
                    Arg::new("random")
                        .long("random")
                        .value_name("R1,R2,R3")
                        .value_parser(clap::value_parser!(u16))
                        .value_delimiter(',')
                        .num_args(1..)
                        .help("The three random values (0..=9999 in a browser) [default: random]"),
                )
                .arg(
                    Arg::new("vectors")
                        .long("vectors")
                        .value_name("FILE")
                        .conflicts_with_all(["query", "user_agent", "fingerprint", "options", "start_ms", "end_ms", "random"])
                        .help(
                            "Check every case of a vectors file (format abogus-vectors/1, like vectors/abogus.json; \
                             `-` for stdin); prints pass/fail per case and `N passed, M failed`",
                        ),
                ),
        )
        .subcommand(
            Command::new("decode")
                .about("Print what an a_bogus signature contains; with --query/--user-agent/--body, which parts match")
                .arg(
                    Arg::new("value")
                        .value_name("A_BOGUS")
                        .required(true)
                        .help("The value, raw or percent-encoded as in a URL"),
                )
                .arg(Arg::new("query").long("query").value_name("QUERY").help("Query to check"))
                .arg(Arg::new("user_agent").long("user-agent").value_name("UA").help("User agent to check"))
                .arg(Arg::new("body").long("body").value_name("BODY").help("Body to check"))
                .arg(
                    Arg::new("json")
                        .long("json")
                        .action(ArgAction::SetTrue)
                        .help("Machine-readable output"),
                ),
        )
}

/// Runs `abogus <sub>`.
pub fn run(m: &ArgMatches) -> Result<(), CliError> {
    match m.subcommand() {
        Some(("sign", m)) => match m.get_one::<String>("vectors") {
            Some(file) => vectors(file),
            None => sign(m),
        },
        Some(("decode", m)) => decode(m),
        _ => Err(CliError::usage("abogus: expected `sign` or `decode`")),
    }
}

/// Three comma-separated values of a flag, or `None` when absent.
fn triple<T: Copy + Send + Sync + 'static>(
    m: &ArgMatches,
    id: &str,
) -> Result<Option<[T; 3]>, CliError> {
    let Some(values) = m.get_many::<T>(id) else {
        return Ok(None);
    };
    let values: Vec<T> = values.copied().collect();
    let n = values.len();
    values.try_into().map(Some).map_err(|_| {
        CliError::usage(format!(
            "--{} takes 3 values, got {n}",
            id.replace('_', "-")
        ))
    })
}

fn sign(m: &ArgMatches) -> Result<(), CliError> {
    let get = |id: &str| m.get_one::<String>(id).map(String::as_str).unwrap_or("");
    let fingerprint = match m.get_one::<String>("fingerprint") {
        Some(fp) => fp
            .parse::<Fingerprint>()
            .map_err(|e| CliError::usage(format!("--fingerprint: {e}")))?,
        None => Fingerprint::default(),
    };
    let options = triple::<u32>(m, "options")?.unwrap_or(DEFAULT_OPTIONS);
    let mut entropy = SystemEntropy;
    let start_ms = m
        .get_one::<u64>("start_ms")
        .copied()
        .unwrap_or_else(douyin_abogus::unix_now_ms);
    let end_ms = m.get_one::<u64>("end_ms").copied().unwrap_or(start_ms);
    let random = triple::<u16>(m, "random")?.unwrap_or_else(|| {
        use douyin_abogus::Entropy as _;
        [entropy.random(), entropy.random(), entropy.random()]
    });
    let sig = ABogus::new(options, fingerprint).sign(
        get("query").as_bytes(),
        get("body").as_bytes(),
        get("user_agent").as_bytes(),
        Stamp::new(start_ms, end_ms, random),
    );
    write_stdout(sig.as_str())
}

/// The `abogus-vectors/1` format, as far as signing needs it.
#[derive(Deserialize)]
struct VectorFile {
    format: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    inputs: Inputs,
    expected: Expected,
}

#[derive(Deserialize)]
struct Inputs {
    query: String,
    #[serde(default)]
    body: String,
    user_agent: String,
    fingerprint: String,
    options: [u32; 3],
    start_ms: u64,
    end_ms: u64,
    random_ints: [u16; 3],
}

#[derive(Deserialize)]
struct Expected {
    a_bogus: String,
}

impl Case {
    /// The signature of the case's pinned inputs.
    fn sign(&self) -> Result<String, String> {
        let i = &self.inputs;
        let fp: Fingerprint = i
            .fingerprint
            .parse()
            .map_err(|e| format!("fingerprint: {e}"))?;
        let stamp = Stamp::new(i.start_ms, i.end_ms, i.random_ints);
        let sig = ABogus::new(i.options, fp).sign(
            i.query.as_bytes(),
            i.body.as_bytes(),
            i.user_agent.as_bytes(),
            stamp,
        );
        Ok(sig.as_str().to_owned())
    }
}

const FORMAT: &str = "abogus-vectors/1";

fn vectors(file: &str) -> Result<(), CliError> {
    let parsed: VectorFile = serde_json::from_str(&crate::vectors::read(file)?)
        .map_err(|e| CliError::failure(format!("{file}: not an {FORMAT} file: {e}")))?;
    if parsed.format != FORMAT {
        return Err(CliError::failure(format!(
            "{file}: format {:?}, expected {FORMAT:?}",
            parsed.format
        )));
    }
    let outcomes = parsed.cases.iter().map(|case| Outcome {
        label: case.id.clone(),
        expected: case.expected.a_bogus.clone(),
        got: case.sign(),
        source: None,
    });
    crate::vectors::report("a_bogus", outcomes)
}

/// `YYYY-MM-DD HH:MM:SS.mmm UTC` of Unix milliseconds.
fn utc_ms(ms: u64) -> String {
    let secs = u32::try_from(ms / 1000).unwrap_or(u32::MAX);
    utc(secs).replace(" UTC", &format!(".{:03} UTC", ms % 1000))
}

fn list<T: ToString>(values: &[T]) -> String {
    values
        .iter()
        .map(T::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn describe(d: &Decoded) -> String {
    format!(
        "start         {} ({})\nend           {} ({})\nrandom        {}\noptions       {}\nfingerprint   {}\n\
         query hash    {}  (bytes 21, 22 of SM3(SM3(query + \"cus\")))\n\
         body hash     {}  (bytes 21, 22 of SM3(SM3(body + \"cus\")))\n\
         ua hash       {}  (bytes 23, 24 of SM3(base64(RC4([0,1,14], user agent))))",
        d.start_ms,
        utc_ms(d.start_ms),
        d.end_ms,
        utc_ms(d.end_ms),
        list(&d.random),
        list(&d.options),
        d.fingerprint,
        list(&d.query_hash),
        list(&d.body_hash),
        list(&d.ua_hash),
    )
}

fn decode(m: &ArgMatches) -> Result<(), CliError> {
    let value = m
        .get_one::<String>("value")
        .map(String::as_str)
        .unwrap_or("");
    let d = douyin_abogus::decode(value)
        .map_err(|e| CliError::failure(format!("not a valid a_bogus value: {e}")))?;
    let given = |id: &str| m.get_one::<String>(id).map(String::as_str);
    let (query, body, ua) = (given("query"), given("body"), given("user_agent"));
    let checked = d.check(
        query.unwrap_or("").as_bytes(),
        body.unwrap_or("").as_bytes(),
        ua.unwrap_or("").as_bytes(),
    );
    let parts = [
        ("query", query.map(|_| checked.query)),
        ("body", body.map(|_| checked.body)),
        ("user_agent", ua.map(|_| checked.user_agent)),
    ];
    if m.get_flag("json") {
        let matches: serde_json::Map<String, serde_json::Value> = parts
            .iter()
            .filter_map(|(name, ok)| Some(((*name).to_owned(), (*ok)?.into())))
            .collect();
        let v = serde_json::json!({
            "start_ms": d.start_ms,
            "start": utc_ms(d.start_ms),
            "end_ms": d.end_ms,
            "end": utc_ms(d.end_ms),
            "random": d.random,
            "options": d.options,
            "fingerprint": d.fingerprint.as_str(),
            "query_hash": d.query_hash,
            "body_hash": d.body_hash,
            "ua_hash": d.ua_hash,
            "matches": matches,
        });
        write_stdout(&v.to_string())?;
    } else {
        let mut s = describe(&d);
        for (name, ok) in parts {
            if let Some(ok) = ok {
                let verdict = if ok { "matches" } else { "DOES NOT MATCH" };
                s.push_str(&format!("\n{name:<13} {verdict}"));
            }
        }
        write_stdout(&s)?;
    }
    if parts.iter().any(|(_, ok)| *ok == Some(false)) {
        return Err(CliError::failure(
            "the signature does not match the given request parts",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_with_milliseconds() {
        assert_eq!(utc_ms(1_750_736_636_186), "2025-06-24 03:43:56.186 UTC");
        assert_eq!(utc_ms(0), "1970-01-01 00:00:00.000 UTC");
    }
}
