//! ICMP (RFC 792) and ICMPv6 (RFC 4443, 4861, 2710, 3810): the common header and the fields of
//! the common types. The datagram quoted by error messages is not decoded (yet).

use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{Icmp, Layer};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Field offsets of the ICMP / ICMPv6 header.
mod field {
    use std::ops::Range;
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: usize = 2;
    /// Echo (and timestamp, information, address mask) identifier.
    pub const IDENT: usize = 4;
    /// Echo (and timestamp, information, address mask) sequence number.
    pub const SEQ: usize = 6;
    /// ICMP redirect: gateway address.
    pub const GATEWAY: Range<usize> = 4..8;
    /// ICMP fragmentation needed: next-hop MTU (16 bits).
    pub const MTU_V4: usize = 6;
    /// ICMPv6 packet too big: MTU (32 bits).
    pub const MTU_V6: Range<usize> = 4..8;
    /// ICMPv6 neighbour solicitation/advertisement, redirect: target address.
    pub const TARGET: Range<usize> = 8..24;
}

/// Bytes needed to decode anything: type, code, checksum.
pub const MIN_LEN: usize = 4;

/// Length of the ICMP header: type, code, checksum and the type's 4-byte field.
pub const HEADER_LEN: usize = 8;

/// A view over an ICMP or ICMPv6 message with at least type, code and checksum captured.
///
/// The accessors of the type-specific fields return `None` when their bytes are not captured.
pub struct Packet<'a> {
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds type, code and checksum; `what` names the
    /// protocol in the error.
    pub fn new_checked(what: &str, buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        if buffer.len() < MIN_LEN {
            return Err(DecodeError::truncated(what, MIN_LEN, buffer.len()));
        }
        Ok(Packet { buffer })
    }

    fn be16_at(&self, at: usize) -> Option<u16> {
        let b = self.buffer.get(at..at + 2)?;
        Some(u16::from_be_bytes([b[0], b[1]]))
    }

    /// Message type.
    pub fn kind(&self) -> u8 {
        self.buffer[field::TYPE]
    }

    /// Message code.
    pub fn code(&self) -> u8 {
        self.buffer[field::CODE]
    }

    /// Checksum as carried.
    pub fn checksum(&self) -> u16 {
        u16::from_be_bytes([
            self.buffer[field::CHECKSUM],
            self.buffer[field::CHECKSUM + 1],
        ])
    }

    /// Header length present: 8, or fewer when the capture stops inside the header.
    pub fn header_len(&self) -> usize {
        self.buffer.len().min(HEADER_LEN)
    }

    /// Identifier of echo-like messages, if captured.
    pub fn ident(&self) -> Option<u16> {
        self.be16_at(field::IDENT)
    }

    /// Sequence number of echo-like messages, if captured.
    pub fn seq(&self) -> Option<u16> {
        self.be16_at(field::SEQ)
    }

    /// ICMP redirect gateway, if captured.
    pub fn gateway(&self) -> Option<Ipv4Addr> {
        let b: [u8; 4] = self.buffer.get(field::GATEWAY)?.try_into().ok()?;
        Some(Ipv4Addr::from(b))
    }

    /// ICMP fragmentation-needed next-hop MTU, if captured.
    pub fn mtu_v4(&self) -> Option<u32> {
        self.be16_at(field::MTU_V4).map(u32::from)
    }

    /// ICMPv6 packet-too-big MTU, if captured.
    pub fn mtu_v6(&self) -> Option<u32> {
        let b: [u8; 4] = self.buffer.get(field::MTU_V6)?.try_into().ok()?;
        Some(u32::from_be_bytes(b))
    }

    /// ICMPv6 target address (neighbour discovery, redirect), if captured.
    pub fn target(&self) -> Option<Ipv6Addr> {
        let b: [u8; 16] = self.buffer.get(field::TARGET)?.try_into().ok()?;
        Some(Ipv6Addr::from(b))
    }
}

/// The name of an ICMP type, if known.
pub fn type_name_v4(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "echo-reply",
        3 => "destination-unreachable",
        4 => "source-quench",
        5 => "redirect",
        6 => "alternate-host-address",
        8 => "echo-request",
        9 => "router-advertisement",
        10 => "router-solicitation",
        11 => "time-exceeded",
        12 => "parameter-problem",
        13 => "timestamp",
        14 => "timestamp-reply",
        15 => "information-request",
        16 => "information-reply",
        17 => "address-mask-request",
        18 => "address-mask-reply",
        30 => "traceroute",
        40 => "photuris",
        42 => "extended-echo-request",
        43 => "extended-echo-reply",
        _ => return None,
    })
}

/// The name of an ICMPv6 type, if known.
pub fn type_name_v6(kind: u8) -> Option<&'static str> {
    Some(match kind {
        1 => "destination-unreachable",
        2 => "packet-too-big",
        3 => "time-exceeded",
        4 => "parameter-problem",
        128 => "echo-request",
        129 => "echo-reply",
        130 => "mld-query",
        131 => "mld-report",
        132 => "mld-done",
        133 => "router-solicitation",
        134 => "router-advertisement",
        135 => "neighbor-solicitation",
        136 => "neighbor-advertisement",
        137 => "redirect",
        138 => "router-renumbering",
        139 => "node-information-query",
        140 => "node-information-response",
        141 => "inverse-nd-solicitation",
        142 => "inverse-nd-advertisement",
        143 => "mldv2-report",
        144 => "home-agent-address-discovery-request",
        145 => "home-agent-address-discovery-reply",
        146 => "mobile-prefix-solicitation",
        147 => "mobile-prefix-advertisement",
        148 => "certification-path-solicitation",
        149 => "certification-path-advertisement",
        151 => "multicast-router-advertisement",
        152 => "multicast-router-solicitation",
        153 => "multicast-router-termination",
        155 => "rpl-control",
        157 => "duplicate-address-request",
        158 => "duplicate-address-confirmation",
        160 => "extended-echo-request",
        161 => "extended-echo-reply",
        _ => return None,
    })
}

/// The record with type, code, checksum and name; the type-specific fields left `None`.
fn base(packet: &Packet<'_>, type_name: Option<&'static str>, declared: usize) -> Icmp {
    Icmp {
        kind: packet.kind(),
        code: packet.code(),
        checksum: packet.checksum(),
        type_name,
        id: None,
        seq: None,
        mtu: None,
        gateway: None,
        target: None,
        header_len: packet.header_len() as u32,
        payload_len: u32::try_from(declared.saturating_sub(HEADER_LEN)).unwrap_or(u32::MAX),
    }
}

/// Wraps a record into the walker's result.
fn decoded(layer: Layer, packet: &Packet<'_>, declared: usize) -> Decoded {
    Decoded {
        layer,
        header_len: packet.header_len(),
        payload_len: declared.saturating_sub(HEADER_LEN),
        next: None,
    }
}

/// Decodes an ICMP message; `declared` is the length the IP header gives it.
///
/// Echo, timestamp, information and address-mask messages carry `id`/`seq`, fragmentation
/// needed (type 3 code 4) the next-hop `mtu`, redirect the `gateway`. Fewer than 4 bytes is an
/// error; 4 to 7 bytes give type, code and checksum only.
pub fn decode_v4(data: &[u8], declared: usize) -> DecodeResult {
    let packet = Packet::new_checked("ICMP header", data)?;
    let kind = packet.kind();
    let mut icmp = base(&packet, type_name_v4(kind), declared);
    if data.len() >= HEADER_LEN {
        match kind {
            0 | 8 | 13..=18 => {
                icmp.id = packet.ident();
                icmp.seq = packet.seq();
            }
            3 if packet.code() == 4 => icmp.mtu = packet.mtu_v4(),
            5 => icmp.gateway = packet.gateway(),
            _ => {}
        }
    }
    Ok(decoded(Layer::Icmp(icmp), &packet, declared))
}

/// Decodes an ICMPv6 message; `declared` is the length the IPv6 headers give it.
///
/// Echo messages carry `id`/`seq`, packet too big the `mtu`, neighbour solicitation and
/// advertisement and redirect the `target` (when its 24 bytes are captured). Fewer than 4
/// bytes is an error; 4 to 7 bytes give type, code and checksum only.
pub fn decode_v6(data: &[u8], declared: usize) -> DecodeResult {
    let packet = Packet::new_checked("ICMPv6 header", data)?;
    let kind = packet.kind();
    let mut icmp = base(&packet, type_name_v6(kind), declared);
    if data.len() >= HEADER_LEN {
        match kind {
            128 | 129 => {
                icmp.id = packet.ident();
                icmp.seq = packet.seq();
            }
            2 => icmp.mtu = packet.mtu_v6(),
            135..=137 => icmp.target = packet.target(),
            _ => {}
        }
    }
    Ok(decoded(Layer::Icmpv6(icmp), &packet, declared))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(d: &Decoded) -> &Icmp {
        match &d.layer {
            Layer::Icmp(icmp) | Layer::Icmpv6(icmp) => icmp,
            other => panic!("not ICMP: {other:?}"),
        }
    }

    fn icmp(kind: u8, code: u8, checksum: u16, name: Option<&'static str>) -> Icmp {
        Icmp {
            kind,
            code,
            checksum,
            type_name: name,
            id: None,
            seq: None,
            mtu: None,
            gateway: None,
            target: None,
            header_len: 8,
            payload_len: 0,
        }
    }

    /// pcpp__IcmpPackets.pcapng frame 9: echo request, ident 55099 (0xd73b), seq 0, checksum
    /// 0xbbb3, 64 bytes (IP total 84).
    #[test]
    fn echo_request_from_capture() {
        let bytes = [0x08, 0x00, 0xbb, 0xb3, 0xd7, 0x3b, 0x00, 0x00, 0x51, 0xa7];
        let d = decode_v4(&bytes, 64).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                id: Some(55099),
                seq: Some(0),
                payload_len: 56,
                ..icmp(8, 0, 0xbbb3, Some("echo-request"))
            })
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 56, None));

        let mut reply = bytes;
        reply[0] = 0;
        assert_eq!(
            record(&decode_v4(&reply, 64).unwrap()).type_name,
            Some("echo-reply")
        );
    }

    /// pcpp__IcmpPackets.pcapng frame 2: redirect for host, gateway 10.2.99.98.
    #[test]
    fn redirect_from_capture() {
        let bytes = [0x05, 0x01, 0x38, 0x3e, 0x0a, 0x02, 0x63, 0x62, 0x45, 0x00];
        let d = decode_v4(&bytes, 36).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                gateway: Some(Ipv4Addr::new(10, 2, 99, 98)),
                payload_len: 28,
                ..icmp(5, 1, 0x383e, Some("redirect"))
            })
        );
        assert_eq!((d.header_len, d.payload_len), (8, 28));
    }

    /// pcpp__IcmpPackets.pcapng frames 7 and 15: timestamp (ident 14640, seq 0) and address
    /// mask reply (ident 45580, seq 0): Wireshark shows ident/seq for these too.
    #[test]
    fn timestamp_and_mask_carry_id_seq() {
        let ts = [0x0d, 0x00, 0x94, 0x76, 0x39, 0x30, 0x00, 0x00];
        let d = decode_v4(&ts, 20).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                id: Some(14640),
                seq: Some(0),
                payload_len: 12,
                ..icmp(13, 0, 0x9476, Some("timestamp"))
            })
        );
        let mask = [0x12, 0x00, 0x3b, 0xf3, 0xb2, 0x0c, 0x00, 0x00, 0, 0, 0, 0];
        let d = decode_v4(&mask, 12).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                id: Some(45580),
                seq: Some(0),
                payload_len: 4,
                ..icmp(18, 0, 0x3bf3, Some("address-mask-reply"))
            })
        );
    }

    #[test]
    fn fragmentation_needed_mtu() {
        let bytes = [0x03, 0x04, 0x12, 0x34, 0x00, 0x00, 0x05, 0xdc];
        let d = decode_v4(&bytes, 36).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                mtu: Some(1500),
                payload_len: 28,
                ..icmp(3, 4, 0x1234, Some("destination-unreachable"))
            })
        );
        // Port unreachable (code 3, pcpp frame 6) has no MTU.
        let port = [0x03, 0x03, 0xb4, 0x2a, 0, 0, 0, 0];
        assert_eq!(
            decode_v4(&port, 36).unwrap().layer,
            Layer::Icmp(Icmp {
                payload_len: 28,
                ..icmp(3, 3, 0xb42a, Some("destination-unreachable"))
            })
        );
    }

    #[test]
    fn v4_names() {
        let names: Vec<_> = [0u8, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 99]
            .into_iter()
            .map(type_name_v4)
            .collect();
        assert_eq!(
            names,
            [
                Some("echo-reply"),
                Some("destination-unreachable"),
                Some("source-quench"),
                Some("redirect"),
                Some("echo-request"),
                Some("router-advertisement"),
                Some("router-solicitation"),
                Some("time-exceeded"),
                Some("parameter-problem"),
                Some("timestamp"),
                Some("timestamp-reply"),
                None
            ]
        );
    }

    #[test]
    fn partial_header_gives_type_code_checksum() {
        let bytes = [0x08, 0x00, 0xbb, 0xb3, 0xd7, 0x3b];
        let d = decode_v4(&bytes, 64).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmp(Icmp {
                header_len: 6,
                payload_len: 56,
                ..icmp(8, 0, 0xbbb3, Some("echo-request"))
            })
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (6, 56, None));
        let d = decode_v6(&[0x87, 0, 0, 0], 4).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                header_len: 4,
                ..icmp(135, 0, 0, Some("neighbor-solicitation"))
            })
        );
        assert_eq!((d.header_len, d.payload_len), (4, 0));
    }

    #[test]
    fn shorter_than_4_is_an_error() {
        assert_eq!(
            decode_v4(&[8, 0, 0], 3).err().unwrap().0,
            "ICMP header needs 4 bytes, 3 captured"
        );
        assert_eq!(
            decode_v6(&[], 0).err().unwrap().0,
            "ICMPv6 header needs 4 bytes, 0 captured"
        );
    }

    /// tcpdump__icmpv6.pcap frame 3: MLD query (130), checksum 0x623a, 28 bytes (after an
    /// 8-byte Hop-by-Hop header in a 36-byte payload).
    #[test]
    fn mld_query_from_capture() {
        let bytes = [
            0x82, 0x00, 0x62, 0x3a, 0x27, 0x10, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0x02, 0x3c, 0x00, 0x00,
        ];
        let d = decode_v6(&bytes, 28).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                payload_len: 20,
                ..icmp(130, 0, 0x623a, Some("mld-query"))
            })
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 20, None));
    }

    /// tcpdump__icmpv6.pcap frames 1 and 2: router advertisement (0x2401), MLDv2 report
    /// (0x1fc5).
    #[test]
    fn ra_and_mldv2_from_capture() {
        let ra = [0x86, 0x00, 0x24, 0x01, 0x40, 0x20, 0x00, 0x0f];
        let d = decode_v6(&ra, 176).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                payload_len: 168,
                ..icmp(134, 0, 0x2401, Some("router-advertisement"))
            })
        );
        let report = [0x8f, 0x00, 0x1f, 0xc5, 0x00, 0x00, 0x00, 0x01];
        let d = decode_v6(&report, 28).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                payload_len: 20,
                ..icmp(143, 0, 0x1fc5, Some("mldv2-report"))
            })
        );
    }

    #[test]
    fn echo_v6() {
        let bytes = [0x81, 0x00, 0xab, 0xcd, 0x12, 0x34, 0x00, 0x07, 0xaa];
        let d = decode_v6(&bytes, 9).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                id: Some(0x1234),
                seq: Some(7),
                payload_len: 1,
                ..icmp(129, 0, 0xabcd, Some("echo-reply"))
            })
        );
    }

    #[test]
    fn packet_too_big_mtu() {
        let bytes = [0x02, 0x00, 0x11, 0x22, 0x00, 0x00, 0x05, 0x00];
        let d = decode_v6(&bytes, 1240).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                mtu: Some(1280),
                payload_len: 1232,
                ..icmp(2, 0, 0x1122, Some("packet-too-big"))
            })
        );
    }

    #[test]
    fn neighbor_discovery_target() {
        let mut bytes = [0u8; 32];
        bytes[..4].copy_from_slice(&[0x87, 0x00, 0x99, 0x88]);
        bytes[8..10].copy_from_slice(&[0xfe, 0x80]);
        bytes[23] = 0x01;
        let d = decode_v6(&bytes, 32).unwrap();
        assert_eq!(
            d.layer,
            Layer::Icmpv6(Icmp {
                target: Some("fe80::1".parse().unwrap()),
                payload_len: 24,
                ..icmp(135, 0, 0x9988, Some("neighbor-solicitation"))
            })
        );
        bytes[0] = 136;
        assert_eq!(
            record(&decode_v6(&bytes, 32).unwrap()).type_name,
            Some("neighbor-advertisement")
        );
        bytes[0] = 137;
        assert_eq!(
            record(&decode_v6(&bytes, 32).unwrap()).target,
            Some("fe80::1".parse().unwrap())
        );
        // Target not captured: left out, the rest decoded.
        let d = decode_v6(&bytes[..23], 32).unwrap();
        assert_eq!(record(&d).target, None);
        assert_eq!(record(&d).type_name, Some("redirect"));
        assert_eq!((d.header_len, d.payload_len), (8, 24));
    }

    #[test]
    fn v6_names() {
        let names: Vec<_> = [
            1u8, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 143, 0,
        ]
        .into_iter()
        .map(type_name_v6)
        .collect();
        assert_eq!(
            names,
            [
                Some("destination-unreachable"),
                Some("packet-too-big"),
                Some("time-exceeded"),
                Some("parameter-problem"),
                Some("echo-request"),
                Some("echo-reply"),
                Some("mld-query"),
                Some("mld-report"),
                Some("mld-done"),
                Some("router-solicitation"),
                Some("router-advertisement"),
                Some("neighbor-solicitation"),
                Some("neighbor-advertisement"),
                Some("redirect"),
                Some("mldv2-report"),
                None
            ]
        );
    }

    #[test]
    fn no_panic_on_any_type_or_prefix() {
        let mut bytes = [0xffu8; 32];
        for kind in 0..=255u8 {
            bytes[0] = kind;
            for code in [0u8, 4] {
                bytes[1] = code;
                for len in 0..=bytes.len() {
                    let _ = decode_v4(&bytes[..len], len);
                    let _ = decode_v6(&bytes[..len], usize::MAX);
                }
            }
        }
    }
}
