//! Drift-tolerant decoding: a value that does not fit its field's type leaves the field empty, is kept (raw) so
//! re-encoding gives back the same JSON, and is reported as a [`Drift`] entry with its path.
//!
//! Every generated type implements [`Decode`] (through `impl_lossless!`); leaves read values with `deserialize_any`
//! and accept or refuse what they see, so a misfit is noticed before anything is lost and one streaming pass
//! suffices. Paths are built bottom-up, only when something drifted or failed, so the happy path pays nothing for
//! them. [`DecodeMode::Strict`] turns every drift into the error a plain serde decode would give.
//!
//! By part: the report and the decode state here; how one JSON value is read and a scalar leaf accepts or refuses
//! it in `leaf`; options, boxes, arrays and objects (known and unknown fields) in `compound`.

mod compound;
mod leaf;

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer};
use serde_json::value::RawValue;

pub use compound::{decode_object, known_field, unknown_field, Object};
pub use leaf::decode_str;
use leaf::Seen;

/// Whether a value that does not fit its type fails the decode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DecodeMode {
    /// Misfits leave their field empty, are kept raw and reported as [`Drift`] (the default).
    #[default]
    Tolerant,
    /// Misfits fail the decode with their path (golden and conformance tests, `check-capture --strict`).
    Strict,
}

/// What arrived where the schema expected something else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Found {
    /// `null` (inside an array of non-null items).
    Null,
    /// `true` or `false`.
    Boolean,
    /// An integer that fits 64 bits.
    Integer,
    /// An integer above `i64::MAX` where a signed 64-bit integer belongs.
    IntegerOutOfRange,
    /// A number with a fraction or an exponent (or too large for 64 bits).
    Float,
    /// A string.
    String,
    /// An object.
    Object,
    /// An array.
    Array,
    /// The same key twice in one object; the last value is kept, as browsers' `JSON.parse` does.
    DuplicateKey,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Found::Null => "null",
            Found::Boolean => "boolean",
            Found::Integer => "integer",
            Found::IntegerOutOfRange => "integer out of range",
            Found::Float => "floating-point number",
            Found::String => "string",
            Found::Object => "object",
            Found::Array => "array",
            Found::DuplicateKey => "duplicate key",
        })
    }
}

/// One kind of misfit at one place: array indices are collapsed (`.comments[].user.ky_only_predict`), so a page
/// with the same drift in every item has one entry with its `count`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    /// JSON path, `.`-rooted, indices collapsed to `[]`.
    pub path: String,
    /// What the schema expects there.
    pub expected: &'static str,
    /// What arrived.
    pub found: Found,
    /// How many values drifted this way.
    pub count: usize,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}`: expected {}, found {}",
            self.path, self.expected, self.found
        )?;
        if self.count > 1 {
            write!(f, " ({} times)", self.count)?;
        }
        Ok(())
    }
}

/// A top-level response type: decoded from a whole body, it carries the drift found on the way.
pub trait Response {
    /// Every misfit of this response, sorted by path (empty when the body fit its schema).
    fn drift(&self) -> &[Drift];
    /// Stores the drift found while decoding (used by [`crate::decode::decode_body`]).
    fn set_drift(&mut self, drift: Vec<Drift>);
}

/// One step of the path of a failure.
enum Step {
    Key(Cow<'static, str>),
    Index(usize),
}

/// State of one decode: the mode, the drift found so far, and (after a failure) where it happened.
pub struct DecodeCx {
    mode: DecodeMode,
    drift: Vec<Drift>,
    /// Innermost step first; filled while an error unwinds.
    failed_at: Vec<Step>,
}

impl DecodeCx {
    /// A fresh decode in `mode`.
    pub fn new(mode: DecodeMode) -> Self {
        DecodeCx {
            mode,
            drift: Vec::new(),
            failed_at: Vec::new(),
        }
    }

    /// The drift found, merged by path and sorted.
    pub fn into_drift(mut self) -> Vec<Drift> {
        merge(&mut self.drift, 0);
        self.drift
    }

    /// Where the decode failed, in [`crate::DecodeError`]'s form: `data.list[3].create_time`, or `.` for the root.
    pub fn failure_path(&self) -> String {
        if self.failed_at.is_empty() {
            return ".".to_owned();
        }
        let mut out = String::new();
        for step in self.failed_at.iter().rev() {
            match step {
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// Prefixes the entries recorded since `before` (by a child) with the child's place in its parent.
    fn prefix(&mut self, before: usize, step: &str) {
        for d in &mut self.drift[before..] {
            d.path.insert_str(0, step);
        }
    }

    /// A value of the wrong type: an error in strict mode, otherwise kept raw.
    fn misfit<T, E: de::Error>(
        &mut self,
        expected: &'static str,
        v: Seen<'_>,
    ) -> Result<Fit<T>, E> {
        let found = v.found();
        if self.mode == DecodeMode::Strict {
            return Err(E::custom(format_args!(
                "invalid type: {found}, expected {expected}"
            )));
        }
        Ok(Fit::Drift(Misfit {
            raw: v.into_raw()?,
            found: Some((expected, found)),
        }))
    }
}

/// Merges entries from `start` on that share path, expectation and finding (summing counts), sorted by path.
fn merge(drift: &mut Vec<Drift>, start: usize) {
    if drift.len() - start < 2 {
        return;
    }
    drift[start..]
        .sort_by(|a, b| (&a.path, a.found, a.expected).cmp(&(&b.path, b.found, b.expected)));
    let mut tail = drift.split_off(start);
    let mut merged: Vec<Drift> = Vec::with_capacity(tail.len());
    for d in tail.drain(..) {
        match merged.last_mut() {
            Some(last)
                if last.path == d.path && last.found == d.found && last.expected == d.expected =>
            {
                last.count += d.count
            }
            _ => merged.push(d),
        }
    }
    drift.extend(merged);
}

/// A decoded value, or a value that did not fit and is kept raw.
pub enum Fit<T> {
    /// The value fit its type.
    Ok(T),
    /// It did not; the field stays empty.
    Drift(Misfit),
}

/// A value that did not fit its type.
pub struct Misfit {
    /// The value as JSON text, written back on encode.
    raw: Box<RawValue>,
    /// What was expected and found, unless a child already recorded it (an array with a misfit item).
    found: Option<(&'static str, Found)>,
}

/// A type that decodes with drift tolerance: every generated type and the leaves they use.
pub trait Decode: Sized {
    /// What the schema expects, for drift reports (`integer`, `string`, `object`, …).
    const EXPECTED: &'static str;

    /// Decodes one value; a misfit is `Fit::Drift` in tolerant mode and an error in strict mode.
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeCx) -> Result<Fit<Self>, D::Error>;
}

/// A strict decode through serde's `Deserialize` (used by `impl_lossless!` for plain serde use).
pub fn deserialize_strict<'de, T: Decode, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    match T::decode(d, &mut DecodeCx::new(DecodeMode::Strict))? {
        Fit::Ok(v) => Ok(v),
        Fit::Drift(_) => Err(de::Error::custom("value does not fit its type")),
    }
}

/// Decodes one whole JSON text as `T`: the value and its drift, or the error with its path and serde's message.
pub fn from_json<T: Decode>(
    text: &[u8],
    mode: DecodeMode,
) -> Result<(T, Vec<Drift>), (String, String)> {
    let mut cx = DecodeCx::new(mode);
    let result = match std::str::from_utf8(text) {
        // Checking UTF-8 once up front lets serde_json read the body as text and skip validating every string it
        // copies out again (~17% of the typed decode of the 1.17 MB aweme/post capture; docs/performance.md).
        Ok(text) => {
            let mut de = serde_json::Deserializer::from_str(text);
            T::decode(&mut de, &mut cx).and_then(|v| de.end().map(|()| v))
        }
        Err(_) => {
            let mut de = serde_json::Deserializer::from_slice(text);
            T::decode(&mut de, &mut cx).and_then(|v| de.end().map(|()| v))
        }
    };
    match result {
        Ok(Fit::Ok(v)) => Ok((v, cx.into_drift())),
        Ok(Fit::Drift(m)) => {
            let (expected, found) = m.found.unwrap_or((T::EXPECTED, Found::Array));
            Err((
                ".".to_owned(),
                format!("invalid type: {found}, expected {expected}"),
            ))
        }
        Err(e) => Err((cx.failure_path(), e.to_string())),
    }
}
