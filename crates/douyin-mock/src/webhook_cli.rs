//! `douyin-mock webhook send`: pushes documented events to a receiver, signed like the service signs them, and
//! prints one line per delivery with the receiver's answer.

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use douyin_mock::webhook::{Sender, Spoil};

/// The `webhook` subcommand.
pub fn command() -> Command {
    Command::new("webhook")
        .about("Push a spec's documented webhook events to a receiver")
        .subcommand_required(true)
        .subcommand(
            Command::new("send")
                .about("Send events signed as the service signs them (each event's first documented example)")
                .after_help(
                    "Examples:\n  douyin-mock webhook send --to http://127.0.0.1:8080/ --event create_video\n  \
                     douyin-mock webhook send --to http://127.0.0.1:8080/ --all --retry\n  \
                     douyin-mock webhook send --to http://127.0.0.1:8080/ --event authorize --bad-signature",
                )
                .arg(Arg::new("to").long("to").value_name("URL").required(true).help("The receiver's URL"))
                .arg(
                    Arg::new("domain")
                        .long("domain")
                        .value_name("SPEC")
                        .help("The spec whose events are sent [default: the first spec that pushes events]"),
                )
                .arg(
                    Arg::new("event")
                        .long("event")
                        .value_name("NAME")
                        .action(ArgAction::Append)
                        .required_unless_present("all")
                        .help("An event to send (repeatable)"),
                )
                .arg(Arg::new("all").long("all").action(ArgAction::SetTrue).help("Send every specced event"))
                .arg(
                    Arg::new("signing_secret")
                        .long("signing-secret")
                        .value_name("SECRET")
                        .help("Sign with SECRET [default: the spec's example value of the signing credential]"),
                )
                .arg(
                    Arg::new("msg_id")
                        .long("msg-id")
                        .value_name("PREFIX")
                        .default_value("mock-msg")
                        .help("Delivery ids are PREFIX-N"),
                )
                .arg(Arg::new("retry").long("retry").action(ArgAction::SetTrue).help("Send each delivery twice with the same id"))
                .arg(
                    Arg::new("bad_signature")
                        .long("bad-signature")
                        .action(ArgAction::SetTrue)
                        .help("Sign with another secret"),
                )
                .arg(
                    Arg::new("tamper")
                        .long("tamper")
                        .action(ArgAction::SetTrue)
                        .help("Change the body after signing it"),
                )
                .arg(
                    Arg::new("malformed")
                        .long("malformed")
                        .action(ArgAction::SetTrue)
                        .help("Send a signed body that is not JSON"),
                ),
        )
}

/// Runs `webhook send`; exits non-zero when a delivery failed to reach the receiver.
pub async fn run(m: &ArgMatches) -> ExitCode {
    let Some(("send", m)) = m.subcommand() else {
        return ExitCode::from(2);
    };
    let Some(domain) = m
        .get_one::<String>("domain")
        .map(String::as_str)
        .or_else(|| douyin_mock::webhook::domains().first().copied())
    else {
        eprintln!("error: no spec pushes events");
        return ExitCode::from(2);
    };
    let to = m.get_one::<String>("to").cloned().unwrap_or_default();
    let mut sender = match Sender::new(domain, to) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(secret) = m.get_one::<String>("signing_secret") {
        sender = sender.secret(secret.clone());
    }
    let events: Vec<String> = if m.get_flag("all") {
        sender.events().iter().map(|e| e.name.to_owned()).collect()
    } else {
        m.get_many::<String>("event")
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    };
    let known: Vec<&str> = sender.events().iter().map(|e| e.name).collect();
    if let Some(unknown) = events.iter().find(|e| !known.contains(&e.as_str())) {
        eprintln!("error: no event `{unknown}`; events: {}", known.join(", "));
        return ExitCode::from(2);
    }
    let spoil = if m.get_flag("bad_signature") {
        Spoil::BadSignature
    } else if m.get_flag("tamper") {
        Spoil::TamperedBody
    } else if m.get_flag("malformed") {
        Spoil::Malformed
    } else {
        Spoil::None
    };
    let times = if m.get_flag("retry") { 2 } else { 1 };
    let prefix = m.get_one::<String>("msg_id").cloned().unwrap_or_default();
    for (n, event) in events.iter().enumerate() {
        let id = format!("{prefix}-{}", n + 1);
        for _ in 0..times {
            match sender.send(event, &id, spoil).await {
                Ok(sent) => println!("{event:<22} {id:<14} {} {}", sent.status, sent.body),
                Err(e) => {
                    eprintln!("error: {event}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}
