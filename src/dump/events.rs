//! A serde `Serializer` that turns any value into a flat stream of events (begin/end of a map
//! or sequence, a key, a scalar), for the report formats whose syntax is not JSON (plist XML,
//! the tree view). One serializer, many syntaxes: each format implements [`Sink`].
//!
//! Nothing is allocated per value: text produced through `Display` (`collect_str`) is
//! formatted into a stack buffer (a `String` only past 256 bytes).

use serde::Serialize;
use serde::ser::{self, Impossible};
use std::fmt::{self, Write as _};

/// One leaf value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scalar<'a> {
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A floating-point number.
    Float(f64),
    /// Text.
    Str(&'a str),
    /// Raw bytes (serde `bytes`; our model renders bytes as hex strings instead).
    Bytes(&'a [u8]),
}

/// What a format does with each event. Every call is infallible: sinks write into memory.
pub(crate) trait Sink {
    /// A scalar value (a map value, a sequence element, or the whole value).
    fn scalar(&mut self, value: Scalar<'_>);
    /// `None` or `()`: the value is absent (a format may then drop its key).
    fn none(&mut self);
    /// The start of a map or struct.
    fn begin_map(&mut self);
    /// A map key; its value follows.
    fn key(&mut self, key: &str);
    /// A struct field's name (a key known at compile time); its value follows.
    fn field(&mut self, key: &'static str) {
        self.key(key);
    }
    /// The end of a map or struct.
    fn end_map(&mut self);
    /// The start of a sequence or tuple, with its length when known.
    fn begin_seq(&mut self, len: Option<usize>);
    /// The end of a sequence or tuple.
    fn end_seq(&mut self);
}

/// Serializes `value` as events into `sink`.
pub(crate) fn emit<T: Serialize + ?Sized, S: Sink>(value: &T, sink: &mut S) -> Result<(), Error> {
    value.serialize(&mut Events { sink })
}

/// The only error: a map key that is not text or a number.
#[derive(Debug)]
pub(crate) struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl From<Error> for std::io::Error {
    fn from(err: Error) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, err.0)
    }
}

/// Formats `Display` text into a stack buffer, spilling to a `String` when it is too long.
struct StackText {
    buf: [u8; 256],
    len: usize,
    spill: Option<String>,
}

impl StackText {
    fn new() -> Self {
        StackText {
            buf: [0; 256],
            len: 0,
            spill: None,
        }
    }

    fn as_str(&self) -> &str {
        match &self.spill {
            Some(s) => s,
            None => std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default(),
        }
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Some(spill) = &mut self.spill {
            spill.push_str(s);
        } else if self.len + s.len() <= self.buf.len() {
            self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
        } else {
            let mut spill = String::with_capacity(self.len + s.len() + 64);
            spill.push_str(std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default());
            spill.push_str(s);
            self.spill = Some(spill);
        }
        Ok(())
    }
}

struct Events<'s, S: Sink> {
    sink: &'s mut S,
}

impl<'a, 's, S: Sink> ser::Serializer for &'a mut Events<'s, S> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Variant<'a, 's, S>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Variant<'a, 's, S>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.sink.scalar(Scalar::Bool(v));
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.sink.scalar(Scalar::Int(v));
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.sink.scalar(Scalar::UInt(v));
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.sink.scalar(Scalar::Float(v));
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.sink.scalar(Scalar::Str(v));
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.sink.scalar(Scalar::Bytes(v));
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.sink.none();
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.sink.none();
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.sink.begin_map();
        self.sink.key(variant);
        value.serialize(&mut *self)?;
        self.sink.end_map();
        Ok(())
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Error> {
        self.sink.begin_seq(len);
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<'a, 's, S>, Error> {
        self.sink.begin_map();
        self.sink.key(variant);
        self.sink.begin_seq(Some(len));
        Ok(Variant { events: self })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self, Error> {
        self.sink.begin_map();
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, Error> {
        self.sink.begin_map();
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Variant<'a, 's, S>, Error> {
        self.sink.begin_map();
        self.sink.key(variant);
        self.sink.begin_map();
        Ok(Variant { events: self })
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        let mut text = StackText::new();
        write!(text, "{value}").map_err(|_| Error("a Display impl failed".into()))?;
        self.sink.scalar(Scalar::Str(text.as_str()));
        Ok(())
    }
}

impl<S: Sink> ser::SerializeSeq for &mut Events<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.sink.end_seq();
        Ok(())
    }
}

impl<S: Sink> ser::SerializeTuple for &mut Events<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.sink.end_seq();
        Ok(())
    }
}

impl<S: Sink> ser::SerializeTupleStruct for &mut Events<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.sink.end_seq();
        Ok(())
    }
}

impl<S: Sink> ser::SerializeMap for &mut Events<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        key.serialize(KeySer {
            sink: &mut *self.sink,
        })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.sink.end_map();
        Ok(())
    }
}

impl<S: Sink> ser::SerializeStruct for &mut Events<'_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.sink.field(key);
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.sink.end_map();
        Ok(())
    }
}

/// The body of an externally tagged tuple or struct variant: `{variant: [...]}` / `{variant: {...}}`.
pub(crate) struct Variant<'a, 's, S: Sink> {
    events: &'a mut Events<'s, S>,
}

impl<S: Sink> ser::SerializeTupleVariant for Variant<'_, '_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.events)
    }
    fn end(self) -> Result<(), Error> {
        self.events.sink.end_seq();
        self.events.sink.end_map();
        Ok(())
    }
}

impl<S: Sink> ser::SerializeStructVariant for Variant<'_, '_, S> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.events.sink.field(key);
        value.serialize(&mut *self.events)
    }
    fn end(self) -> Result<(), Error> {
        self.events.sink.end_map();
        self.events.sink.end_map();
        Ok(())
    }
}

/// Serializes a map key: text, or a number or boolean written as text.
struct KeySer<'k, S: Sink> {
    sink: &'k mut S,
}

impl<S: Sink> KeySer<'_, S> {
    fn text(self, key: &str) -> Result<(), Error> {
        self.sink.key(key);
        Ok(())
    }
    fn number(self, n: impl itoa::Integer) -> Result<(), Error> {
        let mut buf = itoa::Buffer::new();
        self.text(buf.format(n))
    }
    fn unsupported() -> Error {
        Error("a map key must be text or a number".into())
    }
}

impl<S: Sink> ser::Serializer for KeySer<'_, S> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.text(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_f32(self, _v: f32) -> Result<(), Error> {
        Err(Self::unsupported())
    }
    fn serialize_f64(self, _v: f64) -> Result<(), Error> {
        Err(Self::unsupported())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.text(v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(Self::unsupported())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(Self::unsupported())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(Self::unsupported())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(Self::unsupported())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(Self::unsupported())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(Self::unsupported())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(Self::unsupported())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(Self::unsupported())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Self::unsupported())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(Self::unsupported())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(Self::unsupported())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Self::unsupported())
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        let mut text = StackText::new();
        write!(text, "{value}").map_err(|_| Error("a Display impl failed".into()))?;
        self.sink.key(text.as_str());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records events as text, to check the stream.
    #[derive(Default)]
    struct Trace(String);

    impl Sink for Trace {
        fn scalar(&mut self, value: Scalar<'_>) {
            write!(self.0, "{value:?} ").unwrap();
        }
        fn none(&mut self) {
            self.0.push_str("None ");
        }
        fn begin_map(&mut self) {
            self.0.push_str("{ ");
        }
        fn key(&mut self, key: &str) {
            write!(self.0, "{key}= ").unwrap();
        }
        fn end_map(&mut self) {
            self.0.push_str("} ");
        }
        fn begin_seq(&mut self, len: Option<usize>) {
            write!(self.0, "[{len:?} ").unwrap();
        }
        fn end_seq(&mut self) {
            self.0.push_str("] ");
        }
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Pair(u8, i8),
        Named { x: bool },
    }

    #[test]
    fn events_of_nested_values() {
        #[derive(Serialize)]
        struct Doc {
            a: Option<u8>,
            b: Vec<(String, f32)>,
            s: [Shape; 3],
            m: std::collections::BTreeMap<u16, char>,
            long: String,
        }
        let doc = Doc {
            a: None,
            b: vec![("k".into(), 1.5)],
            s: [Shape::Unit, Shape::Pair(1, -2), Shape::Named { x: true }],
            m: [(7, 'z')].into_iter().collect(),
            long: "é".repeat(200),
        };
        let mut trace = Trace::default();
        emit(&doc, &mut trace).unwrap();
        let expected = format!(
            "{{ a= None b= [Some(1) [Some(2) Str(\"k\") Float(1.5) ] ] s= [Some(3) Str(\"Unit\") \
             {{ Pair= [Some(2) UInt(1) Int(-2) ] }} {{ Named= {{ x= Bool(true) }} }} ] \
             m= {{ 7= Str(\"z\") }} long= Str(\"{}\") }} ",
            "é".repeat(200)
        );
        assert_eq!(trace.0, expected);
    }

    #[test]
    fn display_text_spills_past_the_stack_buffer() {
        let mut text = StackText::new();
        write!(text, "{}", "ab".repeat(100)).unwrap();
        write!(text, "{}", "cd".repeat(100)).unwrap();
        assert_eq!(text.as_str().len(), 400);
        assert!(text.as_str().ends_with("cdcd"));
        assert!(text.spill.is_some());
    }
}
