//! `douyin open-platform webhook serve`: receives the Open Platform's webhooks on a local port with the library's
//! receiver (signature checked before parsing, `verify_webhook` answered, retries handled once) and prints each
//! verified event as one compact JSON line on stdout, for trying it out and for piping. The client secret comes from
//! the environment or the config file like every credential.

use std::net::IpAddr;

use clap::{Arg, ArgMatches, Command};
use douyin_open_platform::webhook::{router, Delivery};
use douyin_open_platform::{Event, WEBHOOKS};
use serde_json::{json, Value};

use crate::config::Config;
use crate::support::{write_stdout, CliError};

/// The domain that has the `webhook` command.
pub const DOMAIN: &str = super::auth::DOMAIN;
/// The command's name under it.
pub const COMMAND: &str = "webhook";

/// The `webhook` subcommand of the domain's command.
pub fn command() -> Command {
    Command::new(COMMAND)
        .about("Receive webhooks: verify, answer and print each event as a JSON line")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("serve")
                .about("Serve POST / on a local port; print each verified event as one compact JSON line")
                .long_about(
                    "Serves POST / with the library's receiver: deliveries whose signature does not match the client \
                     secret get 401 and are not printed, bodies over 256 KiB get 413, verify_webhook is answered with \
                     its challenge, a retried Msg-Id is printed once. Each verified event is printed as one compact \
                     JSON line: {\"msg_id\", \"event\", \"typed\", \"drift\", \"body\"} where body is the typed event \
                     re-encoded (an unknown event's body as received, as text when it is not JSON).\n\nExample: \
                     douyin open-platform webhook serve --port 8080 | jq .event",
                )
                .arg(
                    Arg::new("port")
                        .long("port")
                        .value_name("PORT")
                        .value_parser(clap::value_parser!(u16))
                        .default_value("8080")
                        .help("Port to listen on (0: a free one, printed on stderr)"),
                )
                .arg(
                    Arg::new("host")
                        .long("host")
                        .value_name("ADDR")
                        .value_parser(clap::value_parser!(IpAddr))
                        .default_value("127.0.0.1")
                        .help("Address to listen on"),
                ),
        )
}

/// One delivery as its output line.
pub fn line(delivery: &Delivery) -> String {
    let body = match &delivery.event {
        Event::Unknown(raw) => serde_json::from_slice::<Value>(&raw.body)
            .unwrap_or_else(|_| Value::String(raw.text().into_owned())),
        typed => serde_json::from_str(&typed.to_json()).unwrap_or(Value::Null),
    };
    json!({
        "msg_id": delivery.msg_id,
        "event": delivery.event.name(),
        "typed": !matches!(delivery.event, Event::Unknown(_)),
        "drift": delivery.event.drift().len(),
        "body": body,
    })
    .to_string()
}

/// Runs `douyin open-platform webhook serve` until interrupted.
pub async fn run(m: &ArgMatches, config: Config) -> Result<(), CliError> {
    let Some(("serve", leaf)) = m.subcommand() else {
        return Err(CliError::usage("webhook: a subcommand is required (serve)"));
    };
    let secret = config.require(DOMAIN, WEBHOOKS.secret_credential)?;
    let port = leaf.get_one::<u16>("port").copied().unwrap_or(8080);
    let host = leaf
        .get_one::<IpAddr>("host")
        .copied()
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|e| CliError::failure(format!("cannot listen on {host}:{port}: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| CliError::failure(e.to_string()))?;
    eprintln!("listening on http://{address}/ (POST)");
    let app = router(secret, |delivery: Delivery| async move {
        if let Err(e) = write_stdout(&line(&delivery)) {
            eprintln!("{}", e.message);
        }
    });
    axum::serve(listener, app)
        .await
        .map_err(|e| CliError::failure(format!("serving: {e}")))
}
