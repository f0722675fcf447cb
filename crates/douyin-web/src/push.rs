//! The live chat's frame codec (webcast `im/push/v2`, facts in [`crate::webcast::PUSH`]): a binary frame is a
//! [`PushFrame`]; a `msg` frame's payload is a gzip-compressed [`Response`] listing [`Message`]s. Decoding is
//! bounded ([`MAX_FRAME_BYTES`] before and after inflating) and every failure is a typed [`FrameError`], never a
//! panic. Also the X-MS-Stub the connection's signature is computed over, and the mock's side of the channel
//! ([`mock_script`], [`client_frame`]).

use std::io::{Read, Write};

use douyin_core::push::{ClientFrame, PushChannel, ScriptStep};
use md5::{Digest, Md5};
use prost::Message as _;

use crate::webcast::{Message, PushFrame, Response, Typed};

/// The largest frame, and the largest inflated payload, accepted (4 MiB).
pub const MAX_FRAME_BYTES: usize = 4 << 20;
/// `payload_type` of a server frame carrying a [`Response`].
pub const MSG: &str = "msg";
/// `payload_type` of a client heartbeat.
pub const HEARTBEAT: &str = "hb";
/// `payload_type` of a client acknowledgement.
pub const ACK: &str = "ack";

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The frame is over [`MAX_FRAME_BYTES`].
    #[error("frame of {0} bytes is over the {MAX_FRAME_BYTES}-byte cap")]
    TooLarge(usize),
    /// The frame is not a PushFrame.
    #[error("malformed push frame: {0}")]
    Frame(prost::DecodeError),
    /// The payload does not inflate (or inflates past the cap).
    #[error("bad gzip payload: {0}")]
    Gzip(String),
    /// The inflated payload is not a Response.
    #[error("malformed response: {0}")]
    Response(prost::DecodeError),
}

/// A decoded server frame.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Incoming {
    /// A `msg` frame: its log id (the ack echoes it) and its response.
    Response { log_id: u64, response: Response },
    /// Any other frame (a heartbeat answer), by its payload type.
    Other { payload_type: String },
}

/// Reads one server frame.
pub fn decode_frame(bytes: &[u8]) -> Result<Incoming, FrameError> {
    if bytes.len() > MAX_FRAME_BYTES {
        return Err(FrameError::TooLarge(bytes.len()));
    }
    let frame = PushFrame::decode(bytes).map_err(FrameError::Frame)?;
    if frame.payload_type != MSG {
        return Ok(Incoming::Other {
            payload_type: frame.payload_type,
        });
    }
    let gzipped = frame.payload_encoding == "gzip" || frame.payload.starts_with(&[0x1f, 0x8b]);
    let payload = if gzipped {
        inflate(&frame.payload)?
    } else {
        frame.payload
    };
    let response = Response::decode(payload.as_slice()).map_err(FrameError::Response)?;
    Ok(Incoming::Response {
        log_id: frame.log_id,
        response,
    })
}

/// `bytes` gunzipped, refusing more than [`MAX_FRAME_BYTES`] of output (a small frame can inflate to gigabytes).
pub fn inflate(bytes: &[u8]) -> Result<Vec<u8>, FrameError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_FRAME_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| FrameError::Gzip(e.to_string()))?;
    if out.len() > MAX_FRAME_BYTES {
        return Err(FrameError::Gzip(format!(
            "inflates past {MAX_FRAME_BYTES} bytes"
        )));
    }
    Ok(out)
}

/// `bytes` gzipped.
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// A client heartbeat frame.
pub fn heartbeat() -> Vec<u8> {
    PushFrame {
        payload_type: HEARTBEAT.to_owned(),
        ..PushFrame::default()
    }
    .encode_to_vec()
}

/// The acknowledgement of the `msg` frame `log_id` whose response carried `internal_ext`.
pub fn ack(log_id: u64, internal_ext: &str) -> Vec<u8> {
    PushFrame {
        log_id,
        payload_type: ACK.to_owned(),
        payload: internal_ext.as_bytes().to_vec(),
        ..PushFrame::default()
    }
    .encode_to_vec()
}

/// A server `msg` frame carrying `response`, gzipped.
pub fn response_frame(log_id: u64, response: &Response) -> Vec<u8> {
    PushFrame {
        log_id,
        payload_encoding: "gzip".to_owned(),
        payload_type: MSG.to_owned(),
        payload: deflate(&response.encode_to_vec()),
        ..PushFrame::default()
    }
    .encode_to_vec()
}

/// The string the X-MS-Stub hashes: `name=value` for each of the channel's `stub_params`, joined by `,`
/// (`value(name)` gives the connection's values; a missing one is empty).
pub fn stub_input<'a>(channel: &PushChannel, value: impl Fn(&str) -> Option<&'a str>) -> String {
    channel
        .stub_params
        .iter()
        .map(|name| format!("{name}={}", value(name).unwrap_or("")))
        .collect::<Vec<_>>()
        .join(",")
}

/// The X-MS-Stub: md5 of [`stub_input`], lowercase hex.
pub fn x_ms_stub(input: &str) -> String {
    Md5::digest(input.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a client sent (the mock's view).
pub fn client_frame(bytes: &[u8]) -> Option<ClientFrame> {
    let frame = PushFrame::decode(bytes).ok()?;
    Some(match frame.payload_type.as_str() {
        HEARTBEAT => ClientFrame::Heartbeat,
        ACK => ClientFrame::Ack {
            payload: frame.payload,
        },
        other => ClientFrame::Other(other.to_owned()),
    })
}

/// The mock's scripted session from its JSON form: `{"steps": [...]}`, each step one of
/// `{"messages": [{"method", "msg_id", "body"}…]}` (a typed message from JSON) or with `"payload_hex"` in place of
/// `body` (raw bytes: an unknown type), `{"drop": true}` (the connection breaks), `{"pause_ms": N}` or `{"malformed": "frame" |
/// "gzip"}` (bytes that are not a push frame, a msg frame whose payload is not gzip).
pub fn mock_script(json: &str) -> Result<Vec<ScriptStep>, String> {
    let script: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("mock script: {e}"))?;
    let steps = script["steps"]
        .as_array()
        .ok_or("mock script: no `steps` array")?;
    let mut out = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let at = |what: &str| format!("mock script step {i}: {what}");
        if step["drop"].as_bool() == Some(true) {
            out.push(ScriptStep::Drop);
            continue;
        }
        if let Some(millis) = step["pause_ms"].as_u64() {
            out.push(ScriptStep::Pause { millis });
            continue;
        }
        if let Some(kind) = step["malformed"].as_str() {
            let bytes = match kind {
                "frame" => vec![0x0a, 0xff, 0xff, 0xff],
                "gzip" => PushFrame {
                    payload_type: MSG.to_owned(),
                    payload_encoding: "gzip".to_owned(),
                    payload: b"\x1f\x8bnot gzip".to_vec(),
                    ..PushFrame::default()
                }
                .encode_to_vec(),
                other => return Err(at(&format!("unknown malformed kind `{other}`"))),
            };
            out.push(ScriptStep::Frame {
                bytes,
                resume: None,
                ack: None,
            });
            continue;
        }
        let messages = step["messages"]
            .as_array()
            .ok_or_else(|| at("neither messages, drop nor malformed"))?;
        let mut list = Vec::new();
        for m in messages {
            list.push(mock_message(m).map_err(|e| at(&e))?);
        }
        let internal_ext = format!("internal_src:mock|seq:{i}");
        let response = Response {
            messages_list: list,
            cursor: format!("t-{i}"),
            internal_ext: internal_ext.clone(),
            heartbeat_duration: 10_000,
            need_ack: true,
            ..Response::default()
        };
        out.push(ScriptStep::Frame {
            bytes: response_frame(1000 + i as u64, &response),
            resume: Some(internal_ext.clone()),
            ack: Some(internal_ext),
        });
    }
    Ok(out)
}

/// One message of a mock script.
fn mock_message(m: &serde_json::Value) -> Result<Message, String> {
    let method = m["method"].as_str().ok_or("a message without `method`")?;
    let msg_id = m["msg_id"].as_i64().ok_or("a message without `msg_id`")?;
    let payload = match m.get("payload_hex").and_then(|h| h.as_str()) {
        Some(hex) => (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|e| format!("{method}: payload_hex: {e}"))?,
        None => Typed::from_json(method, m["body"].clone())
            .ok_or_else(|| format!("{method} is not a typed method; give payload_hex"))?
            .map_err(|e| format!("{method}: {e}"))?
            .encode_to_vec(),
    };
    Ok(Message {
        method: method.to_owned(),
        payload,
        msg_id,
        ..Message::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webcast::PUSH;

    #[test]
    fn the_stub_is_md5_over_the_documented_string() {
        let values = |name: &str| match name {
            "room_id" => Some("7382517534467115826"),
            "user_unique_id" => Some("7382524529011246630"),
            other => PUSH
                .query
                .iter()
                .find(|(n, _)| *n == other)
                .map(|(_, v)| *v),
        };
        let input = stub_input(&PUSH, values);
        // The string f2's webcast_signature.py builds for this room and user (its __main__ example).
        assert_eq!(
            input,
            "live_id=1,aid=6383,version_code=180800,webcast_sdk_version=1.0.14-beta.0,room_id=7382517534467115826,\
             sub_room_id=,sub_channel_id=,did_rule=3,user_unique_id=7382524529011246630,device_platform=web,\
             device_type=,ac=,identity=audience"
        );
        // md5 of that string, computed independently (Python hashlib.md5(...).hexdigest()).
        assert_eq!(
            x_ms_stub(&input),
            include_str!("../tests/data/x_ms_stub.txt").trim()
        );
    }

    #[test]
    fn frames_round_trip_and_bad_ones_are_typed_errors() {
        let script = mock_script(
            r#"{"steps":[{"messages":[{"method":"WebcastChatMessage","msg_id":7,"body":{"content":"hi"}}]},
                {"malformed":"frame"},{"malformed":"gzip"},{"drop":true}]}"#,
        )
        .unwrap();
        let ScriptStep::Frame { bytes, .. } = &script[0] else {
            panic!("a frame")
        };
        let Incoming::Response { log_id, response } = decode_frame(bytes).unwrap() else {
            panic!("msg")
        };
        assert_eq!(log_id, 1000);
        let m = &response.messages_list[0];
        let Some(Ok(Typed::Chat(chat))) = Typed::decode(&m.method, &m.payload) else {
            panic!("chat")
        };
        assert_eq!(chat.content, "hi");
        let ScriptStep::Frame { bytes, .. } = &script[1] else {
            panic!("a frame")
        };
        assert!(matches!(decode_frame(bytes), Err(FrameError::Frame(_))));
        let ScriptStep::Frame { bytes, .. } = &script[2] else {
            panic!("a frame")
        };
        assert!(matches!(decode_frame(bytes), Err(FrameError::Gzip(_))));
        assert_eq!(script[3], ScriptStep::Drop);
        assert_eq!(client_frame(&heartbeat()), Some(ClientFrame::Heartbeat));
        assert_eq!(
            client_frame(&ack(3, "x")),
            Some(ClientFrame::Ack {
                payload: b"x".to_vec()
            })
        );
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let bomb = deflate(&vec![0u8; MAX_FRAME_BYTES + 10]);
        assert!(bomb.len() < MAX_FRAME_BYTES);
        assert!(matches!(inflate(&bomb), Err(FrameError::Gzip(_))));
        assert!(matches!(
            decode_frame(&vec![0u8; MAX_FRAME_BYTES + 1]),
            Err(FrameError::TooLarge(_))
        ));
    }
}
