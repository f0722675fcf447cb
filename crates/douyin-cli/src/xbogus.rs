//! `douyin xbogus sign` and `douyin xbogus decode`: the X-Bogus signature of a request, test vectors, and what a
//! signature contains.

use clap::{Arg, ArgAction, ArgMatches, Command};
use douyin_xbogus::{XBogus, DEFAULT_ARGS, DEFAULT_CANVAS};
use serde::Deserialize;

use crate::support::{write_stdout, CliError};
use crate::vectors::Outcome;

/// The `xbogus` command.
pub fn command() -> Command {
    Command::new("xbogus")
        .about("X-Bogus signatures: sign a request, check test vectors, decode a signature")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("sign")
                .about("Print the X-Bogus signature of a query, body and user agent (or check test vectors)")
                .arg(
                    Arg::new("query")
                        .long("query")
                        .value_name("QUERY")
                        .help("The query string exactly as sent (percent-encoded, without `?` and X-Bogus)")
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
                    Arg::new("timestamp")
                        .long("timestamp")
                        .value_name("UNIX_SECONDS")
                        .value_parser(clap::value_parser!(u32))
                        .help("Unix time in seconds [default: now]"),
                )
                .arg(
                    Arg::new("args")
                        .long("args")
                        .value_name("A,B,C")
                        .value_parser(clap::value_parser!(u8))
                        .value_delimiter(',')
                        .num_args(1..)
                        .help(format!(
                            "The three UA key bytes [default: {}]",
                            DEFAULT_ARGS.map(|b| b.to_string()).join(",")
                        )),
                )
                .arg(
                    Arg::new("canvas")
                        .long("canvas")
                        .value_name("C")
                        .value_parser(clap::value_parser!(u32))
                        .help(format!("The 32-bit canvas constant [default: {DEFAULT_CANVAS}]")),
                )
                .arg(
                    Arg::new("vectors")
                        .long("vectors")
                        .value_name("FILE")
                        .conflicts_with_all(["query", "user_agent", "timestamp", "args", "canvas"])
                        .help(
                            "Check every case of a vectors file (a JSON list of {query, body, user_agent, \
                             timestamp, args, canvas, x_bogus}); prints pass/fail per case and `N passed, M failed`",
                        ),
                ),
        )
        .subcommand(
            Command::new("decode")
                .about("Print what an X-Bogus signature contains; with --query/--user-agent/--body, which parts match")
                .arg(Arg::new("value").value_name("X_BOGUS").required(true))
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

/// Runs `xbogus <sub>`.
pub fn run(m: &ArgMatches) -> Result<(), CliError> {
    match m.subcommand() {
        Some(("sign", m)) => match m.get_one::<String>("vectors") {
            Some(file) => vectors(file),
            None => sign(m),
        },
        Some(("decode", m)) => decode(m),
        _ => Err(CliError::usage("xbogus: expected `sign` or `decode`")),
    }
}

fn sign(m: &ArgMatches) -> Result<(), CliError> {
    let get = |id: &str| m.get_one::<String>(id).map(String::as_str).unwrap_or("");
    let args: [u8; 3] = match m.get_many::<u8>("args") {
        None => DEFAULT_ARGS,
        Some(v) => v
            .copied()
            .collect::<Vec<_>>()
            .try_into()
            .map_err(|v: Vec<u8>| {
                CliError::usage(format!("--args takes 3 bytes, got {}", v.len()))
            })?,
    };
    let canvas = m
        .get_one::<u32>("canvas")
        .copied()
        .unwrap_or(DEFAULT_CANVAS);
    let ts = m
        .get_one::<u32>("timestamp")
        .copied()
        .unwrap_or_else(douyin_xbogus::unix_now);
    let sig = XBogus::new(args, canvas).sign(
        get("query").as_bytes(),
        get("body").as_bytes(),
        get("user_agent").as_bytes(),
        ts,
    );
    write_stdout(sig.as_str())
}

#[derive(Deserialize)]
struct Case {
    query: String,
    #[serde(default)]
    body: String,
    user_agent: String,
    timestamp: u32,
    args: [u8; 3],
    canvas: u32,
    x_bogus: String,
    #[serde(default)]
    source: String,
}

fn vectors(file: &str) -> Result<(), CliError> {
    let cases: Vec<Case> = serde_json::from_str(&crate::vectors::read(file)?)
        .map_err(|e| CliError::failure(format!("{file}: not a list of X-Bogus cases: {e}")))?;
    let outcomes = cases.into_iter().enumerate().map(|(i, c)| {
        let got = XBogus::new(c.args, c.canvas).sign(
            c.query.as_bytes(),
            c.body.as_bytes(),
            c.user_agent.as_bytes(),
            c.timestamp,
        );
        Outcome {
            label: format!("#{}", i + 1),
            expected: c.x_bogus,
            got: Ok(got.as_str().to_owned()),
            source: (!c.source.is_empty()).then_some(c.source),
        }
    });
    crate::vectors::report("X-Bogus", outcomes)
}

/// `YYYY-MM-DD HH:MM:SS UTC` of Unix seconds (days-to-civil, proleptic Gregorian).
pub fn utc(secs: u32) -> String {
    let secs = i64::from(secs);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn decode(m: &ArgMatches) -> Result<(), CliError> {
    let value = m
        .get_one::<String>("value")
        .map(String::as_str)
        .unwrap_or("");
    let d = douyin_xbogus::decode(value)
        .map_err(|e| CliError::failure(format!("not a valid X-Bogus value: {e}")))?;
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
    let mismatch = parts.iter().any(|(_, m)| *m == Some(false));
    if m.get_flag("json") {
        let mut matches = serde_json::Map::new();
        for (name, ok) in parts {
            if let Some(ok) = ok {
                matches.insert(name.to_owned(), ok.into());
            }
        }
        let v = serde_json::json!({
            "timestamp": d.timestamp,
            "time": utc(d.timestamp),
            "args": d.args,
            "canvas": d.canvas,
            "query_digest": hex(&d.query_digest),
            "body_digest": hex(&d.body_digest),
            "ua_digest": hex(&d.ua_digest),
            "matches": matches,
        });
        write_stdout(&v.to_string())?;
    } else {
        let mut s = format!(
            "timestamp     {} ({})\nargs          {}\ncanvas        {}\nquery digest  {}  (last two bytes of MD5(MD5(query)))\n\
             body digest   {}  (last two bytes of MD5(MD5(body)))\nua digest     {}  (last two bytes of MD5(base64(RC4(args, user agent))))",
            d.timestamp,
            utc(d.timestamp),
            d.args.map(|b| b.to_string()).join(","),
            d.canvas,
            hex(&d.query_digest),
            hex(&d.body_digest),
            hex(&d.ua_digest),
        );
        for (name, ok) in parts {
            if let Some(ok) = ok {
                s.push_str(&format!(
                    "\n{:<13} {}",
                    name,
                    if ok { "matches" } else { "DOES NOT MATCH" }
                ));
            }
        }
        write_stdout(&s)?;
    }
    if mismatch {
        return Err(CliError::failure(
            "the signature does not match the given request parts",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_684_631_583), "2023-05-21 01:13:03 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(u32::MAX), "2106-02-07 06:28:15 UTC");
    }
}
