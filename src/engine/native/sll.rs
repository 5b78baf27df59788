//! (being written)

use super::DecodeResult;

#[allow(unused_variables)]
/// STUB
pub fn decode_v1(data: &[u8]) -> DecodeResult {
    Err(super::DecodeError("not yet implemented".into()))
}

#[allow(unused_variables)]
/// STUB
pub fn decode_v2(data: &[u8]) -> DecodeResult {
    Err(super::DecodeError("not yet implemented".into()))
}
