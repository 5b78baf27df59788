//! (being written)

use super::DecodeResult;

#[allow(unused_variables)]
/// STUB
pub fn decode_v4(data: &[u8], declared: usize) -> DecodeResult {
    Err(super::DecodeError("not yet implemented".into()))
}

#[allow(unused_variables)]
/// STUB
pub fn decode_v6(data: &[u8], declared: usize) -> DecodeResult {
    Err(super::DecodeError("not yet implemented".into()))
}
