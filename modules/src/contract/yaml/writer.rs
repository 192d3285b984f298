//! A serde serializer that writes block YAML straight into one `String`: each node knows its
//! place (the document, a mapping value, a sequence item), which decides what precedes it and
//! how deep its lines go. It writes what oxidy's values are made of (maps, structs,
//! sequences, strings, numbers, bools, null, unit enum variants); for anything else it gives
//! up with [`Unsupported`] and the caller falls back to serde-saphyr.

use std::fmt;

use serde::ser::{self, Impossible, Serialize};

use super::key::Key;
use super::number::{push_f32, push_f64, push_integer};
use super::scalar::{self, Style, push_spaces};

/// A value this writer does not write (or one whose `Serialize` failed): the caller writes it
/// with serde-saphyr instead, which writes it or reports the error in its own words.
#[derive(Debug)]
pub(super) struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value the YAML writer leaves to serde-saphyr")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

/// Newtype and tuple struct names by which serde-saphyr's wrappers (anchors, flow style,
/// comments, forced quoting) ask for special output.
pub(super) fn is_wrapper(name: &str) -> bool {
    name.starts_with("__yaml")
}

/// Where a node sits.
#[derive(Clone, Copy)]
enum Place {
    /// The document itself, at the start of a line.
    Root,
    /// A mapping value, right after `key:`, the key at column `key`.
    Value { key: usize },
    /// A sequence item, right after `- `, the dash at column `dash`.
    Item { dash: usize },
}

impl Place {
    /// The column of a block mapping's keys placed here.
    fn keys(self) -> usize {
        match self {
            Place::Root => 0,
            Place::Value { key } => key + 2,
            Place::Item { dash } => dash + 2,
        }
    }

    /// The column of a block literal's body placed here: one level in, even for the document.
    fn body(self) -> usize {
        match self {
            Place::Root => 2,
            other => other.keys(),
        }
    }

    /// The column of a block sequence's dashes placed here: under a key, they stay at the
    /// key's column.
    fn dashes(self) -> usize {
        match self {
            Place::Root => 0,
            Place::Value { key } => key,
            Place::Item { dash } => dash + 2,
        }
    }
}

/// Appends the YAML document of `value` to `out`.
pub(super) fn write<T: ?Sized + Serialize>(value: &T, out: &mut String) -> Result<(), Unsupported> {
    value.serialize(Node { out, place: Place::Root })
}

/// One value to write at its place.
struct Node<'a> {
    out: &'a mut String,
    place: Place,
}

impl Node<'_> {
    /// A mapping value is separated from its `key:` by a space.
    fn separate(&mut self) {
        if let Place::Value { .. } = self.place {
            self.out.push(' ');
        }
    }

    fn scalar(mut self, text: &str) -> Result<(), Unsupported> {
        self.separate();
        self.out.push_str(text);
        self.out.push('\n');
        Ok(())
    }

    fn string(mut self, s: &str) -> Result<(), Unsupported> {
        self.separate();
        match scalar::value_style(s) {
            Style::Plain => self.out.push_str(s),
            Style::SingleQuoted => {
                self.out.push('\'');
                self.out.push_str(s);
                self.out.push('\'');
            }
            Style::DoubleQuoted => scalar::write_double_quoted(self.out, s),
            Style::Literal => {
                // The literal ends its own last line.
                scalar::write_literal(self.out, s, self.place.body());
                return Ok(());
            }
        }
        self.out.push('\n');
        Ok(())
    }

    fn number(mut self, push: impl FnOnce(&mut String)) -> Result<(), Unsupported> {
        self.separate();
        push(self.out);
        self.out.push('\n');
        Ok(())
    }
}

impl<'a> ser::Serializer for Node<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Collection<'a>;
    type SerializeTuple = Collection<'a>;
    type SerializeTupleStruct = Collection<'a>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Collection<'a>;
    type SerializeStruct = Collection<'a>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.scalar(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), Unsupported> {
        self.number(|out| push_integer(out, v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Unsupported> {
        self.number(|out| push_integer(out, v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Unsupported> {
        self.number(|out| push_integer(out, v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Unsupported> {
        self.number(|out| push_integer(out, v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Unsupported> {
        self.number(|out| push_integer(out, v))
    }
    fn serialize_u8(self, v: u8) -> Result<(), Unsupported> {
        self.number(|out| push_integer(out, v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Unsupported> {
        self.number(|out| push_integer(out, v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unsupported> {
        self.number(|out| push_integer(out, v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
        self.number(|out| push_integer(out, v))
    }
    fn serialize_u128(self, v: u128) -> Result<(), Unsupported> {
        self.number(|out| push_integer(out, v))
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unsupported> {
        self.number(|out| push_f32(out, v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unsupported> {
        self.number(|out| push_f64(out, v))
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.string(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
    fn serialize_none(self) -> Result<(), Unsupported> {
        self.scalar("null")
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.scalar("null")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
        self.scalar("null")
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Unsupported> {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, value: &T) -> Result<(), Unsupported> {
        if is_wrapper(name) {
            return Err(Unsupported);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Collection<'a>, Unsupported> {
        Ok(Collection::open(self, Kind::Seq))
    }
    fn serialize_tuple(self, _: usize) -> Result<Collection<'a>, Unsupported> {
        Ok(Collection::open(self, Kind::Seq))
    }
    fn serialize_tuple_struct(self, name: &'static str, _: usize) -> Result<Collection<'a>, Unsupported> {
        if is_wrapper(name) {
            return Err(Unsupported);
        }
        Ok(Collection::open(self, Kind::Seq))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Collection<'a>, Unsupported> {
        Ok(Collection::open(self, Kind::Map))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Collection<'a>, Unsupported> {
        Ok(Collection::open(self, Kind::Map))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        Err(Unsupported)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Seq,
}

/// A block mapping or sequence being written. Nothing is written until its first entry,
/// so that an empty one can still become `{}` or `[]` on the line of its key or dash.
struct Collection<'a> {
    out: &'a mut String,
    place: Place,
    kind: Kind,
    /// The column of its keys or dashes.
    column: usize,
    entries: usize,
}

impl<'a> Collection<'a> {
    fn open(node: Node<'a>, kind: Kind) -> Self {
        let column = match kind {
            Kind::Map => node.place.keys(),
            Kind::Seq => node.place.dashes(),
        };
        Collection { out: node.out, place: node.place, kind, column, entries: 0 }
    }

    /// Starts an entry: the first one of a mapping value on a line of its own, the first one
    /// of a sequence item on the dash's line, the others indented to the column.
    fn start_entry(&mut self) {
        match (self.entries, self.place) {
            (0, Place::Root | Place::Item { .. }) => {}
            (0, Place::Value { .. }) => {
                self.out.push('\n');
                push_spaces(self.out, self.column);
            }
            _ => push_spaces(self.out, self.column),
        }
        self.entries += 1;
    }

    fn close(self) -> Result<(), Unsupported> {
        if self.entries == 0 {
            if let Place::Value { .. } = self.place {
                self.out.push(' ');
            }
            self.out.push_str(if self.kind == Kind::Map { "{}\n" } else { "[]\n" });
        }
        Ok(())
    }

    fn item<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.start_entry();
        self.out.push_str("- ");
        value.serialize(Node { out: self.out, place: Place::Item { dash: self.column } })
    }
}

impl ser::SerializeSeq for Collection<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.item(value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeTuple for Collection<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.item(value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Collection<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.item(value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeMap for Collection<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Unsupported> {
        self.start_entry();
        Key::write(key, self.out)?;
        self.out.push(':');
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Unsupported> {
        value.serialize(Node { out: self.out, place: Place::Value { key: self.column } })
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}

impl ser::SerializeStruct for Collection<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Unsupported> {
        ser::SerializeMap::serialize_entry(self, key, value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.close()
    }
}
