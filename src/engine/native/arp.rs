//! (being written)

use super::DecodeResult;

#[allow(unused_variables)]
/// STUB
pub fn decode(data: &[u8], proto: crate::model::ProtoId) -> DecodeResult {
    Err(super::DecodeError("not yet implemented".into()))
}
