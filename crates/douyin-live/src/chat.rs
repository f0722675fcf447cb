//! A live room's chat as typed events: the webcast push channel (`im/push/v2`, facts in
//! [`douyin_web::webcast::PUSH`]) over a websocket, its frames decoded by [`douyin_web::push`].
//!
//! [`run`] connects, sends a heartbeat at once and then every [`ChatOptions::heartbeat`], acknowledges every
//! response that asks (`need_ack`: an `ack` frame echoing its `internal_ext`), and reports each message as a
//! [`ChatEvent::Message`]: typed ([`douyin_web::webcast::Typed`]) for the methods the spec lists, otherwise kept
//! as [`Payload::Unknown`] with its method name and raw bytes, and counted. A malformed frame is a
//! [`ChatEvent::Error`] and the connection goes on. A dropped connection is resumed after a backoff on the next
//! host, with the last `cursor` and `internal_ext`, and messages already seen (by id) are not reported twice. It
//! ends when the room's control message says the stream ended, or when `stop` completes.
//!
//! The connection's `signature` is webmssdk's `frontierSign` over the X-MS-Stub; the stub is derived here
//! ([`douyin_web::push::x_ms_stub`]), `frontierSign` is not (an obfuscated VM in the page's script), so it is a
//! [`PushSigner`] the caller provides. [`Unsigned`] sends `00000000`, as older public clients did.

mod connection;
pub mod transcript;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use douyin_core::{BoxFuture, Secret};
use douyin_web::webcast::{Typed, PUSH};

pub use connection::run;
pub use transcript::{ass_path, json_line, Timeline, Transcript};

/// `ControlMessage.status` when the stream has ended (下播; DouyinLiveWebFetcher and DouyinBarrageGrab).
pub const STREAM_ENDED: i32 = 3;

/// Computes the connection's `signature` from the X-MS-Stub (webmssdk's `frontierSign`, which cannot be derived).
pub trait PushSigner: Send + Sync {
    /// The signature for `x_ms_stub` as a browser with `user_agent` would compute it.
    fn sign<'a>(
        &'a self,
        x_ms_stub: &'a str,
        user_agent: &'a str,
    ) -> BoxFuture<'a, Result<String, String>>;
}

/// No signature: sends `00000000`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unsigned;

impl PushSigner for Unsigned {
    fn sign<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async { Ok("00000000".to_owned()) })
    }
}

/// How to join a room's chat.
#[derive(Clone)]
#[non_exhaustive]
pub struct ChatOptions {
    /// The room's id (`id_str` of webcast/room/web/enter, not the web_rid in the link).
    pub room_id: String,
    /// The viewer's id the connection names (random by default, as the page does for a visitor).
    pub user_unique_id: String,
    /// Websocket origins (`wss://host`), rotated on failure; default the spec's.
    pub hosts: Vec<String>,
    /// The user agent (also the `browser_version` parameter).
    pub user_agent: String,
    /// The Cookie header (a `ttwid` at least, for the real service).
    pub cookie: Option<Secret>,
    /// Between heartbeats.
    pub heartbeat: Duration,
    /// A connection that receives nothing this long is dropped and resumed.
    pub idle_timeout: Duration,
    /// The first pause after a failure (doubled up to 60 s).
    pub backoff: Duration,
    /// Failed attempts in a row before giving up.
    pub max_failures: u32,
    /// The signature provider.
    pub signer: Arc<dyn PushSigner>,
}

impl std::fmt::Debug for ChatOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatOptions")
            .field("room_id", &self.room_id)
            .field("hosts", &self.hosts)
            .field("cookie", &self.cookie.as_ref().map(|_| "***"))
            .field("heartbeat", &self.heartbeat)
            .finish_non_exhaustive()
    }
}

impl ChatOptions {
    /// The room `room_id` on the spec's hosts, as a visitor with a random id, unsigned.
    pub fn new(room_id: impl Into<String>, user_agent: impl Into<String>) -> ChatOptions {
        ChatOptions {
            room_id: room_id.into(),
            user_unique_id: format!("7{:018}", fastrand::u64(..1_000_000_000_000_000_000)),
            hosts: PUSH.hosts.iter().map(|h| (*h).to_owned()).collect(),
            user_agent: user_agent.into(),
            cookie: None,
            heartbeat: Duration::from_secs(PUSH.heartbeat_secs),
            idle_timeout: Duration::from_secs(PUSH.heartbeat_secs * 4),
            backoff: Duration::from_secs(1),
            max_failures: 10,
            signer: Arc::new(Unsigned),
        }
    }
}

/// What a message holds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Payload {
    /// A method the spec types.
    Typed(Box<Typed>),
    /// A method it does not: kept as its raw bytes ([`ChatMessage::raw`]).
    Unknown,
    /// A typed method whose bytes do not decode as its type.
    Undecodable(String),
}

/// One message of the chat.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChatMessage {
    /// The wire method (`WebcastChatMessage`).
    pub method: String,
    /// The message id (unique in a room).
    pub msg_id: i64,
    /// The decoded message.
    pub payload: Payload,
    /// The message's bytes as sent: a typed message's fields the spec does not list are in here too.
    pub raw: Vec<u8>,
}

impl ChatMessage {
    /// The kind events are filtered by: the spec's (`chat`) for a typed method, `unknown` otherwise.
    pub fn kind(&self) -> &'static str {
        PUSH.kind(&self.method).unwrap_or("unknown")
    }

    /// Whether it says the stream has ended.
    pub fn ends_stream(&self) -> bool {
        matches!(&self.payload, Payload::Typed(t) if matches!(&**t, Typed::Control(c) if c.status == STREAM_ENDED))
    }
}

/// What happens during [`run`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChatEvent {
    /// Connected to `host`; `resumed` when continuing after a drop.
    Connected { host: String, resumed: bool },
    /// A message.
    Message(Box<ChatMessage>),
    /// A frame that could not be read (the connection goes on).
    Error(String),
    /// The connection failed or broke; the next attempt is after `retry_in`.
    Dropped { error: String, retry_in: Duration },
}

/// How the chat ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChatEnding {
    /// The room's control message said the stream ended.
    StreamEnded,
    /// The caller stopped it.
    Stopped,
}

/// What a finished [`run`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChatSummary {
    /// How it ended.
    pub ending: ChatEnding,
    /// Messages reported (each id once).
    pub messages: u64,
    /// Messages of untyped methods, by method.
    pub unknown: BTreeMap<String, u64>,
    /// Messages received again after a reconnect, and not reported again.
    pub repeats: u64,
    /// Frames that could not be read.
    pub bad_frames: u64,
    /// Connections after the first.
    pub reconnects: u32,
}

/// Why [`run`] gave up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChatError {
    /// Every attempt failed `attempts` times in a row.
    #[error("gave up after {attempts} failed attempts: {last}")]
    GaveUp { attempts: u32, last: String },
    /// The options cannot make a connection.
    #[error("{0}")]
    Invalid(String),
}

/// Ids seen recently, bounded so a long chat stays flat.
#[derive(Debug, Default)]
struct Seen {
    order: VecDeque<i64>,
    set: HashSet<i64>,
}

impl Seen {
    const CAPACITY: usize = 10_000;

    /// Whether `id` is new (ids 0 are never deduplicated: the service leaves some unset).
    fn insert(&mut self, id: i64) -> bool {
        if id == 0 {
            return true;
        }
        if !self.set.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > Self::CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        true
    }
}

/// One message from its wire form.
pub fn message(m: douyin_web::webcast::Message) -> ChatMessage {
    let payload = match Typed::decode(&m.method, &m.payload) {
        Some(Ok(t)) => Payload::Typed(Box::new(t)),
        Some(Err(e)) => Payload::Undecodable(e.to_string()),
        None => Payload::Unknown,
    };
    ChatMessage {
        method: m.method,
        msg_id: m.msg_id,
        payload,
        raw: m.payload,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_ids_are_bounded_and_zero_is_never_a_repeat() {
        let mut seen = Seen::default();
        assert!(seen.insert(1));
        assert!(!seen.insert(1));
        assert!(seen.insert(0) && seen.insert(0));
        for id in 2..(Seen::CAPACITY as i64 + 10) {
            seen.insert(id);
        }
        assert_eq!(seen.order.len(), Seen::CAPACITY);
        assert!(seen.insert(1), "the oldest id was forgotten");
    }

    #[test]
    fn unknown_methods_are_kept_with_their_bytes() {
        let m = message(douyin_web::webcast::Message {
            method: "WebcastNewThing".into(),
            payload: vec![1, 2, 3],
            msg_id: 9,
            ..Default::default()
        });
        assert_eq!(
            (m.kind(), m.payload.clone(), m.raw.clone()),
            ("unknown", Payload::Unknown, vec![1, 2, 3])
        );
    }
}
