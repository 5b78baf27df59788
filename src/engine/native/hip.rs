//! Host Identity Protocol (RFC 7401, v2; RFC 5201, v1): the fixed header and its parameters as
//! a type/length list with names for the common types.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, by_ip_proto, read};
use crate::model::{FieldValue, Hip, HipParameter, Layer, ProtoId};
use std::net::Ipv6Addr;

/// Field offsets of the HIP header.
mod field {
    use std::ops::Range;
    pub const NEXT_HEADER: usize = 0;
    /// Header length in 8-byte units, not counting the first 8 bytes.
    pub const HDR_LEN: usize = 1;
    /// Fixed P-bit (0) and the 7-bit packet type.
    pub const PACKET_TYPE: usize = 2;
    /// Version (4 bits), reserved (3 bits), fixed S-bit (1).
    pub const VERSION: usize = 3;
    pub const CHECKSUM: usize = 4;
    pub const CONTROLS: usize = 6;
    pub const SENDER_HIT: Range<usize> = 8..24;
    pub const RECEIVER_HIT: Range<usize> = 24..40;
    /// First parameter.
    pub const PARAMETERS: usize = 40;
}

/// Length of the fixed header (up to the first parameter).
pub const MIN_HEADER_LEN: usize = 40;

/// The most parameters listed for one packet (a 2040-byte header holds at most 250).
const MAX_PARAMETERS: usize = 256;

/// A view over a HIP packet whose fixed header is captured and whose header length covers it.
///
/// The parameter area may be cut by the snap length: [`Packet::parameters`] lists what is
/// captured.
pub struct Packet<'a> {
    /// The fixed header.
    fixed: &'a [u8; MIN_HEADER_LEN],
    /// The captured packet.
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that the 40-byte fixed header is captured and that the
    /// header length ((hdr_len + 1)·8) is at least 40.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(fixed) = buffer.first_chunk::<MIN_HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "HIP header",
                MIN_HEADER_LEN,
                buffer.len(),
            ));
        };
        let packet = Packet { fixed, buffer };
        let len = packet.header_len();
        if len < MIN_HEADER_LEN {
            return Err(DecodeError::other(format!(
                "HIP header length {} gives {len} bytes < {MIN_HEADER_LEN}",
                packet.hdr_len()
            )));
        }
        Ok(packet)
    }

    fn be16(&self, at: usize) -> u16 {
        read::be16(self.fixed, at).unwrap_or(0)
    }

    fn hit(&self, range: std::ops::Range<usize>) -> Ipv6Addr {
        let bytes = self
            .fixed
            .get(range)
            .and_then(|b| <[u8; 16]>::try_from(b).ok());
        Ipv6Addr::from(bytes.unwrap_or_default())
    }

    /// Protocol number of the payload (59: none).
    pub fn next_header(&self) -> u8 {
        self.fixed[field::NEXT_HEADER]
    }

    /// Header length field (8-byte units beyond the first 8 bytes).
    pub fn hdr_len(&self) -> u8 {
        self.fixed[field::HDR_LEN]
    }

    /// Header length in bytes, parameters included: (hdr_len + 1)·8.
    pub fn header_len(&self) -> usize {
        (usize::from(self.hdr_len()) + 1) * 8
    }

    /// Packet type (7 bits).
    pub fn packet_type(&self) -> u8 {
        self.fixed[field::PACKET_TYPE] & 0x7f
    }

    /// Version (4 bits).
    pub fn version(&self) -> u8 {
        self.fixed[field::VERSION] >> 4
    }

    /// Checksum as carried.
    pub fn checksum(&self) -> u16 {
        self.be16(field::CHECKSUM)
    }

    /// Controls.
    pub fn controls(&self) -> u16 {
        self.be16(field::CONTROLS)
    }

    /// Sender's Host Identity Tag.
    pub fn sender_hit(&self) -> Ipv6Addr {
        self.hit(field::SENDER_HIT)
    }

    /// Receiver's Host Identity Tag.
    pub fn receiver_hit(&self) -> Ipv6Addr {
        self.hit(field::RECEIVER_HIT)
    }

    /// The parameters in the captured part of the header, in order.
    ///
    /// Each parameter is type (2), length (2, of the contents), contents, padding to a multiple
    /// of 8 bytes. A parameter whose contents run past the header ends the list.
    pub fn parameters(&self) -> Vec<HipParameter> {
        let end = self.header_len().min(self.buffer.len());
        let area = self.buffer.get(field::PARAMETERS..end).unwrap_or_default();
        let mut parameters = Vec::new();
        let mut at = 0usize;
        while parameters.len() < MAX_PARAMETERS {
            let Some(&[k0, k1, l0, l1]) = area.get(at..at + 4) else {
                break;
            };
            let kind = u16::from_be_bytes([k0, k1]);
            let len = u16::from_be_bytes([l0, l1]);
            let contents_end = at + 4 + usize::from(len);
            if contents_end > area.len() {
                break;
            }
            parameters.push(HipParameter {
                kind,
                name: parameter_name(kind),
                len,
            });
            at = (contents_end + 7) & !7;
        }
        parameters
    }
}

/// The name of a HIP packet type, if known.
pub fn packet_type_name(packet_type: u8) -> Option<&'static str> {
    Some(match packet_type {
        1 => "I1",
        2 => "R1",
        3 => "I2",
        4 => "R2",
        16 => "UPDATE",
        17 => "NOTIFY",
        18 => "CLOSE",
        19 => "CLOSE_ACK",
        20 => "HDRR",
        32 => "HIP_DATA",
        _ => return None,
    })
}

/// The name of a HIP parameter type (IANA registry), or `Unknown`.
pub fn parameter_name(kind: u16) -> &'static str {
    match kind {
        65 => "ESP_INFO",
        128 => "R1_Counter",
        129 => "R1_COUNTER",
        193 => "LOCATOR_SET",
        257 => "PUZZLE",
        321 => "SOLUTION",
        385 => "SEQ",
        449 => "ACK",
        511 => "DH_GROUP_LIST",
        513 => "DIFFIE_HELLMAN",
        577 => "HIP_TRANSFORM",
        579 => "HIP_CIPHER",
        608 => "NAT_TRAVERSAL_MODE",
        610 => "TRANSACTION_PACING",
        641 => "ENCRYPTED",
        705 => "HOST_ID",
        715 => "HIT_SUITE_LIST",
        768 => "CERT",
        832 => "NOTIFICATION",
        897 => "ECHO_REQUEST_SIGNED",
        930 => "REG_INFO",
        932 => "REG_REQUEST",
        934 => "REG_RESPONSE",
        936 => "REG_FAILED",
        950 => "REG_FROM",
        961 => "ECHO_RESPONSE_SIGNED",
        2049 => "TRANSPORT_FORMAT_LIST",
        4095 => "ESP_TRANSFORM",
        4481 => "SEQ_DATA",
        4545 => "ACK_DATA",
        4577 => "PAYLOAD_MIC",
        61505 => "HIP_MAC",
        61569 => "HIP_MAC_2",
        61633 => "HIP_SIGNATURE_2",
        61697 => "HIP_SIGNATURE",
        63425 => "ECHO_RESPONSE_UNSIGNED",
        63661 => "ECHO_REQUEST_UNSIGNED",
        63998 => "RELAY_FROM",
        64002 => "RELAY_TO",
        64011 => "OVERLAY_TTL",
        64017 => "ROUTE_VIA",
        65498 => "FROM",
        65500 => "RVS_HMAC",
        65502 => "VIA_RVS",
        65520 => "RELAY_HMAC",
        _ => "Unknown",
    }
}

/// The fields of a fixed header cut short, as tshark 4.0 shows them: the first 8 bytes'
/// fields together once they are captured, the sender's HIT once it is whole (the receiver's
/// HIT ends the fixed header).
fn cut(data: &[u8]) -> Fields {
    let mut fields = Fields::with_capacity(7);
    let Some(&[next_header, hdr_len, packet_type, version, c0, c1, k0, k1]) = data.first_chunk()
    else {
        return fields;
    };
    fields.extend([
        ("next_header", FieldValue::U8(next_header)),
        ("hdr_len", FieldValue::U8(hdr_len)),
        ("packet_type", FieldValue::U8(packet_type & 0x7f)),
        ("version", FieldValue::U8(version >> 4)),
        ("checksum", FieldValue::U16(u16::from_be_bytes([c0, c1]))),
        ("controls", FieldValue::U16(u16::from_be_bytes([k0, k1]))),
    ]);
    let sender = data
        .get(field::SENDER_HIT)
        .and_then(|b| <[u8; 16]>::try_from(b).ok());
    fields.extend(sender.map(|hit| ("sender_hit", FieldValue::Ipv6(Ipv6Addr::from(hit)))));
    fields
}

/// Decodes a HIP header and its parameters; `declared` is the length the IP header leaves for
/// it. The payload (normally none: next header 59) follows the header length. A fixed header
/// cut short is a partial layer with the fields that fit (`note` says where it is cut).
pub fn decode(data: &[u8], declared: usize, note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why @ DecodeError::Truncated { .. }) => {
            return Ok(partial::keep(ProtoId::Hip, data, cut(data), 0, why, note));
        }
        Err(why) => return Err(why),
    };
    let header_len = packet.header_len();
    let payload_len = declared.saturating_sub(header_len);
    let next_header = packet.next_header();
    let packet_type = packet.packet_type();
    Ok(Decoded {
        layer: Layer::Hip(Box::new(Hip {
            next_header,
            hdr_len: packet.hdr_len(),
            packet_type,
            type_name: packet_type_name(packet_type),
            version: packet.version(),
            checksum: packet.checksum(),
            controls: packet.controls(),
            sender_hit: packet.sender_hit(),
            receiver_hit: packet.receiver_hit(),
            parameters: packet.parameters(),
            header_len: header_len as u32,
            payload_len: u32::try_from(payload_len).unwrap_or(u32::MAX),
        })),
        header_len,
        payload_len,
        next: by_ip_proto(next_header),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A HIP I1-like header (hdr_len 6: 56 bytes) with the parameters of cutehip__hip.pcap
    /// frame 1 (DH_GROUP_LIST, type 511, length 6, padded to 16 bytes).
    fn i1() -> Vec<u8> {
        let mut p = vec![
            0x3b, 0x06, 0x01, 0x21, 0x64, 0x55, 0x00, 0x00, // nh 59, len 6, I1, v2 + S
        ];
        p.extend_from_slice(&[
            0x20, 0x01, 0x00, 0x21, 0x17, 0xff, 0x02, 0x34, 0xb2, 0x00, 0xad, 0x27, 0x07, 0x67,
            0xf4, 0x66,
        ]);
        p.extend_from_slice(&[
            0x20, 0x01, 0x00, 0x21, 0x10, 0x10, 0xfb, 0x60, 0x68, 0x5e, 0xad, 0xa0, 0x17, 0xcf,
            0x59, 0x87,
        ]);
        p.extend_from_slice(&[0x01, 0xff, 0x00, 0x06, 0x09, 0x08, 0x07, 0x03, 0x04, 0x05]);
        p.extend_from_slice(&[0; 6]); // padding to 16
        p
    }

    #[test]
    fn decodes_header_and_parameters() {
        let p = i1();
        let d = decode(&p, p.len(), &mut None).unwrap();
        let Layer::Hip(hip) = d.layer else {
            panic!("not HIP")
        };
        assert_eq!(
            *hip,
            Hip {
                next_header: 59,
                hdr_len: 6,
                packet_type: 1,
                type_name: Some("I1"),
                version: 2,
                checksum: 0x6455,
                controls: 0,
                sender_hit: "2001:21:17ff:234:b200:ad27:767:f466".parse().unwrap(),
                receiver_hit: "2001:21:1010:fb60:685e:ada0:17cf:5987".parse().unwrap(),
                parameters: vec![HipParameter {
                    kind: 511,
                    name: "DH_GROUP_LIST",
                    len: 6
                }],
                header_len: 56,
                payload_len: 0,
            }
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (56, 0, None));
    }

    #[test]
    fn parameters_padded_to_8_and_named() {
        let mut p = i1();
        // Replace the parameter area with PUZZLE (len 12 → 16 bytes) and HIP_MAC (len 4 → 8).
        p.truncate(40);
        p.extend_from_slice(&[0x01, 0x01, 0x00, 0x0c]);
        p.extend_from_slice(&[0xaa; 12]);
        p.extend_from_slice(&[0xf0, 0x41, 0x00, 0x04, 1, 2, 3, 4]);
        p[1] = ((p.len() / 8) - 1) as u8;
        let d = decode(&p, p.len(), &mut None).unwrap();
        let Layer::Hip(hip) = d.layer else {
            panic!("not HIP")
        };
        let got: Vec<_> = hip
            .parameters
            .iter()
            .map(|x| (x.kind, x.name, x.len))
            .collect();
        assert_eq!(got, [(257, "PUZZLE", 12), (61505, "HIP_MAC", 4)]);
        assert_eq!(hip.header_len, 64);
    }

    #[test]
    fn parameter_past_the_end_stops_the_list() {
        let mut p = i1();
        p[42..44].copy_from_slice(&[0xff, 0xff]); // length 65535
        let d = decode(&p, p.len(), &mut None).unwrap();
        let Layer::Hip(hip) = d.layer else {
            panic!("not HIP")
        };
        assert!(hip.parameters.is_empty());
        // A parameter area cut by the snap length: only what is captured is listed.
        let p = i1();
        let d = decode(&p[..45], p.len(), &mut None).unwrap();
        let Layer::Hip(hip) = d.layer else {
            panic!("not HIP")
        };
        assert!(hip.parameters.is_empty());
        assert_eq!(d.header_len, 56);
    }

    #[test]
    fn header_length_errors() {
        let p = i1();
        let cut_at = |n: usize| {
            let mut note = None;
            let d = decode(&p[..n], 100, &mut note).unwrap();
            let Layer::Partial(cut) = d.layer else {
                panic!("not partial")
            };
            assert_eq!((cut.proto, d.next), (ProtoId::Hip, None));
            let names: Vec<&str> = cut.fields.iter().map(|(name, _)| *name).collect();
            (names, note.unwrap().to_string())
        };
        let fixed = [
            "next_header",
            "hdr_len",
            "packet_type",
            "version",
            "checksum",
            "controls",
        ];
        assert_eq!(
            cut_at(39),
            (
                [&fixed[..], &["sender_hit"]].concat(),
                "HIP header needs 40 bytes, 39 captured".into()
            )
        );
        assert_eq!(cut_at(23).0, fixed);
        assert!(cut_at(7).0.is_empty());
        let mut q = p.clone();
        q[1] = 3; // 32 bytes
        assert_eq!(
            decode(&q, q.len(), &mut None).err().unwrap().to_string(),
            "HIP header length 3 gives 32 bytes < 40"
        );
        // Header length past the IP payload: no payload, parameters as captured.
        q[1] = 0xff;
        let d = decode(&q, q.len(), &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (2048, 0));
    }

    #[test]
    fn many_zero_length_parameters_are_capped() {
        let mut p = vec![0u8; 2048];
        p[0] = 59;
        p[1] = 0xff;
        let d = decode(&p, p.len(), &mut None).unwrap();
        let Layer::Hip(hip) = d.layer else {
            panic!("not HIP")
        };
        // (2048 − 40) / 8 zero-length parameters, each padded to 8 bytes.
        assert_eq!(hip.parameters.len(), 251.min(MAX_PARAMETERS));
    }

    #[test]
    fn type_names() {
        let names: Vec<_> = [1u8, 2, 3, 4, 16, 17, 18, 19, 99]
            .into_iter()
            .map(packet_type_name)
            .collect();
        assert_eq!(
            names,
            [
                Some("I1"),
                Some("R1"),
                Some("I2"),
                Some("R2"),
                Some("UPDATE"),
                Some("NOTIFY"),
                Some("CLOSE"),
                Some("CLOSE_ACK"),
                None
            ]
        );
    }

    #[test]
    fn no_panic_on_random_bytes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..300 {
            let mut bytes = super::super::test_random_bytes(&mut seed, 256);
            bytes[1] = (round % 32) as u8;
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], len, &mut None);
                let _ = decode(&bytes[..len], usize::MAX, &mut None);
            }
        }
    }
}
