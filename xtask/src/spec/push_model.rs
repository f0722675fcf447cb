//! `push:` of a domain: a websocket channel the service pushes protobuf messages over (the live room's chat),
//! with its message schemas in `.proto` files that codegen compiles with protox and prost-build.

use serde::Deserialize;

/// `push:` of a domain.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct PushSpec {
    /// The `.proto` file, relative to the domain's folder; its package names the generated module.
    pub proto: String,
    /// What the channel is (the generated module's documentation).
    pub doc: String,
    /// Websocket origins (`wss://host`), tried in turn.
    pub hosts: Vec<String>,
    /// The path on every host.
    pub path: String,
    /// The connection's query, in order; `{name}` in a value is filled by the client (room_id, user_unique_id,
    /// cursor, internal_ext, browser_version, signature).
    pub query: Vec<QueryPair>,
    /// The query parameters whose `name=value` pairs, joined by `,`, are md5-hashed into the X-MS-Stub the
    /// signature is computed over (a name the query lacks has an empty value).
    pub stub_params: Vec<String>,
    /// Seconds between client heartbeats.
    pub heartbeat_secs: u64,
    /// The message types by wire method name; any other method is kept as an unknown message.
    pub messages: Vec<PushMessage>,
    /// The hand-written module with the channel's codec (`mock_script`, `client_frame`).
    pub codec: String,
    /// The mock's scripted session (relative to the domain's folder).
    pub mock_script: String,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One query parameter of the connection.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct QueryPair {
    pub name: String,
    pub value: String,
}

/// One typed message.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct PushMessage {
    /// `Message.method` on the wire (`WebcastChatMessage`).
    pub method: String,
    /// The proto message type (`ChatMessage`).
    #[serde(rename = "type")]
    pub type_name: String,
    /// The short name events are filtered and printed by (`chat`).
    pub kind: String,
}
