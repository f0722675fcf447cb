//! Reading one JSON value: the serde seed and visitor every decode goes through, the value as seen (scalars as
//! read, objects and arrays captured raw), and the scalar leaves that accept the values fitting their type.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Decode, DecodeCx, Fit, Found};
use crate::lossless::StrOrNum;

/// Runs [`Decode`] as a serde seed.
pub(super) struct Seed<'a, T>(pub(super) &'a mut DecodeCx, pub(super) PhantomData<T>);

impl<'de, T: Decode> DeserializeSeed<'de> for Seed<'_, T> {
    type Value = Fit<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Fit<T>, D::Error> {
        T::decode(d, self.0)
    }
}

/// A JSON value as a leaf saw it: scalars as read, objects and arrays already captured.
pub(super) enum Seen<'de> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'de, str>),
    Raw(Found, Box<RawValue>),
}

impl Seen<'_> {
    pub(super) fn found(&self) -> Found {
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

    pub(super) fn into_raw<E: de::Error>(self) -> Result<Box<RawValue>, E> {
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
pub(super) trait Shape<'de>: Sized {
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
pub(super) struct ShapeVisitor<S>(pub(super) S);

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
