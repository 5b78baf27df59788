//! (being written)

use super::DecodeResult;

#[allow(unused_variables)]
/// STUB
pub fn decode(data: &[u8]) -> DecodeResult {
    Err(super::DecodeError("not yet implemented".into()))
}
