//! Lossless JSON building blocks used by every generated response type.
//!
//! Generated structs keep the fields their spec does not know in an [`Extra`] store, as raw JSON text captured while
//! decoding. `#[serde(flatten)]` would do the same but buffers unknown fields into a `Content` tree and then a
//! `serde_json::Map` (on the 1.17 MB aweme/post capture: 0.8x the speed of these macros, docs/performance.md); the
//! macros here match keys directly and hand unknown ones to `RawValue`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Fields of a JSON object that the spec does not describe, in arrival order, kept as raw JSON text; also the
/// values of described fields that did not fit their type ([`crate::drift`]), so re-encoding writes them back.
///
/// One pointer wide and unallocated while empty, so an object whose fields are all known costs nothing here; the
/// names share one buffer and each value is one allocation (docs/performance.md).
#[derive(Clone, Debug, Default)]
pub struct Extra(Option<Box<ExtraFields>>);

#[derive(Clone, Debug, Default)]
struct ExtraFields {
    /// Every name, concatenated.
    names: String,
    /// Where each name ends in `names`, whether it is a drifted known field, and its value.
    values: Vec<(usize, bool, Box<RawValue>)>,
}

impl Extra {
    /// Records an unknown field.
    pub fn push(&mut self, key: Box<str>, value: Box<RawValue>) {
        self.push_str(&key, value);
    }

    /// Records an unknown field without allocating for its name (used by generated decoders).
    #[inline]
    pub fn push_str(&mut self, key: &str, value: Box<RawValue>) {
        self.push_entry(key, false, value);
    }

    /// Keeps the value of a described field that did not fit its type.
    pub fn push_drifted(&mut self, key: &str, value: Box<RawValue>) {
        self.push_entry(key, true, value);
    }

    fn push_entry(&mut self, key: &str, drifted: bool, value: Box<RawValue>) {
        let fields = self.0.get_or_insert_with(Box::default);
        fields.names.push_str(key);
        fields.values.push((fields.names.len(), drifted, value));
    }

    /// Whether every field of the object was known to the spec.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Number of unknown fields.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// The raw JSON text of an unknown field.
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Unknown fields as `(name, raw JSON)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RawValue)> {
        self.entries().filter(|e| !e.1).map(|(k, _, v)| (k, v))
    }

    /// Described fields whose value did not fit their type, as `(name, raw JSON)` pairs.
    pub fn drifted(&self) -> impl Iterator<Item = (&str, &RawValue)> {
        self.entries().filter(|e| e.1).map(|(k, _, v)| (k, v))
    }

    fn entries(&self) -> impl Iterator<Item = (&str, bool, &RawValue)> {
        let (names, values) = match &self.0 {
            Some(f) => (f.names.as_str(), f.values.as_slice()),
            None => ("", &[][..]),
        };
        let starts = std::iter::once(0).chain(values.iter().map(|(end, _, _)| *end));
        starts
            .zip(values)
            .map(move |(start, (end, drifted, v))| (&names[start..*end], *drifted, &**v))
    }

    /// Writes the unknown and drifted fields into a map being serialized (used by generated `Serialize` impls).
    pub fn serialize_into<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        for (k, _, v) in self.entries() {
            map.serialize_entry(k, v)?;
        }
        Ok(())
    }
}

/// The most bytes a generated struct may take inline, checked by a generated test in every domain crate. The largest
/// today is web's `User` (3,848 bytes: about 300 documented fields); nested structs are boxed, so an array of empty
/// objects costs at most this per item (docs/reliability.md).
pub const STRUCT_SIZE_BUDGET: usize = 4096;

/// An object key, borrowed from the input when it has no escapes.
pub struct Key<'de>(pub Cow<'de, str>);

impl Key<'_> {
    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as an owned boxed string.
    pub fn into_boxed(self) -> Box<str> {
        self.0.into_owned().into_boxed_str()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Any JSON value kept as its raw text: for fields the documentation only ever showed as `null`.
#[derive(Clone)]
pub struct RawJson(pub Box<RawValue>);

impl RawJson {
    /// The raw JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Parses the raw text into a concrete type.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_str(self.0.get())
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(d).map(RawJson)
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A field the documentation shows both as a string and as a number; re-encodes exactly what it read.
#[derive(Clone, Debug, PartialEq)]
pub enum StrOrNum {
    /// Arrived as a JSON string.
    Str(String),
    /// Arrived as a JSON number (integers stay exact).
    Num(serde_json::Number),
}

impl StrOrNum {
    /// The value as text, whichever JSON type carried it.
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            StrOrNum::Str(s) => Cow::Borrowed(s),
            StrOrNum::Num(n) => Cow::Owned(n.to_string()),
        }
    }

    /// The value as a float, parsing a string if needed.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            StrOrNum::Str(s) => s.trim().parse().ok(),
            StrOrNum::Num(n) => n.as_f64(),
        }
    }
}

impl<'de> Deserialize<'de> for StrOrNum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = StrOrNum;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StrOrNum, E> {
                Ok(StrOrNum::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<StrOrNum, E> {
                Ok(StrOrNum::Str(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StrOrNum, E> {
                Ok(StrOrNum::Num(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StrOrNum, E> {
                Ok(StrOrNum::Num(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<StrOrNum, E> {
                serde_json::Number::from_f64(v)
                    .map(StrOrNum::Num)
                    .ok_or_else(|| E::custom("non-finite number"))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for StrOrNum {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StrOrNum::Str(v) => s.serialize_str(v),
            StrOrNum::Num(n) => n.serialize(s),
        }
    }
}

/// Lists where a decoded value keeps fields its spec does not describe: the JSON paths of every entry of every
/// [`Extra`] store in the tree. Capture checks use it to tell documented fields from new ones.
pub trait Census {
    /// Appends the paths below `path` to `out`.
    fn census(&self, path: &mut String, out: &mut Vec<String>);

    /// All unknown-field paths of this value, `.`-rooted (`.aweme_list[0].video.new_field`).
    fn unknown_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.census(&mut String::new(), &mut out);
        out
    }
}

macro_rules! leaf_census {
    ($($t:ty),*) => {$(
        impl Census for $t {
            fn census(&self, _: &mut String, _: &mut Vec<String>) {}
        }
    )*};
}
leaf_census!(
    String,
    i64,
    u64,
    f64,
    bool,
    RawJson,
    StrOrNum,
    serde_json::Value,
    serde_json::Number
);

impl<T: Census> Census for Option<T> {
    fn census(&self, path: &mut String, out: &mut Vec<String>) {
        if let Some(v) = self {
            v.census(path, out);
        }
    }
}

impl<T: Census> Census for Vec<T> {
    fn census(&self, path: &mut String, out: &mut Vec<String>) {
        for (i, v) in self.iter().enumerate() {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            v.census(path, out);
            path.truncate(len);
        }
    }
}

impl<T: Census> Census for Box<T> {
    fn census(&self, path: &mut String, out: &mut Vec<String>) {
        (**self).census(path, out);
    }
}

impl Extra {
    /// Records the paths of these unknown fields (used by generated [`Census`] impls).
    pub fn census(&self, path: &str, out: &mut Vec<String>) {
        // Drifted values belong to described fields: they are reported as drift, not as new fields.
        out.extend(self.iter().map(|(k, _)| format!("{path}.{k}")));
    }
}

/// Implements drift-tolerant lossless decoding ([`crate::drift::Decode`], and a strict `Deserialize`), `Serialize` and
/// [`Census`] for a generated struct whose fields are all `Option`s plus an `unknown_fields: Extra` store. With
/// `response` after the fields, the struct also has `drift: Vec<Drift>` and implements [`crate::drift::Response`].
/// Written once here so generated files stay small and reviewable.
#[macro_export]
macro_rules! impl_lossless {
    ($ty:ident { $($field:ident : $wire:literal),* $(,)? } response) => {
        $crate::impl_lossless!($ty { $($field: $wire),* });

        impl $crate::drift::Response for $ty {
            fn drift(&self) -> &[$crate::drift::Drift] {
                &self.drift
            }
            fn set_drift(&mut self, drift: ::std::vec::Vec<$crate::drift::Drift>) {
                self.drift = drift;
            }
        }
    };
    ($ty:ident { $($field:ident : $wire:literal),* $(,)? }) => {
        impl $crate::drift::Object for $ty {
            fn field<'de, A: ::serde::de::MapAccess<'de>>(
                &mut self,
                key: $crate::lossless::Key<'de>,
                map: &mut A,
                cx: &mut $crate::drift::DecodeCx,
            ) -> ::std::result::Result<(), A::Error> {
                // Key to field in a small function of its own, then one jump per field, like serde's derive:
                // measured faster than matching strings in arms that decode values (docs/performance.md).
                #[allow(non_camel_case_types)]
                enum F { $($field,)* __Unknown }
                fn field(key: &str) -> F {
                    match key {
                        $($wire => F::$field,)*
                        _ => F::__Unknown,
                    }
                }
                match field(key.as_str()) {
                    $(F::$field => $crate::drift::known_field(map, &mut self.$field, &mut self.unknown_fields, $wire, cx),)*
                    F::__Unknown => $crate::drift::unknown_field(map, key, &mut self.unknown_fields, cx),
                }
            }
        }

        impl $crate::drift::Decode for $ty {
            const EXPECTED: &'static str = "object";
            #[inline]
            fn decode<'de, D: ::serde::Deserializer<'de>>(
                d: D,
                cx: &mut $crate::drift::DecodeCx,
            ) -> ::std::result::Result<$crate::drift::Fit<Self>, D::Error> {
                $crate::drift::decode_object(d, cx)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::drift::deserialize_strict(d)
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = s.serialize_map(::std::option::Option::None)?;
                $(if let ::std::option::Option::Some(v) = &self.$field {
                    map.serialize_entry($wire, v)?;
                })*
                self.unknown_fields.serialize_into(&mut map)?;
                map.end()
            }
        }

        impl $crate::lossless::Census for $ty {
            fn census(&self, path: &mut ::std::string::String, out: &mut ::std::vec::Vec<::std::string::String>) {
                $({
                    let len = path.len();
                    path.push('.');
                    path.push_str($wire);
                    $crate::lossless::Census::census(&self.$field, path, out);
                    path.truncate(len);
                })*
                self.unknown_fields.census(path, out);
            }
        }
    };
}

/// Implements an open string enum: documented values are variants, any other value is kept in `Unknown(String)`.
#[macro_export]
macro_rules! impl_open_enum {
    ($ty:ident { $($variant:ident : $wire:literal),* $(,)? }) => {
        impl $ty {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(v) => v,
                }
            }
        }

        impl ::std::convert::From<&str> for $ty {
            fn from(v: &str) -> Self {
                match v {
                    $($wire => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = ::std::convert::Infallible;
            fn from_str(v: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(v))
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let key = <$crate::lossless::Key<'de> as ::serde::Deserialize>::deserialize(d)?;
                ::std::result::Result::Ok(Self::from(key.as_str()))
            }
        }

        impl $crate::drift::Decode for $ty {
            const EXPECTED: &'static str = "string";
            fn decode<'de, D: ::serde::Deserializer<'de>>(
                d: D,
                cx: &mut $crate::drift::DecodeCx,
            ) -> ::std::result::Result<$crate::drift::Fit<Self>, D::Error> {
                $crate::drift::decode_str(d, cx)
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl $crate::lossless::Census for $ty {
            fn census(&self, _: &mut ::std::string::String, _: &mut ::std::vec::Vec<::std::string::String>) {}
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn extra_keeps_names_values_and_order() {
        let mut e = Extra::default();
        assert!(e.is_empty());
        e.push("b".into(), raw("1"));
        e.push_str("a", raw(r#"{"x":[null]}"#));
        e.push_str("", raw("\"\""));
        assert_eq!(e.len(), 3);
        let pairs: Vec<_> = e.iter().map(|(k, v)| (k, v.get())).collect();
        assert_eq!(pairs, [("b", "1"), ("a", r#"{"x":[null]}"#), ("", "\"\"")]);
        assert_eq!(e.get("a").map(RawValue::get), Some(r#"{"x":[null]}"#));
        assert!(e.get("c").is_none());
        let mut paths = Vec::new();
        e.census(".o", &mut paths);
        assert_eq!(paths, [".o.b", ".o.a", ".o."]);
    }
}
