//! A websocket channel a service pushes messages over (a live room's chat): its facts as generated code states them
//! ([`PushChannel`]), and the scripted session a mock plays ([`ScriptStep`], [`ClientFrame`]). Names no domain: the
//! frame codec is the domain's.

/// A push channel's facts, from the domain's spec.
#[derive(Debug)]
#[non_exhaustive]
pub struct PushChannel {
    /// Websocket origins (`wss://host`), tried in turn.
    pub hosts: &'static [&'static str],
    /// The path on every host.
    pub path: &'static str,
    /// The connection's query in order; `{name}` in a value is filled by the client.
    pub query: &'static [(&'static str, &'static str)],
    /// The query parameters whose `name=value` pairs, joined by `,`, make the string the X-MS-Stub hashes.
    pub stub_params: &'static [&'static str],
    /// Seconds between client heartbeats.
    pub heartbeat_secs: u64,
    /// `(wire method, kind)` of every typed message.
    pub methods: &'static [(&'static str, &'static str)],
}

impl PushChannel {
    /// Stated by generated code.
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        hosts: &'static [&'static str],
        path: &'static str,
        query: &'static [(&'static str, &'static str)],
        stub_params: &'static [&'static str],
        heartbeat_secs: u64,
        methods: &'static [(&'static str, &'static str)],
    ) -> PushChannel {
        PushChannel {
            hosts,
            path,
            query,
            stub_params,
            heartbeat_secs,
            methods,
        }
    }

    /// The kind (`chat`) of a wire method, if it is typed.
    pub fn kind(&self, method: &str) -> Option<&'static str> {
        self.methods
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, k)| *k)
    }
}

/// One step of a scripted session (the mock plays them in order).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScriptStep {
    /// Send `bytes` as one binary frame. `resume` is the token (internal_ext) a client that saw this frame
    /// reconnects with; when `ack` is set, the next step waits for an ack frame whose payload equals it.
    Frame {
        /// The frame.
        bytes: Vec<u8>,
        /// The `internal_ext` it carries, which a reconnecting client resumes from.
        resume: Option<String>,
        /// The ack payload awaited before the next step.
        ack: Option<String>,
    },
    /// Break the connection without a close frame (once per session).
    Drop,
    /// Wait this many milliseconds (a chat spread over time, as a recording sees it).
    Pause {
        /// How long.
        millis: u64,
    },
}

/// What a client sent, as the mock sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientFrame {
    /// A heartbeat.
    Heartbeat,
    /// An acknowledgement carrying `payload`.
    Ack {
        /// What it echoes (the acknowledged response's `internal_ext`).
        payload: Vec<u8>,
    },
    /// Anything else, by its declared type.
    Other(String),
}
