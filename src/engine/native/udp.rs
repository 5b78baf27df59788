//! UDP header (RFC 768).

use super::{DecodeError, DecodeResult, Decoded, app};
use crate::model::{Layer, Udp};

/// Field offsets of the UDP header.
mod field {
    use std::ops::Range;
    pub const SRC_PORT: Range<usize> = 0..2;
    pub const DST_PORT: Range<usize> = 2..4;
    pub const LENGTH: Range<usize> = 4..6;
    pub const CHECKSUM: Range<usize> = 6..8;
}

/// Length of the UDP header.
pub const HEADER_LEN: usize = 8;

/// A view over a UDP datagram whose header is known to be complete.
pub struct Packet<'a> {
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        if buffer.len() < HEADER_LEN {
            return Err(DecodeError::truncated(
                "UDP header",
                HEADER_LEN,
                buffer.len(),
            ));
        }
        Ok(Packet { buffer })
    }

    /// Big-endian u16 at `range`.
    fn be16(&self, range: std::ops::Range<usize>) -> u16 {
        u16::from_be_bytes([self.buffer[range.start], self.buffer[range.start + 1]])
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        self.be16(field::SRC_PORT)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        self.be16(field::DST_PORT)
    }

    /// Length field: header and payload.
    pub fn len(&self) -> u16 {
        self.be16(field::LENGTH)
    }

    /// Checksum as carried (0: not computed).
    pub fn checksum(&self) -> u16 {
        self.be16(field::CHECKSUM)
    }
}

/// Decodes a UDP header.
///
/// The payload length comes from the length field; it may exceed the captured bytes (first IP
/// fragment, snap length), which the walker allows for. A length below 8 is an error.
pub fn decode(data: &[u8]) -> DecodeResult {
    let packet = Packet::new_checked(data)?;
    let len = packet.len();
    if usize::from(len) < HEADER_LEN {
        return Err(DecodeError::other(format!(
            "UDP length {len} < {HEADER_LEN} (the header alone)"
        )));
    }
    let payload_len = usize::from(len) - HEADER_LEN;
    let captured_end = usize::from(len).min(data.len());
    let payload = data.get(HEADER_LEN..captured_end).unwrap_or_default();
    Ok(Decoded {
        layer: Layer::Udp(Udp {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            len,
            checksum: packet.checksum(),
            header_len: HEADER_LEN as u32,
            payload_len: payload_len as u32,
        }),
        header_len: HEADER_LEN,
        payload_len,
        next: app::over_udp(packet.src_port(), packet.dst_port(), payload),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// pcpp__null_loopback.pcap frame 2: UDP 55369 → 8612, length 24, checksum 0x17ae,
    /// then the 16-byte payload.
    const DATAGRAM: [u8; 24] = [
        0xd8, 0x49, 0x21, 0xa4, 0x00, 0x18, 0x17, 0xae, 0x42, 0x4a, 0x4e, 0x42, 0x02, 0x01, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn decodes_every_field() {
        let d = decode(&DATAGRAM).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 16, None));
        assert_eq!(
            d.layer,
            Layer::Udp(Udp {
                src_port: 55369,
                dst_port: 8612,
                len: 24,
                checksum: 0x17ae,
                header_len: 8,
                payload_len: 16,
            })
        );
    }

    #[test]
    fn length_may_exceed_the_captured_bytes() {
        // Cut by the snap length (or a first fragment): the header's length still counts.
        let d = decode(&DATAGRAM[..10]).unwrap();
        assert_eq!((d.header_len, d.payload_len), (8, 16));
        let mut big = DATAGRAM;
        big[4..6].copy_from_slice(&[0xff, 0xff]);
        let d = decode(&big).unwrap();
        assert_eq!(d.payload_len, 65527);
    }

    #[test]
    fn header_only_datagram() {
        let mut empty = DATAGRAM;
        empty[4..6].copy_from_slice(&[0x00, 0x08]);
        let d = decode(&empty[..8]).unwrap();
        assert_eq!((d.header_len, d.payload_len), (8, 0));
    }

    #[test]
    fn length_below_eight_is_an_error() {
        let mut bad = DATAGRAM;
        for len in [0u8, 1, 7] {
            bad[4..6].copy_from_slice(&[0, len]);
            assert_eq!(
                decode(&bad).err().unwrap().to_string(),
                format!("UDP length {len} < 8 (the header alone)")
            );
        }
    }

    #[test]
    fn short_header_is_an_error() {
        assert_eq!(
            decode(&DATAGRAM[..7]).err().unwrap().to_string(),
            "UDP header needs 8 bytes, 7 captured"
        );
    }
}
