//! Live chat over a websocket, for chat-client tests: each push channel the specs describe
//! (`registries::push_channels`) is served at `<domain prefix><channel path>` and plays the channel's scripted
//! session. The interpreter names no domain: frames come from the domain's codec.
//!
//! A connection gets nothing until the client's first heartbeat; then each step is sent in turn, and a step that
//! asks for an acknowledgement waits for an ack frame carrying exactly its `internal_ext` before the next. A
//! `pause` step waits; a `drop` step breaks the connection (without a close frame) the first time a room reaches it. A client that
//! reconnects with `internal_ext` set resumes at the step that carried it, which is sent again (servers repeat
//! around a reconnect; a client must not report its messages twice). After the last step the connection stays
//! open, reading heartbeats. Everything a client sent is logged ([`PushRecord`]).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use douyin_core::push::{ClientFrame, PushChannel, ScriptStep};

/// A push channel as the generated registry states it.
pub struct Channel {
    /// The domain's URL prefix (`/web`).
    pub prefix: &'static str,
    /// Its facts (path).
    pub channel: &'static PushChannel,
    /// Its scripted session.
    pub script: fn() -> Result<Vec<ScriptStep>, String>,
    /// Its reading of a client frame.
    pub client_frame: fn(&[u8]) -> Option<ClientFrame>,
}

/// Something that happened on a push channel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PushRecord {
    /// A client connected for `room_id`, resuming from `internal_ext` (empty: from the start).
    Connected {
        room_id: String,
        internal_ext: String,
    },
    /// A client heartbeat.
    Heartbeat,
    /// An acknowledgement; `expected` when it carried the awaited `internal_ext`.
    Ack { payload: String, expected: bool },
    /// The scripted drop.
    Dropped,
    /// A client frame that is neither.
    Other(String),
}

/// The channels' shared state: their scripts (built once), the rooms already dropped, the log.
#[derive(Default)]
pub(crate) struct Hub {
    scripts: Mutex<HashMap<&'static str, Arc<Vec<ScriptStep>>>>,
    dropped: Mutex<HashSet<String>>,
    log: Mutex<Vec<PushRecord>>,
}

/// Records kept at most, so a long test stays flat.
const MAX_LOG: usize = 100_000;

impl Hub {
    fn record(&self, r: PushRecord) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() < MAX_LOG {
            log.push(r);
        }
    }

    /// Everything logged so far.
    pub(crate) fn log(&self) -> Vec<PushRecord> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[derive(Clone)]
struct Served {
    hub: Arc<Hub>,
    channel: &'static Channel,
}

/// The routes of every channel.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(hub: Arc<Hub>) -> Router<S> {
    static CHANNELS: OnceLock<Vec<Channel>> = OnceLock::new();
    let channels = CHANNELS.get_or_init(crate::generated::registries::push_channels);
    let mut router = Router::new();
    for channel in channels {
        let path = format!("{}{}", channel.prefix, channel.channel.path);
        let served = Served {
            hub: hub.clone(),
            channel,
        };
        router = router.route(&path, get(upgrade).with_state(served));
    }
    router
}

async fn upgrade(
    State(served): State<Served>,
    Query(query): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |socket| play(socket, served, query))
}

/// Plays the channel's script to one connection.
async fn play(mut socket: WebSocket, served: Served, query: HashMap<String, String>) {
    let hub = &served.hub;
    let steps = {
        let mut scripts = hub.scripts.lock().unwrap_or_else(|e| e.into_inner());
        match scripts.get(served.channel.prefix) {
            Some(s) => s.clone(),
            None => match (served.channel.script)() {
                Ok(s) => scripts
                    .entry(served.channel.prefix)
                    .or_insert(Arc::new(s))
                    .clone(),
                Err(e) => {
                    eprintln!("douyin-mock: {e}");
                    return;
                }
            },
        }
    };
    let room_id = query.get("room_id").cloned().unwrap_or_default();
    let resume_from = query.get("internal_ext").cloned().unwrap_or_default();
    hub.record(PushRecord::Connected {
        room_id: room_id.clone(),
        internal_ext: resume_from.clone(),
    });
    let start = steps
        .iter()
        .position(|s| matches!(s, ScriptStep::Frame { resume: Some(r), .. } if *r == resume_from))
        .unwrap_or(0);
    // Nothing until the client's first heartbeat.
    if !await_client(&mut socket, &served, None).await {
        return;
    }
    for step in &steps[start..] {
        match step {
            ScriptStep::Drop => {
                let first = hub
                    .dropped
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(room_id.clone());
                if first {
                    hub.record(PushRecord::Dropped);
                    // Dropping the socket closes the TCP connection without a close frame.
                    return;
                }
            }
            ScriptStep::Pause { millis } => {
                tokio::time::sleep(std::time::Duration::from_millis(*millis)).await
            }
            ScriptStep::Frame { bytes, ack, .. } => {
                if socket
                    .send(Message::Binary(bytes.clone().into()))
                    .await
                    .is_err()
                {
                    return;
                }
                if ack.is_some() && !await_client(&mut socket, &served, ack.as_deref()).await {
                    return;
                }
            }
            _ => {}
        }
    }
    while await_client(&mut socket, &served, None).await {}
}

/// Reads client frames until a heartbeat (`want` None) or the ack carrying `want`; false when the client left.
async fn await_client(socket: &mut WebSocket, served: &Served, want: Option<&str>) -> bool {
    loop {
        let bytes = match socket.recv().await {
            Some(Ok(Message::Binary(b))) => b,
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return false,
            Some(Ok(_)) => continue,
        };
        match (served.channel.client_frame)(&bytes) {
            Some(ClientFrame::Heartbeat) => {
                served.hub.record(PushRecord::Heartbeat);
                if want.is_none() {
                    return true;
                }
            }
            Some(ClientFrame::Ack { payload }) => {
                let payload = String::from_utf8_lossy(&payload).into_owned();
                let expected = want == Some(payload.as_str());
                served.hub.record(PushRecord::Ack { payload, expected });
                if expected {
                    return true;
                }
            }
            Some(other) => served.hub.record(PushRecord::Other(format!("{other:?}"))),
            None => served
                .hub
                .record(PushRecord::Other("not a push frame".into())),
        }
    }
}
