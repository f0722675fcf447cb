//! Drift-tolerant decoding: a value that does not fit its field's type leaves the field empty, is kept (raw) so
//! re-encoding gives back the same JSON, and is reported as a [`Drift`] entry with its path.
//!
//! Every generated type implements [`Decode`] (through `impl_lossless!`); leaves read values with `deserialize_any`
//! and accept or refuse what they see, so a misfit is noticed before anything is lost and one streaming pass
//! suffices. Paths are built bottom-up, only when something drifted or failed, so the happy path pays nothing for
//! them. [`DecodeMode::Strict`] turns every drift into the error a plain serde decode would give.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::lossless::{Extra, Key, RawJson, StrOrNum};

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

/// Runs [`Decode`] as a serde seed.
struct Seed<'a, T>(&'a mut DecodeCx, PhantomData<T>);

impl<'de, T: Decode> DeserializeSeed<'de> for Seed<'_, T> {
    type Value = Fit<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Fit<T>, D::Error> {
        T::decode(d, self.0)
    }
}

/// A JSON value as a leaf saw it: scalars as read, objects and arrays already captured.
enum Seen<'de> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'de, str>),
    Raw(Found, Box<RawValue>),
}

impl Seen<'_> {
    fn found(&self) -> Found {
        match self {
            Seen::Null => Found::Null,
            Seen::Bool(_) => Found::Boolean,
            Seen::I64(_) => Found::Integer,
            Seen::U64(v) if *v > i64::MAX as u64 => Found::IntegerOutOfRange,
            Seen::U64(_) => Found::Integer,
            Seen::F64(_) => Found::Float,
            Seen::Str(_) => Found::String,
            Seen::Raw(found, _) => *found,
        }
    }

    fn into_raw<E: de::Error>(self) -> Result<Box<RawValue>, E> {
        let raw = match self {
            Seen::Raw(_, raw) => return Ok(raw),
            Seen::Null => serde_json::value::to_raw_value(&()),
            Seen::Bool(v) => serde_json::value::to_raw_value(&v),
            Seen::I64(v) => serde_json::value::to_raw_value(&v),
            Seen::U64(v) => serde_json::value::to_raw_value(&v),
            Seen::F64(v) => serde_json::value::to_raw_value(&v),
            Seen::Str(v) => serde_json::value::to_raw_value(&v),
        };
        raw.map_err(E::custom)
    }
}

fn capture<'de, D: Deserializer<'de>>(d: D, found: Found) -> Result<Seen<'de>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    let raw = serde_json::value::to_raw_value(&value).map_err(de::Error::custom)?;
    Ok(Seen::Raw(found, raw))
}

/// What a visitor does with each JSON shape; the default for objects and arrays is a misfit.
trait Shape<'de>: Sized {
    type Out;
    fn expected(&self) -> &'static str;
    fn scalar<E: de::Error>(self, v: Seen<'de>) -> Result<Self::Out, E>;
    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Out, A::Error> {
        let seen = capture(de::value::MapAccessDeserializer::new(map), Found::Object)?;
        self.scalar(seen)
    }
    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Out, A::Error> {
        let seen = capture(de::value::SeqAccessDeserializer::new(seq), Found::Array)?;
        self.scalar(seen)
    }
}

/// The serde visitor behind every [`Shape`].
struct ShapeVisitor<S>(S);

impl<'de, S: Shape<'de>> Visitor<'de> for ShapeVisitor<S> {
    type Value = S::Out;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0.expected())
    }
    fn visit_unit<E: de::Error>(self) -> Result<S::Out, E> {
        self.0.scalar(Seen::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<S::Out, E> {
        self.0.scalar(Seen::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<S::Out, E> {
        self.0.scalar(Seen::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<S::Out, E> {
        self.0.scalar(Seen::I64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<S::Out, E> {
        self.0.scalar(Seen::U64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<S::Out, E> {
        self.0.scalar(Seen::F64(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<S::Out, E> {
        self.0.scalar(Seen::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<S::Out, E> {
        self.0.scalar(Seen::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<S::Out, E> {
        self.0.scalar(Seen::Str(Cow::Owned(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S::Out, A::Error> {
        self.0.map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<S::Out, A::Error> {
        self.0.seq(seq)
    }
}

/// A scalar leaf: takes the JSON values that fit it and refuses the rest.
trait Leaf: Sized {
    const EXPECTED: &'static str;
    fn accept(v: Seen<'_>) -> Result<Self, Seen<'_>>;
}

struct LeafShape<'a, T>(&'a mut DecodeCx, PhantomData<T>);

impl<'de, T: Leaf> Shape<'de> for LeafShape<'_, T> {
    type Out = Fit<T>;
    fn expected(&self) -> &'static str {
        T::EXPECTED
    }
    fn scalar<E: de::Error>(self, v: Seen<'de>) -> Result<Fit<T>, E> {
        match T::accept(v) {
            Ok(v) => Ok(Fit::Ok(v)),
            Err(v) => self.0.misfit(T::EXPECTED, v),
        }
    }
}

macro_rules! leaf {
    ($t:ty, $expected:literal, |$v:ident| $accept:expr) => {
        impl Leaf for $t {
            const EXPECTED: &'static str = $expected;
            #[inline]
            fn accept($v: Seen<'_>) -> Result<Self, Seen<'_>> {
                $accept
            }
        }
        impl Decode for $t {
            const EXPECTED: &'static str = $expected;
            #[inline]
            fn decode<'de, D: Deserializer<'de>>(
                d: D,
                cx: &mut DecodeCx,
            ) -> Result<Fit<Self>, D::Error> {
                d.deserialize_any(ShapeVisitor(LeafShape::<$t>(cx, PhantomData)))
            }
        }
    };
}

leaf!(i64, "integer", |v| match v {
    Seen::I64(n) => Ok(n),
    Seen::U64(n) => i64::try_from(n).map_err(|_| Seen::U64(n)),
    other => Err(other),
});
leaf!(String, "string", |v| match v {
    Seen::Str(s) => Ok(s.into_owned()),
    other => Err(other),
});
leaf!(bool, "boolean", |v| match v {
    Seen::Bool(b) => Ok(b),
    other => Err(other),
});
leaf!(f64, "number", |v| match v {
    Seen::I64(n) => Ok(n as f64),
    Seen::U64(n) => Ok(n as f64),
    Seen::F64(n) => Ok(n),
    other => Err(other),
});
leaf!(serde_json::Number, "number", |v| match v {
    Seen::I64(n) => Ok(n.into()),
    Seen::U64(n) => Ok(n.into()),
    Seen::F64(n) => serde_json::Number::from_f64(n).ok_or(Seen::F64(n)),
    other => Err(other),
});
leaf!(StrOrNum, "string or number", |v| match v {
    Seen::Str(s) => Ok(StrOrNum::Str(s.into_owned())),
    Seen::I64(n) => Ok(StrOrNum::Num(n.into())),
    Seen::U64(n) => Ok(StrOrNum::Num(n.into())),
    Seen::F64(n) => serde_json::Number::from_f64(n)
        .map(StrOrNum::Num)
        .ok_or(Seen::F64(n)),
    other => Err(other),
});

/// A string enum's leaf decode (used by `impl_open_enum!`): any string fits.
pub fn decode_str<'de, T: for<'s> From<&'s str>, D: Deserializer<'de>>(
    d: D,
    cx: &mut DecodeCx,
) -> Result<Fit<T>, D::Error> {
    struct StrShape<'a, T>(&'a mut DecodeCx, PhantomData<T>);
    impl<'de, T: for<'s> From<&'s str>> Shape<'de> for StrShape<'_, T> {
        type Out = Fit<T>;
        fn expected(&self) -> &'static str {
            "string"
        }
        fn scalar<E: de::Error>(self, v: Seen<'de>) -> Result<Fit<T>, E> {
            match v {
                Seen::Str(s) => Ok(Fit::Ok(T::from(&s))),
                other => self.0.misfit("string", other),
            }
        }
    }
    d.deserialize_any(ShapeVisitor(StrShape::<T>(cx, PhantomData)))
}

impl Decode for RawJson {
    const EXPECTED: &'static str = "any JSON";
    fn decode<'de, D: Deserializer<'de>>(d: D, _: &mut DecodeCx) -> Result<Fit<Self>, D::Error> {
        Box::<RawValue>::deserialize(d).map(|raw| Fit::Ok(RawJson(raw)))
    }
}

impl Decode for serde_json::Value {
    const EXPECTED: &'static str = "any JSON";
    fn decode<'de, D: Deserializer<'de>>(d: D, _: &mut DecodeCx) -> Result<Fit<Self>, D::Error> {
        serde_json::Value::deserialize(d).map(Fit::Ok)
    }
}

impl<T: Decode> Decode for Box<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    #[inline]
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeCx) -> Result<Fit<Self>, D::Error> {
        Ok(match T::decode(d, cx)? {
            Fit::Ok(v) => Fit::Ok(Box::new(v)),
            Fit::Drift(m) => Fit::Drift(m),
        })
    }
}

impl<T: Decode> Decode for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    #[inline]
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeCx) -> Result<Fit<Self>, D::Error> {
        struct V<'a, T>(&'a mut DecodeCx, PhantomData<T>);
        impl<'de, T: Decode> Visitor<'de> for V<'_, T> {
            type Value = Fit<Option<T>>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(T::EXPECTED)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Fit::Ok(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Fit::Ok(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                Ok(match T::decode(d, self.0)? {
                    Fit::Ok(v) => Fit::Ok(Some(v)),
                    Fit::Drift(m) => Fit::Drift(m),
                })
            }
        }
        d.deserialize_option(V::<T>(cx, PhantomData))
    }
}

impl<T: Decode + Serialize> Decode for Vec<T> {
    const EXPECTED: &'static str = "array";
    fn decode<'de, D: Deserializer<'de>>(d: D, cx: &mut DecodeCx) -> Result<Fit<Self>, D::Error> {
        d.deserialize_any(ShapeVisitor(VecShape::<T>(cx, PhantomData)))
    }
}

struct VecShape<'a, T>(&'a mut DecodeCx, PhantomData<T>);

impl<'de, T: Decode + Serialize> Shape<'de> for VecShape<'_, T> {
    type Out = Fit<Vec<T>>;
    fn expected(&self) -> &'static str {
        "array"
    }
    fn scalar<E: de::Error>(self, v: Seen<'de>) -> Result<Self::Out, E> {
        self.0.misfit("array", v)
    }
    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Out, A::Error> {
        let cx = self.0;
        let before = cx.drift.len();
        let mut out = Vec::new();
        loop {
            match seq.next_element_seed(Seed::<T>(cx, PhantomData)) {
                Ok(None) => break,
                Ok(Some(Fit::Ok(v))) => out.push(v),
                Ok(Some(Fit::Drift(m))) => {
                    // An item that is not a T: the array as a whole is kept raw, its field left empty.
                    if let Some((expected, found)) = m.found {
                        cx.drift.push(Drift {
                            path: String::new(),
                            expected,
                            found,
                            count: 1,
                        });
                    }
                    cx.prefix(before, "[]");
                    let raw = rebuild(&out, &m.raw, &mut seq)?;
                    return Ok(Fit::Drift(Misfit { raw, found: None }));
                }
                Err(e) => {
                    cx.failed_at.push(Step::Index(out.len()));
                    return Err(e);
                }
            }
        }
        if cx.drift.len() > before {
            cx.prefix(before, "[]");
            merge(&mut cx.drift, before);
        }
        Ok(Fit::Ok(out))
    }
}

/// The JSON text of an array whose item `misfit` came after the typed `items`, with the rest read raw.
fn rebuild<'de, T: Serialize, A: SeqAccess<'de>>(
    items: &[T],
    misfit: &RawValue,
    seq: &mut A,
) -> Result<Box<RawValue>, A::Error> {
    let mut text = String::from("[");
    for item in items {
        text.push_str(&serde_json::to_string(item).map_err(de::Error::custom)?);
        text.push(',');
    }
    text.push_str(misfit.get());
    while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
        text.push(',');
        text.push_str(raw.get());
    }
    text.push(']');
    RawValue::from_string(text).map_err(de::Error::custom)
}

/// A generated struct's fields (implemented by `impl_lossless!`).
pub trait Object: Default {
    /// Decodes the value of the field `key` from `map`.
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
        cx: &mut DecodeCx,
    ) -> Result<(), A::Error>;
}

/// Decodes a generated struct (used by `impl_lossless!`).
pub fn decode_object<'de, T: Object, D: Deserializer<'de>>(
    d: D,
    cx: &mut DecodeCx,
) -> Result<Fit<T>, D::Error> {
    d.deserialize_any(ShapeVisitor(ObjectShape::<T>(cx, PhantomData)))
}

struct ObjectShape<'a, T>(&'a mut DecodeCx, PhantomData<T>);

impl<'de, T: Object> Shape<'de> for ObjectShape<'_, T> {
    type Out = Fit<T>;
    fn expected(&self) -> &'static str {
        "object"
    }
    fn scalar<E: de::Error>(self, v: Seen<'de>) -> Result<Fit<T>, E> {
        self.0.misfit("object", v)
    }
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fit<T>, A::Error> {
        let mut out = T::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            out.field(key, &mut map, self.0)?;
        }
        Ok(Fit::Ok(out))
    }
}

/// Decodes the value of a field the spec describes into `slot` (used by `impl_lossless!`).
#[inline]
pub fn known_field<'de, A: MapAccess<'de>, T: Decode>(
    map: &mut A,
    slot: &mut Option<T>,
    extra: &mut Extra,
    wire: &'static str,
    cx: &mut DecodeCx,
) -> Result<(), A::Error> {
    let before = cx.drift.len();
    let fit = match map.next_value_seed(Seed::<Option<T>>(cx, PhantomData)) {
        Ok(fit) => fit,
        Err(e) => {
            cx.failed_at.push(Step::Key(Cow::Borrowed(wire)));
            return Err(e);
        }
    };
    if cx.drift.len() > before {
        cx.prefix(before, &format!(".{wire}"));
    }
    if slot.is_some() {
        if cx.mode == DecodeMode::Strict {
            cx.failed_at.push(Step::Key(Cow::Borrowed(wire)));
            return Err(de::Error::custom(format_args!("duplicate field `{wire}`")));
        }
        cx.drift.push(Drift {
            path: format!(".{wire}"),
            expected: "one value",
            found: Found::DuplicateKey,
            count: 1,
        });
    }
    match fit {
        Fit::Ok(v) => *slot = v,
        Fit::Drift(m) => {
            *slot = None;
            if let Some((expected, found)) = m.found {
                cx.drift.push(Drift {
                    path: format!(".{wire}"),
                    expected,
                    found,
                    count: 1,
                });
            }
            extra.push_drifted(wire, m.raw);
        }
    }
    Ok(())
}

/// Keeps the value of a field the spec does not describe (used by `impl_lossless!`).
#[inline]
pub fn unknown_field<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: Key<'de>,
    extra: &mut Extra,
    cx: &mut DecodeCx,
) -> Result<(), A::Error> {
    match map.next_value::<Box<RawValue>>() {
        Ok(raw) => {
            extra.push_str(key.as_str(), raw);
            Ok(())
        }
        Err(e) => {
            cx.failed_at.push(Step::Key(Cow::Owned(key.0.into_owned())));
            Err(e)
        }
    }
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
