//! Partial layers: a header cut by the snap length kept as Wireshark shows it, with the fields
//! that fit (see [`Partial`]).
//!
//! tshark 4.0 puts a protocol into `frame.protocols` as soon as its dissector is called, even
//! on zero captured bytes, and adds each field once its bytes are captured (a few together:
//! TCP's sequence number to window after 16 bytes). A decoder whose header does not fit builds
//! its [`Partial`] record here and hands the walker the truncation as its `partial` note: the
//! layer is kept, the note becomes the frame's `error`, and the walk stops.

use super::{DecodeError, Decoded};
use crate::model::{FieldValue, Layer, Partial, ProtoId};

/// The fields of a cut header, each under its name in the complete record.
pub(crate) type Fields = Vec<(&'static str, FieldValue)>;

/// The partial layer of `proto` over all of `data` (the captured bytes of the cut header),
/// with `fields` and the payload length they declare; `why` becomes the walker's note.
pub(crate) fn keep(
    proto: ProtoId,
    data: &[u8],
    fields: Fields,
    payload_len: usize,
    why: DecodeError,
    note: &mut Option<DecodeError>,
) -> Decoded {
    *note = Some(why);
    Decoded {
        layer: Layer::Partial(Box::new(Partial {
            proto,
            fields,
            header_len: u32::try_from(data.len()).unwrap_or(u32::MAX),
            payload_len: u32::try_from(payload_len).unwrap_or(u32::MAX),
        })),
        header_len: data.len(),
        payload_len: 0,
        next: None,
    }
}

/// Big-endian u16 at `at`, if captured.
pub(crate) fn be16(data: &[u8], at: usize) -> Option<u16> {
    let &[a, b] = data.get(at..at.checked_add(2)?)? else {
        return None;
    };
    Some(u16::from_be_bytes([a, b]))
}

/// Big-endian u32 at `at`, if captured.
pub(crate) fn be32(data: &[u8], at: usize) -> Option<u32> {
    let &[a, b, c, d] = data.get(at..at.checked_add(4)?)? else {
        return None;
    };
    Some(u32::from_be_bytes([a, b, c, d]))
}
