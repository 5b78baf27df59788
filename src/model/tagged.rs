//! The serde form of a [`Layer`](super::Layer): its record's fields behind a `"protocol"` key
//! whose value comes from [`ProtoId::name`](super::ProtoId::name), the one table of protocol
//! names (what serde's `#[serde(tag = "protocol")]` did, with a literal name per variant).

use serde::ser::{self, Impossible, Serialize, Serializer};

/// A serializer that writes `"protocol": tag` before the fields of the struct (or map) that
/// `inner` serializes; any other shape is an error (layer records are structs).
pub(super) struct Tagged<S> {
    pub(super) tag: &'static str,
    pub(super) inner: S,
}

/// The key of the protocol name in every layer object.
const KEY: &str = "protocol";

/// Methods for the shapes a layer record never has: each is an error.
macro_rules! not_a_record {
    ($($method:ident($($arg:ty),*) -> $ret:ty;)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ret, S::Error> {
            Err(ser::Error::custom(concat!("a layer record must be a struct (", stringify!($method), ")")))
        }
    )*};
}

impl<S: Serializer> Serializer for Tagged<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Impossible<S::Ok, S::Error>;
    type SerializeTuple = Impossible<S::Ok, S::Error>;
    type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
    type SerializeTupleVariant = Impossible<S::Ok, S::Error>;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = S::SerializeStruct;
    type SerializeStructVariant = Impossible<S::Ok, S::Error>;

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<S::SerializeStruct, S::Error> {
        let mut fields = self.inner.serialize_struct(name, len + 1)?;
        ser::SerializeStruct::serialize_field(&mut fields, KEY, self.tag)?;
        Ok(fields)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<S::SerializeMap, S::Error> {
        let mut entries = self.inner.serialize_map(len.map(|len| len + 1))?;
        ser::SerializeMap::serialize_entry(&mut entries, KEY, self.tag)?;
        Ok(entries)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<S::Ok, S::Error> {
        Err(ser::Error::custom(
            "a layer record must be a struct (serialize_some)",
        ))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<S::Ok, S::Error> {
        Err(ser::Error::custom(
            "a layer record must be a struct (serialize_newtype_variant)",
        ))
    }

    not_a_record! {
        serialize_bool(bool) -> S::Ok;
        serialize_i8(i8) -> S::Ok;
        serialize_i16(i16) -> S::Ok;
        serialize_i32(i32) -> S::Ok;
        serialize_i64(i64) -> S::Ok;
        serialize_u8(u8) -> S::Ok;
        serialize_u16(u16) -> S::Ok;
        serialize_u32(u32) -> S::Ok;
        serialize_u64(u64) -> S::Ok;
        serialize_f32(f32) -> S::Ok;
        serialize_f64(f64) -> S::Ok;
        serialize_char(char) -> S::Ok;
        serialize_str(&str) -> S::Ok;
        serialize_bytes(&[u8]) -> S::Ok;
        serialize_none() -> S::Ok;
        serialize_unit() -> S::Ok;
        serialize_unit_struct(&'static str) -> S::Ok;
        serialize_unit_variant(&'static str, u32, &'static str) -> S::Ok;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}
