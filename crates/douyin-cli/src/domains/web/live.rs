//! `douyin live record <room link or number>`: records a live room into playable FLV or HLS (MPEG-TS) parts with
//! `douyin_live`, reporting progress on a terminal; Ctrl-C closes the open part whole. `douyin live chat` is
//! [`super::live_chat`].

use std::io::IsTerminal;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};
use douyin_live::{record, Ending, Event, RecordOptions, RoomSource, Rotation};
use douyin_web::live::StreamFormat;

use crate::context::Ctx;
use crate::generated::CommonArgs;
use crate::support::CliError;

/// The command's name.
pub const COMMAND: &str = "live";

/// The `live` command.
pub fn command(common: Vec<Arg>) -> Command {
    Command::new(COMMAND)
        .about("Live rooms: record a room's stream, print its chat")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("record")
                .about("Record a live room into playable FLV or HLS parts until its stream ends")
                .long_about(
                    "Asks webcast/room/web/enter where the room's stream is, pulls it (HTTP-FLV by default, or HLS \
                     segments) into <dir>/<room>_<NNN>.flv|ts, starting a new part at --segment-time or \
                     --segment-size (FLV parts start on key frames with the stream's headers, so each plays \
                     alone). A dropped connection is resumed in a new part after a backoff, asking the room again \
                     (a moved stream is followed); the recording ends when the room goes offline. An offline room \
                     is an error unless --wait, which polls it with backoff until it goes live. Ctrl-C closes the \
                     open part whole. Prints each part's path on stdout at the end.",
                )
                .arg(Arg::new("room").required(true).help("The room: a live.douyin.com link, share text, or its number (web_rid)"))
                .arg(Arg::new("dir").long("dir").value_name("DIR").default_value(".").help("Where the parts go"))
                .arg(Arg::new("quality").long("quality").value_name("NAME").help(
                    "A quality key or label (origin, FULL_HD1, HD1, SD2, SD1, hd, 原画 …) [default: the best offered]",
                ))
                .arg(Arg::new("format").long("format").value_parser(["flv", "hls"]).default_value("flv").help("The stream's container"))
                .arg(Arg::new("segment_time").long("segment-time").value_name("SECS").value_parser(clap::value_parser!(u64).range(1..)).help("Start a new part after this much media time"))
                .arg(Arg::new("segment_size").long("segment-size").value_name("BYTES").value_parser(clap::value_parser!(u64).range(1..)).help("Start a new part after this many bytes"))
                .arg(Arg::new("wait").long("wait").action(ArgAction::SetTrue).help("Wait (polling with backoff) for an offline room to go live"))
                .arg(Arg::new("second_stream").long("second-stream").action(ArgAction::SetTrue).help("Record the room's second (portrait) stream when it has one"))
                .arg(Arg::new("retry_secs").long("retry-secs").value_name("SECS").value_parser(clap::value_parser!(f64)).default_value("1").help("First pause after a drop or an offline answer (doubled up to 60 s)"))
                .arg(Arg::new("chat").long("chat").action(ArgAction::SetTrue).help(
                    "Also write the room's chat: <dir>/<room>.chat.jsonl (each message with offset_ms on the recording's timeline, its part and part_offset_ms) and, beside each part, <part>.chat.ass (subtitles on that part's own timeline)",
                ))
                .arg(super::live_chat::push_host_arg())
                .args(common.clone()),
        )
        .subcommand(super::live_chat::command(common))
}

/// Runs `live record`.
pub async fn run(m: &ArgMatches) -> Result<(), CliError> {
    let (name, leaf) = m
        .subcommand()
        .ok_or_else(|| CliError::usage("live: `record` or `chat` is required"))?;
    if name == "chat" {
        return super::live_chat::run_chat(leaf).await;
    }
    let ctx = Ctx::load(&CommonArgs::from_matches(leaf))?;
    let get = |id: &str| leaf.get_one::<String>(id).cloned();
    let web_rid = super::live_room::web_rid(&ctx, leaf).await?;
    let (client, cookie) = super::live_room::web_client(&ctx)?;
    let chat = match leaf.get_flag("chat") {
        true => Some(super::live_room::joined(&client, &web_rid, cookie).await?),
        false => None,
    };
    let mut source = RoomSource::new(client, web_rid.clone());
    source.quality = get("quality");
    source.format = if get("format").as_deref() == Some("hls") {
        StreamFormat::Hls
    } else {
        StreamFormat::Flv
    };
    source.second_stream = leaf.get_flag("second_stream");
    let mut options = RecordOptions::new(get("dir").unwrap_or_else(|| ".".into()), web_rid);
    options.rotation = Rotation::new(
        leaf.get_one::<u64>("segment_time")
            .map(|s| Duration::from_secs(*s)),
        leaf.get_one::<u64>("segment_size").copied(),
    );
    options.wait = leaf.get_flag("wait");
    let retry = leaf.get_one::<f64>("retry_secs").copied().unwrap_or(1.0);
    options.backoff = Duration::try_from_secs_f64(retry)
        .map_err(|_| CliError::usage(format!("--retry-secs {retry}: not a duration")))?;
    let http = reqwest::Client::builder()
        .user_agent(douyin_web::SESSION_USER_AGENT.unwrap_or("Mozilla/5.0"))
        .build()
        .map_err(|e| CliError::failure(format!("cannot set up the HTTP client: {e}")))?;
    let stop = Box::pin(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    let terminal = std::io::stderr().is_terminal();
    let recording = match chat {
        Some(room) => {
            super::live_chat::record_with_chat(leaf, room, &http, &source, &options, stop, &|e| {
                report(e, terminal)
            })
            .await?
        }
        None => {
            let mut report = |event: Event| report(event, terminal);
            record(&http, &source, &options, stop, &mut report)
                .await
                .map_err(|e| CliError::failure(e.to_string()))?
        }
    };
    let mut out = String::new();
    for part in &recording.parts {
        out.push_str(&format!("{}\n", part.path.display()));
    }
    crate::support::write_stdout(out.trim_end())?;
    let how = match recording.ending {
        Ending::Stopped => "stopped",
        _ => "the stream ended",
    };
    eprintln!(
        "douyin: {} part(s), {} reconnect(s); {how}",
        recording.parts.len(),
        recording.reconnects
    );
    Ok(())
}

/// One line per event on stderr; progress only on a terminal (overwriting itself).
fn report(event: Event, terminal: bool) {
    match event {
        Event::Progress { bytes, duration } if terminal => {
            let secs = duration.as_secs_f64();
            let kbps = if secs > 0.0 {
                bytes as f64 * 8.0 / secs / 1000.0
            } else {
                0.0
            };
            eprint!(
                "\r{:.1} MB, {secs:.0} s, {kbps:.0} kbit/s   ",
                bytes as f64 / 1e6
            );
        }
        Event::Progress { .. } => {}
        Event::Waiting { reason, retry_in } => {
            eprintln!("douyin: {reason}; looking again in {retry_in:?}")
        }
        Event::Connected { .. } => {}
        Event::PartOpened { path, .. } => eprintln!("douyin: recording to {}", path.display()),
        Event::Dropped { error, retry_in } => {
            eprintln!("douyin: {error}; reconnecting in {retry_in:?}")
        }
        _ => {}
    }
}
