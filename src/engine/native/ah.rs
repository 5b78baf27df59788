//! IP Authentication Header (RFC 4302), in IPv4 and as an IPv6 extension header.
//!
//! AH does not encrypt: the protected payload follows the header and is dissected by the
//! header's next-header number (transport mode: TCP, UDP, OSPF, ESP, ...; tunnel mode: 4/41).

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, by_ip_proto, read};
use crate::model::{Ah, FieldValue, HexBytes, Layer, ProtoId};

/// Field offsets of the Authentication Header.
mod field {
    pub const NEXT_HEADER: usize = 0;
    /// Payload length: the header's length in 32-bit words, minus 2.
    pub const PAYLOAD_LEN: usize = 1;
    pub const RESERVED: usize = 2;
    pub const SPI: usize = 4;
    pub const SEQ: usize = 8;
    /// Integrity check value, up to the end of the header.
    pub const ICV: usize = 12;
}

/// Length of the fixed part of the header (without the ICV).
pub const MIN_HEADER_LEN: usize = 12;

/// A view over an Authentication Header whose whole length ((len + 2)·4 ≥ 12) is captured.
pub struct Packet<'a> {
    /// The fixed part of the header.
    fixed: &'a [u8; MIN_HEADER_LEN],
    /// The whole header, ICV included.
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking the payload length field and that the whole header
    /// ((payload length + 2)·4 bytes) is captured.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(fixed) = buffer.first_chunk::<MIN_HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "AH header",
                MIN_HEADER_LEN,
                buffer.len(),
            ));
        };
        let len = (usize::from(fixed[field::PAYLOAD_LEN]) + 2) * 4;
        if len < MIN_HEADER_LEN {
            return Err(DecodeError::other(format!(
                "AH payload length {} gives {len} bytes < {MIN_HEADER_LEN}",
                fixed[field::PAYLOAD_LEN]
            )));
        }
        let Some(buffer) = buffer.get(..len) else {
            return Err(DecodeError::truncated("AH header", len, buffer.len()));
        };
        Ok(Packet { fixed, buffer })
    }

    fn be32(&self, at: usize) -> u32 {
        read::be32(self.fixed, at).unwrap_or(0)
    }

    /// Protocol number of the protected payload.
    pub fn next_header(&self) -> u8 {
        self.fixed[field::NEXT_HEADER]
    }

    /// The payload length field as carried (32-bit words of the header, minus 2).
    pub fn payload_len_field(&self) -> u8 {
        self.fixed[field::PAYLOAD_LEN]
    }

    /// Reserved field.
    pub fn reserved(&self) -> u16 {
        read::be16(self.fixed, field::RESERVED).unwrap_or(0)
    }

    /// Security parameters index.
    pub fn spi(&self) -> u32 {
        self.be32(field::SPI)
    }

    /// Sequence number.
    pub fn seq(&self) -> u32 {
        self.be32(field::SEQ)
    }

    /// Integrity check value.
    pub fn icv(&self) -> &'a [u8] {
        self.buffer.get(field::ICV..).unwrap_or_default()
    }

    /// Header length in bytes.
    pub fn header_len(&self) -> usize {
        self.buffer.len()
    }
}

/// The fields of a header cut short, as tshark 4.0 shows them: the next header and the payload
/// length once 2 bytes are captured, the reserved field once 4 are, the SPI once 8, the
/// sequence number once 12 (the ICV only whole, that is never in a cut header).
fn cut(data: &[u8]) -> Fields {
    let mut fields = Fields::with_capacity(5);
    if let [next_header, len, ..] = *data {
        fields.push(("next_header", FieldValue::U8(next_header)));
        fields.push(("len", FieldValue::U8(len)));
    }
    fields.extend(partial::be16(data, field::RESERVED).map(|v| ("reserved", FieldValue::U16(v))));
    fields.extend(partial::be32(data, field::SPI).map(|v| ("spi", FieldValue::U32(v))));
    fields.extend(partial::be32(data, field::SEQ).map(|v| ("seq", FieldValue::U32(v))));
    fields
}

/// Decodes an Authentication Header; `declared` is the length the IP header leaves for it.
/// The payload is dissected by the next-header number. A header cut short is a partial layer
/// with the fields that fit (`note` says where it is cut).
pub fn decode(data: &[u8], declared: usize, note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why @ DecodeError::Truncated { .. }) => {
            return Ok(partial::keep(ProtoId::Ah, data, cut(data), 0, why, note));
        }
        Err(why) => return Err(why),
    };
    let header_len = packet.header_len();
    let payload_len = declared.saturating_sub(header_len);
    let next_header = packet.next_header();
    Ok(Decoded {
        layer: Layer::Ah(Ah {
            next_header,
            len: packet.payload_len_field(),
            reserved: packet.reserved(),
            spi: packet.spi(),
            seq: packet.seq(),
            icv: HexBytes(packet.icv().to_vec()),
            header_len: header_len as u32,
            payload_len: u32::try_from(payload_len).unwrap_or(u32::MAX),
        }),
        header_len,
        payload_len,
        next: by_ip_proto(next_header),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProtoId;

    /// pcpp__ipsec.pcapng frame 1: AH (next header ESP, length 4, SPI 0x8179b705, seq 3,
    /// 12-byte ICV) then 4 bytes of ESP. tshark: ah.icv 62:32:5d:2e:a1:4e:86:ab:90:2b:70:fb.
    const AH_ESP: [u8; 28] = [
        0x32, 0x04, 0x00, 0x00, 0x81, 0x79, 0xb7, 0x05, 0x00, 0x00, 0x00, 0x03, 0x62, 0x32, 0x5d,
        0x2e, 0xa1, 0x4e, 0x86, 0xab, 0x90, 0x2b, 0x70, 0xfb, 0x48, 0xda, 0xc2, 0xe4,
    ];

    #[test]
    fn decodes_every_field() {
        let d = decode(&AH_ESP, 100, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::Ah(Ah {
                next_header: 50,
                len: 4,
                reserved: 0,
                spi: 0x8179_b705,
                seq: 3,
                icv: HexBytes(vec![
                    0x62, 0x32, 0x5d, 0x2e, 0xa1, 0x4e, 0x86, 0xab, 0x90, 0x2b, 0x70, 0xfb
                ]),
                header_len: 24,
                payload_len: 76,
            })
        );
        assert_eq!((d.header_len, d.payload_len), (24, 76));
        assert_eq!(d.next, Some(ProtoId::Esp));
    }

    #[test]
    fn next_header_ospf_and_unknown() {
        let mut p = AH_ESP;
        p[0] = 89;
        assert_eq!(decode(&p, 24, &mut None).unwrap().next, Some(ProtoId::Ospf));
        p[0] = 253;
        let d = decode(&p, 24, &mut None).unwrap();
        assert_eq!((d.next, d.payload_len), (None, 0));
    }

    /// The cut header's fields and the note's wording at `data`.
    fn cut_at(data: &[u8]) -> (Vec<&'static str>, String) {
        let mut note = None;
        let d = decode(data, 100, &mut note).unwrap();
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        assert_eq!(
            (p.proto, p.header_len, d.next),
            (ProtoId::Ah, data.len() as u32, None)
        );
        let names = p.fields.iter().map(|(name, _)| *name).collect();
        (names, note.unwrap().to_string())
    }

    #[test]
    fn header_past_the_end_is_a_partial_layer() {
        assert_eq!(
            cut_at(&AH_ESP[..1]),
            (vec![], "AH header needs 12 bytes, 1 captured".into())
        );
        assert_eq!(
            cut_at(&AH_ESP[..11]),
            (
                vec!["next_header", "len", "reserved", "spi"],
                "AH header needs 12 bytes, 11 captured".into()
            )
        );
        assert_eq!(
            cut_at(&AH_ESP[..20]),
            (
                vec!["next_header", "len", "reserved", "spi", "seq"],
                "AH header needs 24 bytes, 20 captured".into()
            )
        );
        let mut p = AH_ESP;
        p[1] = 0xff; // (255 + 2)·4 = 1028 bytes
        assert_eq!(cut_at(&p).1, "AH header needs 1028 bytes, 28 captured");
    }

    #[test]
    fn payload_length_below_the_fixed_header_is_an_error() {
        let mut p = AH_ESP;
        p[1] = 0; // 8 bytes
        assert_eq!(
            decode(&p, 28, &mut None).err().unwrap().to_string(),
            "AH payload length 0 gives 8 bytes < 12"
        );
        p[1] = 1; // 12 bytes, no ICV
        let d = decode(&p, 12, &mut None).unwrap();
        let Layer::Ah(ah) = d.layer else {
            panic!("not AH")
        };
        assert_eq!((ah.icv.0.len(), d.header_len, d.payload_len), (0, 12, 0));
    }

    fn dissect(bytes: &[u8]) -> crate::model::Frame {
        use crate::capture::RawFrame;
        use crate::engine::native::NativeDissector;
        use crate::engine::{DissectOptions, Dissector};
        use crate::model::LinkType;
        let raw = RawFrame {
            number: 1,
            timestamp: None,
            len: bytes.len() as u32,
            link_type: LinkType::IPV4,
            interface: None,
            data: bytes,
        };
        NativeDissector.dissect(&raw, &DissectOptions::default())
    }

    /// An IPv4 header (proto 51) for a payload of `payload_len` bytes.
    fn ipv4(payload_len: usize) -> Vec<u8> {
        let total = (20 + payload_len) as u16;
        let mut ip = vec![
            0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 51, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        ip[2..4].copy_from_slice(&total.to_be_bytes());
        ip
    }

    /// Through the walker: IPv4 → AH → ESP → Raw (the encrypted rest), payloads trimmed to
    /// the IPv4 total length.
    #[test]
    fn walker_ipv4_ah_esp() {
        let mut p = ipv4(AH_ESP.len() + 8);
        p.extend_from_slice(&AH_ESP);
        p.extend_from_slice(&[0x00, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0xdd]);
        p.extend_from_slice(&[0; 6]); // link padding: not part of the datagram
        let frame = dissect(&p);
        assert_eq!(frame.error, None);
        assert_eq!(frame.protocol_chain(), "IPv4:AH:ESP:Raw");
        let Layer::Esp(esp) = &frame.layers[2] else {
            panic!("not ESP")
        };
        assert_eq!((esp.spi, esp.seq, esp.payload_len), (0x48da_c2e4, 3, 4));
        assert_eq!(frame.layers[3].proto(), ProtoId::Raw);
    }

    /// AH headers nested 100 deep (each naming AH next): the walker's layer cap stops it with
    /// an error, keeping the layers before.
    #[test]
    fn nested_ah_is_capped() {
        let mut ah = AH_ESP[..24].to_vec();
        ah[0] = 51;
        let mut p = ipv4(24 * 100);
        for _ in 0..100 {
            p.extend_from_slice(&ah);
        }
        let frame = dissect(&p);
        assert_eq!(frame.layers.len(), 32);
        let error = frame.error.expect("no error");
        assert_eq!(error.layer, ProtoId::Ah);
        assert_eq!(error.offset, 20 + 31 * 24);
        assert!(error.reason.contains("nested layers"), "{}", error.reason);
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200 {
            let bytes = super::super::test_random_bytes(&mut seed, 64);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], len, &mut None);
                let _ = decode(&bytes[..len], usize::MAX, &mut None);
            }
        }
    }
}
