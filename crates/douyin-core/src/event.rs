//! Pushed events (webhooks) as the generated event types read them: the event's name, a body whose `content` may
//! arrive as JSON text instead of an object, the documented answer read from the event, and the raw form kept for
//! an event no spec describes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// How a domain signs and identifies what it pushes, generated from its spec's `webhooks:`.
#[derive(Debug)]
pub struct WebhookSpec {
    /// The request header carrying the signature.
    pub signature_header: &'static str,
    /// How the signature is computed.
    pub scheme: SignatureScheme,
    /// The credential whose value keys the signature.
    pub secret_credential: &'static str,
    /// The request header naming a delivery; retries repeat it.
    pub id_header: &'static str,
    /// The specced event types.
    pub events: &'static [EventSpec],
}

/// A documented webhook signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// Lowercase hex SHA-1 of the secret followed by the raw body.
    Sha1SecretBody,
}

/// Why a signature was refused; says nothing about the secret or the expected value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// No signature header.
    Missing,
    /// The header does not sign this body with this secret.
    Mismatch,
}

impl SignatureScheme {
    /// The signature of `body` under `secret`.
    pub fn sign(self, secret: &str, body: &[u8]) -> String {
        hex::encode(self.digest(secret, body))
    }

    fn digest(self, secret: &str, body: &[u8]) -> [u8; 20] {
        match self {
            SignatureScheme::Sha1SecretBody => {
                let mut hasher = Sha1::new();
                hasher.update(secret.as_bytes());
                hasher.update(body);
                hasher.finalize().into()
            }
        }
    }

    /// Checks a signature header against `body` in constant time (hex of either case, surrounding spaces
    /// ignored). A header of another length or not hex is refused without comparing: its length is public anyway.
    pub fn verify(
        self,
        secret: &str,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<(), SignatureError> {
        let signature = signature.ok_or(SignatureError::Missing)?;
        let mut given = [0u8; 20];
        hex::decode_to_slice(signature.trim(), &mut given).map_err(|_| SignatureError::Mismatch)?;
        if bool::from(self.digest(secret, body).ct_eq(&given)) {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

/// Static facts about one event type, generated from its spec.
#[derive(Debug)]
pub struct EventSpec {
    /// The `event` value on the wire.
    pub name: &'static str,
    /// One line about it.
    pub summary: &'static str,
    /// The OAuth scope a user grants for it to be pushed, if any.
    pub scope: Option<&'static str>,
    /// The documented answer: JSON object members and the dot paths of the event they are read from.
    pub answer: &'static [(&'static str, &'static str)],
    /// The first documented example body, as documented.
    pub example: &'static str,
}

/// An event the specs do not describe, or a body that is not a JSON object naming its event: kept as received.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawEvent {
    /// The `event` member, when the body has one.
    pub name: Option<String>,
    /// The body exactly as received.
    pub body: Vec<u8>,
}

impl RawEvent {
    /// Keeps `body` with the event name read from it, if any.
    pub fn new(name: Option<String>, body: &[u8]) -> Self {
        RawEvent {
            name,
            body: body.to_vec(),
        }
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

impl fmt::Debug for RawEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawEvent")
            .field("name", &self.name)
            .field("body", &self.text())
            .finish()
    }
}

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(default)]
    event: Option<String>,
    #[serde(borrow, default)]
    content: Option<&'a RawValue>,
}

/// The event's name and its body ready for typed decoding: a `content` sent as JSON text (a string holding an
/// object or array, as several documented events do) is replaced by the JSON it holds, everything else is kept byte
/// for byte. `None` when the body is not a JSON object with a string `event`.
pub fn prepare(body: &[u8]) -> Option<(String, Cow<'_, [u8]>)> {
    let text = std::str::from_utf8(body).ok()?;
    let head: Head<'_> = serde_json::from_str(text).ok()?;
    let name = head.event?;
    let Some(content) = head.content else {
        return Some((name, Cow::Borrowed(body)));
    };
    let inner = serde_json::from_str::<String>(content.get())
        .ok()
        .filter(|s| matches!(s.trim_start().as_bytes().first(), Some(b'{' | b'[')))
        .filter(|s| serde_json::from_str::<&RawValue>(s).is_ok());
    let Some(inner) = inner else {
        return Some((name, Cow::Borrowed(body)));
    };
    // The raw value borrows from `text`, so its offset locates the exact bytes to replace.
    let start = content.get().as_ptr() as usize - text.as_ptr() as usize;
    let end = start + content.get().len();
    let mut out = Vec::with_capacity(body.len());
    out.extend_from_slice(&body[..start]);
    out.extend_from_slice(inner.as_bytes());
    out.extend_from_slice(&body[end..]);
    Some((name, Cow::Owned(out)))
}

/// The documented answer to an event: a compact JSON object whose members are the event's values at the given dot
/// paths, each written exactly as received (`{"challenge":12345}`). `None` when there is nothing to answer or a path
/// is missing from the event.
pub fn answer(body: &[u8], members: &[(&str, &str)]) -> Option<String> {
    if members.is_empty() {
        return None;
    }
    let (_, prepared) = prepare(body)?;
    let text = std::str::from_utf8(&prepared).ok()?;
    let mut out = String::from("{");
    for (i, (member, path)) in members.iter().enumerate() {
        let value = value_at(text, path)?;
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(member).ok()?);
        out.push(':');
        out.push_str(value.get());
    }
    out.push('}');
    Some(out)
}

/// The raw value at a dot path of a JSON object text.
fn value_at(text: &str, path: &str) -> Option<Box<RawValue>> {
    let mut current: Box<RawValue> = serde_json::from_str(text).ok()?;
    for segment in path.split('.') {
        let object: BTreeMap<String, Box<RawValue>> = serde_json::from_str(current.get()).ok()?;
        current = object.into_iter().find(|(k, _)| k == segment)?.1;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_of_another_length_or_not_hex_is_refused() {
        let scheme = SignatureScheme::Sha1SecretBody;
        let good = scheme.sign("s", b"{}");
        assert_eq!(scheme.verify("s", b"{}", Some(&good)), Ok(()));
        assert_eq!(
            scheme.verify("s", b"{}", Some(&good.to_uppercase())),
            Ok(())
        );
        for bad in [&good[..38], "zz", "", &format!("{good}00")] {
            assert_eq!(
                scheme.verify("s", b"{}", Some(bad)),
                Err(SignatureError::Mismatch)
            );
        }
        assert_eq!(
            scheme.verify("t", b"{}", Some(&good)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            scheme.verify("s", b"{}", None),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn content_sent_as_json_text_is_unwrapped_and_the_rest_kept_byte_for_byte() {
        let body = br#"{"event":"e","content":"{\"a\":1}", "log_id":"x"}"#;
        let (name, text) = prepare(body).unwrap();
        assert_eq!(name, "e");
        assert_eq!(&*text, br#"{"event":"e","content":{"a":1}, "log_id":"x"}"#);
        let plain = br#"{"event":"e","content":{"a":1}}"#;
        assert!(matches!(prepare(plain).unwrap().1, Cow::Borrowed(_)));
        // A string that is not JSON text stays a string.
        let words = br#"{"event":"e","content":"hello"}"#;
        assert_eq!(&*prepare(words).unwrap().1, &words[..]);
    }

    #[test]
    fn bodies_without_an_event_name_are_not_prepared() {
        assert!(prepare(b"not json").is_none());
        assert!(prepare(br#"{"content":{}}"#).is_none());
        assert!(prepare(br#"[1,2]"#).is_none());
    }

    #[test]
    fn the_answer_copies_values_as_received() {
        let body = br#"{ "event": "verify_webhook", "client_key": "", "content": { "challenge": 12345 } }"#;
        assert_eq!(
            answer(body, &[("challenge", "content.challenge")]).as_deref(),
            Some(r#"{"challenge":12345}"#)
        );
        let big = br#"{"event":"v","content":"{\"challenge\":123456789012345678901234567890}"}"#;
        assert_eq!(
            answer(big, &[("challenge", "content.challenge")]).as_deref(),
            Some(r#"{"challenge":123456789012345678901234567890}"#)
        );
        assert_eq!(answer(body, &[("challenge", "content.missing")]), None);
        assert_eq!(answer(body, &[]), None);
    }
}
