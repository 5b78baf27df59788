//! Bounds-checked reads at an offset: `None` when the bytes are not there, never a panic.
//!
//! Dissectors read fields with these (or with slice patterns and `first_chunk`) instead of
//! indexing. A view whose constructor has checked the length reads with
//! `be16(..).unwrap_or(0)`: the offset is then a constant in range, and the optimizer folds
//! the check away.

/// The big-endian `u16` at `at`, if `data` holds its two bytes.
#[inline]
pub(crate) fn be16(data: &[u8], at: usize) -> Option<u16> {
    let bytes = data.get(at..)?.first_chunk::<2>()?;
    Some(u16::from_be_bytes(*bytes))
}

/// The big-endian `u32` at `at`, if `data` holds its four bytes.
#[inline]
pub(crate) fn be32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..)?.first_chunk::<4>()?;
    Some(u32::from_be_bytes(*bytes))
}

/// The `len` bytes at `at`, if `data` holds them all.
#[inline]
pub(crate) fn bytes(data: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    data.get(at..)?.get(..len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_range_and_refuses_past_the_end() {
        let data = [0x12, 0x34, 0x56, 0x78, 0x9a];
        assert_eq!(be16(&data, 0), Some(0x1234));
        assert_eq!(be16(&data, 3), Some(0x789a));
        assert_eq!(be16(&data, 4), None);
        assert_eq!(be16(&data, usize::MAX), None);
        assert_eq!(be32(&data, 1), Some(0x3456_789a));
        assert_eq!(be32(&data, 2), None);
        assert_eq!(bytes(&data, 1, 3), Some(&data[1..4]));
        assert_eq!(bytes(&data, 5, 0), Some(&[][..]));
        assert_eq!(bytes(&data, 4, 2), None);
        assert_eq!(bytes(&data, 6, 0), None);
        assert_eq!(bytes(&data, 1, usize::MAX), None);
    }
}
