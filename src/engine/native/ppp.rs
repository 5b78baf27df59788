//! Point-to-Point Protocol framing (RFC 1661) as carried by PPPoE, L2TP and enhanced GRE.
//!
//! The frame may start with the address and control bytes 0xFF 0x03 (absent when Address and
//! Control Field Compression was negotiated, as in PPPoE); the protocol field is two bytes, or
//! one when Protocol Field Compression applies (a protocol's first byte is even, its last odd,
//! so an odd first byte is a one-byte protocol). IPv4, IPv6, IPX and MPLS continue; the control
//! protocols (LCP, IPCP, IPV6CP, CCP, PAP, CHAP, EAP) get their code, identifier and length,
//! and their options or data are left `Raw`.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{FieldValue, Layer, Ppp, ProtoId};

/// The address and control bytes of HDLC-like framing.
pub const ADDRESS_CONTROL: [u8; 2] = [0xff, 0x03];

/// Length of a control protocol's code, identifier and length.
pub const CONTROL_HEADER_LEN: usize = 4;

/// PPP protocol numbers.
pub mod protocol {
    /// Internet Protocol version 4.
    pub const IPV4: u16 = 0x0021;
    /// Novell IPX.
    pub const IPX: u16 = 0x002b;
    /// Internet Protocol version 6.
    pub const IPV6: u16 = 0x0057;
    /// MPLS unicast.
    pub const MPLS: u16 = 0x0281;
    /// MPLS multicast.
    pub const MPLS_MULTICAST: u16 = 0x0283;
    /// Link Control Protocol.
    pub const LCP: u16 = 0xc021;
    /// Password Authentication Protocol.
    pub const PAP: u16 = 0xc023;
    /// Challenge Handshake Authentication Protocol.
    pub const CHAP: u16 = 0xc223;
    /// Extensible Authentication Protocol.
    pub const EAP: u16 = 0xc227;
    /// IP Control Protocol.
    pub const IPCP: u16 = 0x8021;
    /// IPX Control Protocol.
    pub const IPXCP: u16 = 0x802b;
    /// IPv6 Control Protocol.
    pub const IPV6CP: u16 = 0x8057;
    /// Compression Control Protocol.
    pub const CCP: u16 = 0x80fd;
}

/// The name of a PPP protocol number, if known.
pub fn protocol_name(number: u16) -> Option<&'static str> {
    Some(match number {
        0x0021 => "IPv4",
        0x002b => "IPX",
        0x002d => "VJ-Compressed",
        0x002f => "VJ-Uncompressed",
        0x003d => "MP",
        0x0057 => "IPv6",
        0x00fd => "Compressed",
        0x0281 => "MPLS",
        0x8021 => "IPCP",
        0x802b => "IPXCP",
        0x8057 => "IPV6CP",
        0x80fd => "CCP",
        0x8281 => "MPLSCP",
        0xc021 => "LCP",
        0xc023 => "PAP",
        0xc025 => "LQR",
        0xc223 => "CHAP",
        0xc227 => "EAP",
        _ => return None,
    })
}

/// Whether `number` is a control protocol with a code, identifier and length header.
fn is_control(number: u16) -> bool {
    use protocol::*;
    matches!(number, LCP | PAP | CHAP | EAP | IPCP | IPXCP | IPV6CP | CCP)
}

/// The name of a control protocol's code.
pub fn code_name(number: u16, code: u8) -> Option<&'static str> {
    use protocol::*;
    Some(match (number, code) {
        (PAP, 1) => "Authenticate-Request",
        (PAP, 2) => "Authenticate-Ack",
        (PAP, 3) => "Authenticate-Nak",
        (CHAP, 1) => "Challenge",
        (CHAP, 2) => "Response",
        (CHAP, 3) => "Success",
        (CHAP, 4) => "Failure",
        (EAP, 1) => "Request",
        (EAP, 2) => "Response",
        (EAP, 3) => "Success",
        (EAP, 4) => "Failure",
        (PAP | CHAP | EAP, _) => return None,
        (_, 1) => "Configure-Request",
        (_, 2) => "Configure-Ack",
        (_, 3) => "Configure-Nak",
        (_, 4) => "Configure-Reject",
        (_, 5) => "Terminate-Request",
        (_, 6) => "Terminate-Ack",
        (_, 7) => "Code-Reject",
        (LCP, 8) => "Protocol-Reject",
        (LCP, 9) => "Echo-Request",
        (LCP, 10) => "Echo-Reply",
        (LCP, 11) => "Discard-Request",
        (LCP, 12) => "Identification",
        (LCP, 13) => "Time-Remaining",
        (CCP, 14) => "Reset-Request",
        (CCP, 15) => "Reset-Ack",
        _ => return None,
    })
}

/// The protocol a PPP protocol number names, if pcapkit decodes it.
pub fn next_protocol(number: u16) -> Option<ProtoId> {
    match number {
        protocol::IPV4 => Some(ProtoId::Ipv4),
        protocol::IPV6 => Some(ProtoId::Ipv6),
        protocol::IPX => Some(ProtoId::Ipx),
        // Wireshark hands both MPLS numbers to its MPLS dissector (RFC 3032 §4).
        protocol::MPLS | protocol::MPLS_MULTICAST => Some(ProtoId::Mpls),
        _ => None,
    }
}

/// A view over a PPP frame whose framing and protocol field are known to be captured (and, for
/// a control protocol, its 4-byte header with a length of at least 4).
pub struct Packet<'a> {
    buffer: &'a [u8],
    /// Offset of the protocol field (0, or 2 after 0xFF 0x03).
    proto_at: usize,
    /// Length of the protocol field (1 or 2).
    proto_len: usize,
    /// The protocol field's value.
    protocol: u16,
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking the framing, the protocol field and, for a control
    /// protocol, its code/identifier/length header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let proto_at = if buffer.starts_with(&ADDRESS_CONTROL) {
            2
        } else if buffer == [ADDRESS_CONTROL[0]] {
            // The address byte alone: the frame was cut inside HDLC-like framing.
            return Err(DecodeError::truncated("PPP header", 4, 1));
        } else {
            0
        };
        let (protocol, proto_len) = match *buffer.get(proto_at..).unwrap_or_default() {
            [first, ..] if first & 1 == 1 => (u16::from(first), 1),
            [high, low, ..] => (u16::from_be_bytes([high, low]), 2),
            ref field => {
                return Err(DecodeError::truncated(
                    "PPP header",
                    proto_at + if field.is_empty() { 1 } else { 2 },
                    buffer.len(),
                ));
            }
        };
        let packet = Packet {
            buffer,
            proto_at,
            proto_len,
            protocol,
        };
        if is_control(packet.protocol()) {
            let at = proto_at + proto_len;
            let needed = at + CONTROL_HEADER_LEN;
            let name = protocol_name(packet.protocol()).unwrap_or("PPP control");
            let Some(len) = read::be16(buffer, at + 2) else {
                return Err(DecodeError::truncated(
                    &format!("{name} header"),
                    needed,
                    buffer.len(),
                ));
            };
            if usize::from(len) < CONTROL_HEADER_LEN {
                return Err(DecodeError::other(format!(
                    "{name} length {len} < {CONTROL_HEADER_LEN} (the header alone)"
                )));
            }
        }
        Ok(packet)
    }

    /// Whether the address and control bytes are present.
    pub fn has_address_control(&self) -> bool {
        self.proto_at == 2
    }

    /// The protocol field (one byte when compressed).
    pub fn protocol(&self) -> u16 {
        self.protocol
    }

    /// Length of the framing and protocol field.
    pub fn framing_len(&self) -> usize {
        self.proto_at + self.proto_len
    }

    /// A control protocol's (code, identifier, length); `None` for other protocols.
    pub fn control_header(&self) -> Option<(u8, u8, u16)> {
        if !is_control(self.protocol()) {
            return None;
        }
        let &[code, id, l0, l1] = self
            .buffer
            .get(self.framing_len()..)?
            .first_chunk::<CONTROL_HEADER_LEN>()?;
        Some((code, id, u16::from_be_bytes([l0, l1])))
    }
}

/// Decodes a PPP header.
///
/// For data protocols the payload is the captured rest of the frame; for control protocols the
/// header includes the code, identifier and length, and the payload is `length − 4` bytes.
///
/// A header cut short is a partial layer with what tshark 4.0 shows of it ([`cut`]); `note`
/// says where it was cut.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why @ DecodeError::Truncated { .. }) => {
            return Ok(partial::keep(ProtoId::Ppp, data, cut(data), 0, why, note));
        }
        Err(err) => return Err(err),
    };
    let number = packet.protocol();
    let control = packet.control_header();
    let (header_len, payload_len) = match control {
        Some((_, _, len)) => (
            packet.framing_len() + CONTROL_HEADER_LEN,
            usize::from(len) - CONTROL_HEADER_LEN,
        ),
        None => (packet.framing_len(), data.len() - packet.framing_len()),
    };
    let (address, control_byte) = if packet.has_address_control() {
        (Some(ADDRESS_CONTROL[0]), Some(ADDRESS_CONTROL[1]))
    } else {
        (None, None)
    };
    Ok(Decoded {
        layer: Layer::Ppp(Ppp {
            address,
            control: control_byte,
            ppp_protocol: number,
            ppp_protocol_name: protocol_name(number),
            code: control.map(|c| c.0),
            code_name: control.and_then(|c| code_name(number, c.0)),
            id: control.map(|c| c.1),
            len: control.map(|c| c.2),
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        }),
        header_len,
        payload_len,
        next: next_protocol(number),
    })
}

/// The fields of a header cut short, as tshark 4.0 shows them: the address byte, the control
/// byte, then the protocol field once it is whole (a control protocol's code, identifier and
/// length come together, and only with all 4 bytes: then the header is not cut).
fn cut(data: &[u8]) -> Fields {
    let mut fields = Fields::with_capacity(3);
    let framed = data.first() == Some(&ADDRESS_CONTROL[0]);
    let proto_at = if framed {
        fields.push(("address", FieldValue::U8(ADDRESS_CONTROL[0])));
        if let Some(&control) = data.get(1) {
            fields.push(("control", FieldValue::U8(control)));
        }
        2
    } else {
        0
    };
    match *data.get(proto_at..).unwrap_or_default() {
        [first, ..] if first & 1 == 1 => {
            fields.push(("ppp_protocol", FieldValue::U16(first.into())))
        }
        [high, low, ..] => fields.push((
            "ppp_protocol",
            FieldValue::U16(u16::from_be_bytes([high, low])),
        )),
        _ => {}
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    /// dpkt__nb6-http.pcap frame 20, the PPP frame inside L2TP: 0xFF 0x03, LCP, Echo-Request,
    /// identifier 0x24, length 8, magic number 0xe7e18ff6.
    const LCP_ECHO: [u8; 12] = [
        0xff, 0x03, 0xc0, 0x21, 0x09, 0x24, 0x00, 0x08, 0xe7, 0xe1, 0x8f, 0xf6,
    ];

    /// dpkt__nb6-http.pcap frame 19, the PPP frame inside PPPoE: no address/control, IPv4,
    /// then the first bytes of the IPv4 header.
    const IPV4: [u8; 4] = [0x00, 0x21, 0x45, 0x00];

    #[test]
    fn lcp_with_address_and_control() {
        let d = decode(&LCP_ECHO, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::Ppp(Ppp {
                address: Some(0xff),
                control: Some(0x03),
                ppp_protocol: 0xc021,
                ppp_protocol_name: Some("LCP"),
                code: Some(9),
                code_name: Some("Echo-Request"),
                id: Some(0x24),
                len: Some(8),
                header_len: 8,
                payload_len: 4,
            })
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 4, None));
    }

    #[test]
    fn ipv4_without_address_and_control() {
        let d = decode(&IPV4, &mut None).unwrap();
        let Layer::Ppp(ppp) = &d.layer else {
            panic!("not PPP")
        };
        assert_eq!((ppp.address, ppp.control), (None, None));
        assert_eq!(
            (ppp.ppp_protocol, ppp.ppp_protocol_name, ppp.code),
            (0x21, Some("IPv4"), None)
        );
        assert_eq!((d.header_len, d.payload_len), (2, 2));
        assert_eq!(d.next, Some(ProtoId::Ipv4));
    }

    #[test]
    fn compressed_protocol_field() {
        // Protocol-field compression: 0x57 alone is IPv6; 0x21 alone after FF 03 is IPv4.
        let d = decode(&[0x57, 0x60, 0x00], &mut None).unwrap();
        assert_eq!((d.header_len, d.next), (1, Some(ProtoId::Ipv6)));
        let d = decode(&[0xff, 0x03, 0x21, 0x45], &mut None).unwrap();
        assert_eq!((d.header_len, d.next), (3, Some(ProtoId::Ipv4)));
        let Layer::Ppp(ppp) = d.layer else {
            panic!("not PPP")
        };
        assert_eq!(ppp.ppp_protocol, 0x21);
    }

    #[test]
    fn control_length_below_four_is_an_error() {
        let mut bad = LCP_ECHO;
        bad[6..8].copy_from_slice(&[0, 3]);
        assert_eq!(
            decode(&bad, &mut None).err().unwrap().to_string(),
            "LCP length 3 < 4 (the header alone)"
        );
    }

    #[test]
    fn control_length_past_the_end_is_kept() {
        // The length says more than was captured: the walker trims to what is there.
        let mut big = LCP_ECHO;
        big[6..8].copy_from_slice(&[0x01, 0x00]);
        let d = decode(&big, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (8, 252));
    }

    /// A header cut short: the fields tshark shows (address, control, then the protocol once
    /// whole; a control protocol's code, identifier and length only all together).
    #[test]
    fn short_headers_are_partial_layers() {
        for (data, json, why) in [
            (
                &[][..],
                serde_json::json!({"protocol": "PPP", "truncated": true, "header_len": 0,
                    "payload_len": 0}),
                "PPP header needs 1 bytes, 0 captured",
            ),
            (
                &[0xff][..],
                serde_json::json!({"protocol": "PPP", "address": 255, "truncated": true,
                    "header_len": 1, "payload_len": 0}),
                "PPP header needs 4 bytes, 1 captured",
            ),
            (
                &[0xff, 0x03, 0xc0][..],
                serde_json::json!({"protocol": "PPP", "address": 255, "control": 3,
                    "truncated": true, "header_len": 3, "payload_len": 0}),
                "PPP header needs 4 bytes, 3 captured",
            ),
            (
                &LCP_ECHO[..7],
                serde_json::json!({"protocol": "PPP", "address": 255, "control": 3,
                    "ppp_protocol": 0xc021, "truncated": true, "header_len": 7,
                    "payload_len": 0}),
                "LCP header needs 8 bytes, 7 captured",
            ),
        ] {
            let mut note = None;
            let d = decode(data, &mut note).unwrap();
            assert_eq!(serde_json::to_value(&d.layer).unwrap(), json, "{data:?}");
            assert_eq!((d.header_len, d.next), (data.len(), None));
            assert_eq!(note.unwrap().to_string(), why);
        }
    }

    #[test]
    fn code_names() {
        assert_eq!(code_name(protocol::IPCP, 1), Some("Configure-Request"));
        assert_eq!(code_name(protocol::IPCP, 9), None);
        assert_eq!(code_name(protocol::CHAP, 2), Some("Response"));
        assert_eq!(code_name(protocol::PAP, 7), None);
    }
}
