//! Compound values: any JSON kept as is, boxes, options (null is absent), arrays (a misfit item keeps the whole
//! array raw) and generated objects, whose known fields decode into their slots and unknown ones are kept.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::leaf::{Seed, Seen, Shape, ShapeVisitor};
use super::{merge, Decode, DecodeCx, DecodeMode, Drift, Fit, Found, Misfit, Step};
use crate::lossless::{Extra, Key, RawJson};

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
