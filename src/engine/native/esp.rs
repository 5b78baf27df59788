//! IP Encapsulating Security Payload (RFC 4303): SPI and sequence number; the rest is
//! encrypted and reported as `Raw`.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{Esp, FieldValue, Layer, ProtoId};

/// Field offsets of the ESP header.
mod field {
    pub const SPI: usize = 0;
    pub const SEQ: usize = 4;
}

/// Length of the ESP header (SPI and sequence number).
pub const HEADER_LEN: usize = 8;

/// The UDP port of IPsec NAT traversal (RFC 3948), ESP and IKE sharing it.
pub const UDP_ENCAP_PORT: u16 = 4500;

/// Whether a UDP payload on [`UDP_ENCAP_PORT`] is ESP (RFC 3948 §2): not a NAT-keepalive
/// (the one byte 0xFF) and not IKE (a zero non-ESP marker where the SPI would be). Wireshark
/// reads the first four bytes as that marker, so fewer are not ESP.
pub fn is_udp_encapsulated(payload: &[u8]) -> bool {
    payload
        .first_chunk::<4>()
        .is_some_and(|marker| *marker != [0; 4])
}

/// A view over an ESP packet whose 8-byte header is captured.
pub struct Packet<'a> {
    header: &'a [u8; HEADER_LEN],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds the SPI and the sequence number.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(header) = buffer.first_chunk::<HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "ESP header",
                HEADER_LEN,
                buffer.len(),
            ));
        };
        Ok(Packet { header })
    }

    fn be32(&self, at: usize) -> u32 {
        read::be32(self.header, at).unwrap_or(0)
    }

    /// Security parameters index.
    pub fn spi(&self) -> u32 {
        self.be32(field::SPI)
    }

    /// Sequence number.
    pub fn seq(&self) -> u32 {
        self.be32(field::SEQ)
    }
}

/// Decodes an ESP header; `declared` is the length the IP header leaves for it. The encrypted
/// rest (payload, padding, trailer, ICV) is `payload_len` bytes with no next protocol. A header
/// cut short is a partial layer (`note` says where): the SPI once 4 bytes are captured, as
/// tshark 4.0 shows it.
pub fn decode(data: &[u8], declared: usize, note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why) => {
            let fields: Fields = partial::be32(data, 0)
                .map(|spi| ("spi", FieldValue::U32(spi)))
                .into_iter()
                .collect();
            return Ok(partial::keep(ProtoId::Esp, data, fields, 0, why, note));
        }
    };
    let payload_len = declared.saturating_sub(HEADER_LEN);
    Ok(Decoded {
        layer: Layer::Esp(Esp {
            spi: packet.spi(),
            seq: packet.seq(),
            header_len: HEADER_LEN as u32,
            payload_len: u32::try_from(payload_len).unwrap_or(u32::MAX),
        }),
        header_len: HEADER_LEN,
        payload_len,
        next: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tcpdump__02-sunrise-sunset-esp.pcap frame 1: SPI 0x12345678, sequence 1.
    const ESP: [u8; 12] = [
        0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef,
    ];

    #[test]
    fn decodes_spi_and_seq() {
        let d = decode(&ESP, 12, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::Esp(Esp {
                spi: 0x1234_5678,
                seq: 1,
                header_len: 8,
                payload_len: 4,
            })
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 4, None));
    }

    #[test]
    fn short_header_is_a_partial_layer() {
        for (n, fields) in [
            (3, vec![]),
            (4, vec![("spi", FieldValue::U32(0x1234_5678))]),
            (7, vec![("spi", FieldValue::U32(0x1234_5678))]),
        ] {
            let mut note = None;
            let d = decode(&ESP[..n], n, &mut note).unwrap();
            assert_eq!(
                note.unwrap().to_string(),
                format!("ESP header needs 8 bytes, {n} captured")
            );
            let Layer::Partial(p) = d.layer else {
                panic!("not partial")
            };
            assert_eq!((p.proto, p.fields, d.next), (ProtoId::Esp, fields, None));
        }
    }

    #[test]
    fn declared_shorter_than_header_gives_empty_payload() {
        let d = decode(&ESP, 4, &mut None).unwrap();
        assert_eq!(d.payload_len, 0);
    }

    #[test]
    fn no_panic_on_random_bytes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..300 {
            let bytes = super::super::test_random_bytes(&mut seed, 16);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], len, &mut None);
                let _ = decode(&bytes[..len], usize::MAX, &mut None);
            }
        }
    }
}
