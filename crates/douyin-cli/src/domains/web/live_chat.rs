//! `douyin live chat <room>`: the room's live chat as JSON Lines, one compact value per message, with
//! `douyin_live::chat`. Typed messages print their fields under `data`; a method the spec does not type prints
//! its name and its bytes in hex. Drops, reconnects and unreadable frames go to stderr. Also `live record --chat`
//! ([`record_with_chat`]): the chat written beside the recording on its timeline.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use clap::{Arg, ArgAction, ArgMatches, Command};
use std::time::Duration;

use douyin_live::chat::{json_line, run, ChatEvent, ChatOptions, Timeline, Transcript};
use douyin_live::{record, Event, RecordOptions, Recording, Stop, StreamSource};
use douyin_web::webcast::PUSH;

use super::live_room::Joined;
use crate::support::CliError;

/// The `chat` subcommand.
pub fn command(common: Vec<Arg>) -> Command {
    let kinds: Vec<&str> = PUSH.methods.iter().map(|(_, k)| *k).collect();
    Command::new("chat")
        .about("Print a live room's chat (comments, gifts, likes, entries …) as JSON Lines until the stream ends")
        .long_about(format!(
            "Asks webcast/room/web/enter for the room's id, joins its push channel (webcast im/push/v2, protobuf over \
             a websocket: heartbeats, acknowledgements, reconnects with backoff resuming where it stopped, on the \
             next host) and prints one compact JSON line per message: {{\"type\",\"method\",\"msg_id\",\"data\"}}, \
             or for a method the spec does not type, {{\"type\":\"unknown\",\"method\",\"msg_id\",\"payload_hex\"}}. \
             A message seen before a reconnect is not printed again. Ends when the room's control message says \
             the stream ended, or on Ctrl-C. Types: {}, unknown.",
            kinds.join(", ")
        ))
        .arg(Arg::new("room").required(true).help("The room: a live.douyin.com link, share text, or its number (web_rid)"))
        .arg(
            Arg::new("types")
                .long("types")
                .value_name("LIST")
                .value_delimiter(',')
                .help("Print only these types (comma-separated), e.g. chat,gift"),
        )
        .arg(push_host_arg())
        .arg(Arg::new("wait").long("wait").action(ArgAction::SetTrue).help("Wait (polling with backoff from --retry-secs up to 60 s) for a room that is not live to go live, then join"))
        .arg(Arg::new("retry_secs").long("retry-secs").value_name("SECS").value_parser(clap::value_parser!(f64)).default_value("1").help("First pause after a drop, or between looks at a room that is not live with --wait (doubled up to 60 s)"))
        .args(common)
}

/// `--push-host ORIGIN` (repeatable).
pub fn push_host_arg() -> Arg {
    Arg::new("push_host")
        .long("push-host")
        .value_name("ORIGIN")
        .action(ArgAction::Append)
        .help("A push channel origin (wss://host) to use instead of the spec's; repeat to rotate")
}

/// The chat's options for `room` from the command's flags.
fn chat_options(leaf: &ArgMatches, room: Joined) -> Result<ChatOptions, CliError> {
    let mut options = ChatOptions::new(room.room_id, room.user_agent);
    options.cookie = room.cookie;
    if let Some(hosts) = leaf.get_many::<String>("push_host") {
        options.hosts = hosts.cloned().collect();
    }
    options.backoff = retry(leaf)?;
    Ok(options)
}

/// `--retry-secs`.
fn retry(leaf: &ArgMatches) -> Result<Duration, CliError> {
    let retry = leaf.get_one::<f64>("retry_secs").copied().unwrap_or(1.0);
    Duration::try_from_secs_f64(retry)
        .map_err(|_| CliError::usage(format!("--retry-secs {retry}: not a duration")))
}

/// `live record --chat`: records while writing the chat beside the parts, each message at its offset on the
/// recording's timeline; the chat stops with the recording (or earlier, at the stream's end message).
pub async fn record_with_chat(
    leaf: &ArgMatches,
    room: Joined,
    http: &reqwest::Client,
    source: &dyn StreamSource,
    options: &RecordOptions,
    stop: Stop,
    report: &(dyn Fn(Event) + Sync),
) -> Result<Recording, CliError> {
    let chat = chat_options(leaf, room)?;
    let mut transcript = Transcript::create(&options.dir, &options.prefix)
        .map_err(|e| CliError::failure(format!("cannot write the chat: {e}")))?;
    let timeline = Timeline::new();
    let (done, finished) = tokio::sync::oneshot::channel::<()>();
    let recording = async {
        let mut on_event = |event: Event| {
            match &event {
                Event::Progress { duration, .. } => timeline.progress(*duration),
                Event::PartOpened { path, starts_at } => timeline.part_opened(path, *starts_at),
                _ => {}
            }
            report(event);
        };
        let recording = record(http, source, options, stop, &mut on_event).await;
        let _ = done.send(());
        recording
    };
    let mut written = Ok(0u64);
    let chat_run = async {
        let stop = Box::pin(async {
            let _ = finished.await;
        });
        run(&chat, stop, &mut |event| {
            if let (ChatEvent::Message(m), Ok(n)) = (event, &mut written) {
                match transcript.write(&timeline, &m) {
                    Ok(()) => *n += 1,
                    Err(e) => written = Err(e),
                }
            }
        })
        .await
    };
    let (recording, chat_result) = tokio::join!(recording, chat_run);
    let recording = recording.map_err(|e| CliError::failure(e.to_string()))?;
    let jsonl = transcript.jsonl_path.clone();
    let written = written.and_then(|n| transcript.finish(&timeline).map(|ass| (n, ass.len())));
    match (written, chat_result) {
        (Err(e), _) => return Err(CliError::failure(format!("writing the chat: {e}"))),
        (Ok((n, ass)), Ok(_)) => eprintln!(
            "douyin: chat: {n} message(s) in {}, subtitles in {ass} .chat.ass file(s) beside the parts",
            jsonl.display(),
        ),
        (Ok((n, _)), Err(e)) => {
            eprintln!("douyin: chat: {e}; {n} message(s) in {}", jsonl.display())
        }
    }
    Ok(recording)
}

/// Which types `--types` asked for (`None`: all), refusing unknown names.
fn wanted(leaf: &ArgMatches) -> Result<Option<BTreeSet<String>>, CliError> {
    let Some(types) = leaf.get_many::<String>("types") else {
        return Ok(None);
    };
    let mut set = BTreeSet::new();
    for t in types {
        let t = t.trim();
        if t != "unknown" && !PUSH.methods.iter().any(|(_, k)| *k == t) {
            let known: Vec<&str> = PUSH.methods.iter().map(|(_, k)| *k).collect();
            return Err(CliError::usage(format!(
                "--types: no type `{t}`; the types are {}, unknown",
                known.join(", ")
            )));
        }
        set.insert(t.to_owned());
    }
    Ok(Some(set))
}

/// Runs `live chat`.
pub async fn run_chat(leaf: &ArgMatches) -> Result<(), CliError> {
    let wanted = wanted(leaf)?;
    let wait = leaf.get_flag("wait").then(|| retry(leaf)).transpose()?;
    let Some(room) = super::live_room::resolve_room(leaf, wait).await? else {
        eprintln!("douyin: stopped while waiting for the room to go live");
        return Ok(());
    };
    let options = chat_options(leaf, room)?;
    let stop = Box::pin(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    let failed: Arc<Mutex<Option<CliError>>> = Arc::default();
    let failed_in = failed.clone();
    let mut on_event = move |event: ChatEvent| match event {
        ChatEvent::Message(m) => {
            if wanted.as_ref().is_some_and(|w| !w.contains(m.kind())) {
                return;
            }
            if let Err(e) = crate::support::write_stdout(&json_line(&m).to_string()) {
                failed_in
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(e);
            }
        }
        ChatEvent::Connected { host, resumed } => {
            eprintln!(
                "douyin: {} {host}",
                if resumed {
                    "resumed on"
                } else {
                    "connected to"
                }
            )
        }
        ChatEvent::Dropped { error, retry_in } => {
            eprintln!("douyin: {error}; reconnecting in {retry_in:?}")
        }
        ChatEvent::Error(e) => eprintln!("douyin: skipped a frame: {e}"),
        _ => {}
    };
    let summary = run(&options, stop, &mut on_event)
        .await
        .map_err(|e| CliError::failure(e.to_string()))?;
    if let Some(e) = failed.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(e);
    }
    let unknown: u64 = summary.unknown.values().sum();
    eprintln!(
        "douyin: {} message(s), {unknown} of unknown types {:?}, {} repeat(s) skipped, {} unreadable frame(s), \
         {} reconnect(s); {}",
        summary.messages,
        summary.unknown,
        summary.repeats,
        summary.bad_frames,
        summary.reconnects,
        match summary.ending {
            douyin_live::chat::ChatEnding::StreamEnded => "the stream ended",
            _ => "stopped",
        }
    );
    Ok(())
}
