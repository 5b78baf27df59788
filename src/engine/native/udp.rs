//! UDP header (RFC 768).

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, app};
use crate::model::{FieldValue, Layer, ProtoId, Udp};

/// Field offsets of the UDP header.
mod field {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const LENGTH: usize = 4;
    pub const CHECKSUM: usize = 6;
}

/// Length of the UDP header.
pub const HEADER_LEN: usize = 8;

/// A view over a UDP datagram whose header is known to be complete.
pub struct Packet<'a> {
    header: &'a [u8; HEADER_LEN],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(header) = buffer.first_chunk::<HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "UDP header",
                HEADER_LEN,
                buffer.len(),
            ));
        };
        Ok(Packet { header })
    }

    /// Big-endian u16 at `at`.
    fn be16(&self, at: usize) -> u16 {
        partial::be16(self.header, at).unwrap_or_default()
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
///
/// A header cut by the snap length is a partial layer (`note` says where): the ports after 4
/// bytes, the length after 6, as tshark shows them.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why) => {
            let (fields, payload_len) = cut(data);
            return Ok(partial::keep(
                ProtoId::Udp,
                data,
                fields,
                payload_len,
                why,
                note,
            ));
        }
    };
    let len = packet.len();
    if usize::from(len) < HEADER_LEN {
        // tshark shows the ports and the bad length, and stops.
        let head = data.get(..field::LENGTH + 2).unwrap_or(data);
        let (fields, _) = cut(head);
        let why = DecodeError::other(format!(
            "UDP length {len} < {HEADER_LEN} (the header alone)"
        ));
        return Ok(partial::keep(ProtoId::Udp, head, fields, 0, why, note));
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
        next: app::after(
            ProtoId::Udp,
            packet.src_port(),
            packet.dst_port(),
            payload,
            payload_len,
        ),
    })
}

/// The fields of a header cut short and the payload length its length field declares.
fn cut(data: &[u8]) -> (Fields, usize) {
    let mut fields = Fields::with_capacity(3);
    let (Some(src_port), Some(dst_port)) = (
        partial::be16(data, field::SRC_PORT),
        partial::be16(data, field::DST_PORT),
    ) else {
        return (fields, 0);
    };
    fields.push(("src_port", FieldValue::U16(src_port)));
    fields.push(("dst_port", FieldValue::U16(dst_port)));
    let Some(len) = partial::be16(data, field::LENGTH) else {
        return (fields, 0);
    };
    fields.push(("len", FieldValue::U16(len)));
    (fields, usize::from(len).saturating_sub(HEADER_LEN))
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
        let d = decode(&DATAGRAM, &mut None).unwrap();
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
        let d = decode(&DATAGRAM[..10], &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (8, 16));
        let mut big = DATAGRAM;
        big[4..6].copy_from_slice(&[0xff, 0xff]);
        let d = decode(&big, &mut None).unwrap();
        assert_eq!(d.payload_len, 65527);
    }

    #[test]
    fn header_only_datagram() {
        let mut empty = DATAGRAM;
        empty[4..6].copy_from_slice(&[0x00, 0x08]);
        let d = decode(&empty[..8], &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (8, 0));
    }

    #[test]
    fn length_below_eight_keeps_ports_and_length() {
        let mut bad = DATAGRAM;
        for len in [0u8, 1, 7] {
            bad[4..6].copy_from_slice(&[0, len]);
            let mut note = None;
            let d = decode(&bad, &mut note).unwrap();
            assert_eq!(
                note.unwrap().to_string(),
                format!("UDP length {len} < 8 (the header alone)")
            );
            assert_eq!((d.header_len, d.payload_len, d.next), (6, 0, None));
            assert_eq!(
                serde_json::to_value(&d.layer).unwrap(),
                serde_json::json!({"protocol": "UDP", "src_port": 55369, "dst_port": 8612,
                    "len": len, "truncated": true, "header_len": 6, "payload_len": 0})
            );
        }
    }

    #[test]
    fn short_header_is_a_partial_layer() {
        for len in 0..HEADER_LEN {
            let mut note = None;
            let d = decode(&DATAGRAM[..len], &mut note).unwrap();
            assert_eq!((d.header_len, d.payload_len, d.next), (len, 0, None));
            let Layer::Partial(cut) = d.layer else {
                panic!("not partial")
            };
            assert_eq!(cut.proto, ProtoId::Udp);
            let expected: &[(&str, FieldValue)] = match len {
                0..4 => &[],
                4 | 5 => &[
                    ("src_port", FieldValue::U16(55369)),
                    ("dst_port", FieldValue::U16(8612)),
                ],
                _ => &[
                    ("src_port", FieldValue::U16(55369)),
                    ("dst_port", FieldValue::U16(8612)),
                    ("len", FieldValue::U16(24)),
                ],
            };
            assert_eq!(cut.fields, expected);
            assert_eq!(cut.payload_len, if len >= 6 { 16 } else { 0 });
            assert_eq!(
                note.unwrap().to_string(),
                format!("UDP header needs 8 bytes, {len} captured")
            );
        }
    }
}
