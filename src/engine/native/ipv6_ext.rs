//! (being written)

use super::DecodeResult;

#[allow(unused_variables)]
/// STUB
pub fn decode(proto: crate::model::ProtoId, data: &[u8], declared: usize) -> DecodeResult {
    Err(super::DecodeError("not yet implemented".into()))
}
