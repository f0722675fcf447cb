//! The chat's connection loop: connect (rotating hosts), heartbeat, acknowledge, decode, deduplicate, resume.

use std::time::{Duration, Instant};

use douyin_web::push::{self, Incoming, MAX_FRAME_BYTES};
use douyin_web::webcast::PUSH;
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::{message, ChatEnding, ChatError, ChatEvent, ChatOptions, ChatSummary, Seen};
use crate::record::Stop;

/// The longest pause between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Where the stream stands: sent back when reconnecting.
#[derive(Debug, Default, Clone)]
struct Resume {
    cursor: String,
    internal_ext: String,
}

/// How one connection ended.
enum Outcome {
    Ended(ChatEnding),
    Broken(String),
}

/// Joins the chat of `options.room_id` and reports every event to `on_event` until the stream ends or `stop`
/// completes.
pub async fn run(
    options: &ChatOptions,
    mut stop: Stop,
    on_event: &mut (dyn FnMut(ChatEvent) + Send),
) -> Result<ChatSummary, ChatError> {
    if options.hosts.is_empty() {
        return Err(ChatError::Invalid("no push host to connect to".into()));
    }
    let mut summary = ChatSummary {
        ending: ChatEnding::Stopped,
        messages: 0,
        unknown: Default::default(),
        repeats: 0,
        bad_frames: 0,
        reconnects: 0,
    };
    let mut state = State {
        resume: Resume::default(),
        seen: Seen::default(),
    };
    let (mut host, mut failures, mut delay) = (0usize, 0u32, options.backoff);
    let mut connected_before = false;
    loop {
        let origin = &options.hosts[host % options.hosts.len()];
        let error = match connect(options, origin, &state.resume).await {
            Ok(socket) => {
                if connected_before {
                    summary.reconnects += 1;
                }
                on_event(ChatEvent::Connected {
                    host: origin.clone(),
                    resumed: connected_before,
                });
                connected_before = true;
                let (outcome, received) = session(
                    socket,
                    options,
                    &mut state,
                    &mut summary,
                    &mut stop,
                    on_event,
                )
                .await;
                match outcome {
                    Outcome::Ended(ending) => {
                        summary.ending = ending;
                        return Ok(summary);
                    }
                    Outcome::Broken(e) => {
                        if received {
                            failures = 0;
                            delay = options.backoff;
                        }
                        e
                    }
                }
            }
            Err(e) => e,
        };
        failures += 1;
        if failures >= options.max_failures {
            return Err(ChatError::GaveUp {
                attempts: failures,
                last: error,
            });
        }
        host += 1;
        on_event(ChatEvent::Dropped {
            error,
            retry_in: delay,
        });
        tokio::select! {
            _ = &mut stop => {
                summary.ending = ChatEnding::Stopped;
                return Ok(summary);
            }
            _ = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(MAX_BACKOFF);
    }
}

/// What survives a reconnect.
struct State {
    resume: Resume,
    seen: Seen,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The connection's URL: the spec's query with the placeholders filled and the signature computed.
async fn url(options: &ChatOptions, origin: &str, resume: &Resume) -> Result<String, String> {
    let browser_version = options
        .user_agent
        .strip_prefix("Mozilla/")
        .unwrap_or(&options.user_agent);
    let fill = |value: &'static str, signature: &str| -> String {
        match value {
            "{room_id}" => options.room_id.clone(),
            "{user_unique_id}" => options.user_unique_id.clone(),
            "{cursor}" => resume.cursor.clone(),
            "{internal_ext}" => resume.internal_ext.clone(),
            "{browser_version}" => browser_version.to_owned(),
            "{signature}" => signature.to_owned(),
            fixed => fixed.to_owned(),
        }
    };
    let values: Vec<(&str, String)> = PUSH.query.iter().map(|(n, v)| (*n, fill(v, ""))).collect();
    let stub = push::x_ms_stub(&push::stub_input(&PUSH, |name| {
        values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }));
    let signature = options.signer.sign(&stub, &options.user_agent).await?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in PUSH.query {
        query.append_pair(name, &fill(value, &signature));
    }
    Ok(format!(
        "{}{}?{}",
        origin.trim_end_matches('/'),
        PUSH.path,
        query.finish()
    ))
}

async fn connect(options: &ChatOptions, origin: &str, resume: &Resume) -> Result<Socket, String> {
    let address = url(options, origin, resume).await?;
    let mut request = address
        .into_client_request()
        .map_err(|e| format!("{origin}: {e}"))?;
    let headers = request.headers_mut();
    if let Ok(agent) = options.user_agent.parse() {
        headers.insert(http::header::USER_AGENT, agent);
    }
    if let Some(cookie) = &options.cookie {
        if let Ok(value) = cookie.expose().parse() {
            headers.insert(http::header::COOKIE, value);
        }
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES));
    let attempt = tokio_tungstenite::connect_async_with_config(request, Some(config), false);
    match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
        Ok(Ok((socket, _))) => Ok(socket),
        // The error names the URL's host at most, never the query or the cookie.
        Ok(Err(e)) => Err(format!("{origin}: {e}")),
        Err(_) => Err(format!("{origin}: no answer in {CONNECT_TIMEOUT:?}")),
    }
}

/// One connection, until it ends or breaks; also whether it received anything.
async fn session(
    socket: Socket,
    options: &ChatOptions,
    state: &mut State,
    summary: &mut ChatSummary,
    stop: &mut Stop,
    on_event: &mut (dyn FnMut(ChatEvent) + Send),
) -> (Outcome, bool) {
    let (mut sink, mut stream) = socket.split();
    let mut ticker = tokio::time::interval(options.heartbeat);
    let mut last_seen = Instant::now();
    let mut received = false;
    loop {
        let next = tokio::select! {
            _ = &mut *stop => {
                let _ = sink.close().await;
                return (Outcome::Ended(ChatEnding::Stopped), received);
            }
            _ = ticker.tick() => {
                if last_seen.elapsed() > options.idle_timeout {
                    return (Outcome::Broken(format!("nothing received for {:?}", options.idle_timeout)), received);
                }
                if let Err(e) = sink.send(WsMessage::Binary(push::heartbeat().into())).await {
                    return (Outcome::Broken(format!("heartbeat: {e}")), received);
                }
                continue;
            }
            next = stream.next() => next,
        };
        let bytes = match next {
            None => {
                return (
                    Outcome::Broken("the server closed the connection".into()),
                    received,
                )
            }
            Some(Err(e)) => return (Outcome::Broken(e.to_string()), received),
            Some(Ok(WsMessage::Binary(bytes))) => bytes,
            Some(Ok(WsMessage::Close(_))) => {
                return (
                    Outcome::Broken("the server closed the connection".into()),
                    received,
                )
            }
            Some(Ok(_)) => {
                last_seen = Instant::now();
                continue;
            }
        };
        last_seen = Instant::now();
        received = true;
        let (log_id, response) = match push::decode_frame(&bytes) {
            Ok(Incoming::Response { log_id, response }) => (log_id, response),
            Ok(_) => continue,
            Err(e) => {
                summary.bad_frames += 1;
                on_event(ChatEvent::Error(e.to_string()));
                continue;
            }
        };
        if response.need_ack {
            let ack = push::ack(log_id, &response.internal_ext);
            if let Err(e) = sink.send(WsMessage::Binary(ack.into())).await {
                return (Outcome::Broken(format!("ack: {e}")), received);
            }
        }
        if !response.cursor.is_empty() {
            state.resume.cursor = response.cursor;
        }
        if !response.internal_ext.is_empty() {
            state.resume.internal_ext = response.internal_ext;
        }
        let mut ended = false;
        for m in response.messages_list {
            if !state.seen.insert(m.msg_id) {
                summary.repeats += 1;
                continue;
            }
            let m = message(m);
            summary.messages += 1;
            if m.kind() == "unknown" {
                *summary.unknown.entry(m.method.clone()).or_default() += 1;
            }
            ended |= m.ends_stream();
            on_event(ChatEvent::Message(Box::new(m)));
        }
        if ended {
            let _ = sink.close().await;
            return (Outcome::Ended(ChatEnding::StreamEnded), received);
        }
    }
}
