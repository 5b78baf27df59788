//! IPv6 fixed header (RFC 8200); extension headers are in `ipv6_ext`.

use super::{DecodeError, DecodeResult, Decoded, by_ip_proto};
use crate::model::{Ipv6, Layer};
use std::net::Ipv6Addr;

/// Field offsets of the IPv6 fixed header.
mod field {
    use std::ops::Range;
    pub const VER_TC_FLOW: Range<usize> = 0..4;
    pub const LENGTH: usize = 4;
    pub const NEXT_HEADER: usize = 6;
    pub const HOP_LIMIT: usize = 7;
    pub const SRC: Range<usize> = 8..24;
    pub const DST: Range<usize> = 24..40;
}

/// Length of the IPv6 fixed header.
pub const HEADER_LEN: usize = 40;

/// The Hop-by-Hop Options next-header number.
const HOPOPT: u8 = 0;

/// A view over an IPv6 packet whose fixed header is captured and whose version is 6.
pub struct Packet<'a> {
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole fixed header with version 6.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        if buffer.len() < HEADER_LEN {
            return Err(DecodeError::truncated(
                "IPv6 header",
                HEADER_LEN,
                buffer.len(),
            ));
        }
        let packet = Packet { buffer };
        let version = packet.version();
        if version != 6 {
            return Err(DecodeError::other(format!(
                "IPv6 version {version}, expected 6"
            )));
        }
        Ok(packet)
    }

    fn word0(&self) -> u32 {
        let b = &self.buffer[field::VER_TC_FLOW];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    fn addr(&self, range: std::ops::Range<usize>) -> Ipv6Addr {
        let bytes: [u8; 16] = self.buffer[range].try_into().unwrap_or_default();
        Ipv6Addr::from(bytes)
    }

    /// Version field (6 once checked).
    pub fn version(&self) -> u8 {
        (self.word0() >> 28) as u8
    }

    /// Traffic class (DSCP and ECN).
    pub fn traffic_class(&self) -> u8 {
        (self.word0() >> 20) as u8
    }

    /// Flow label (20 bits).
    pub fn flow_label(&self) -> u32 {
        self.word0() & 0x000f_ffff
    }

    /// Payload length as carried (extension headers included; 0 for jumbograms).
    pub fn payload_len(&self) -> u16 {
        u16::from_be_bytes([self.buffer[field::LENGTH], self.buffer[field::LENGTH + 1]])
    }

    /// Protocol number of the first header after the fixed header.
    pub fn next_header(&self) -> u8 {
        self.buffer[field::NEXT_HEADER]
    }

    /// Hop limit.
    pub fn hop_limit(&self) -> u8 {
        self.buffer[field::HOP_LIMIT]
    }

    /// Source address.
    pub fn src(&self) -> Ipv6Addr {
        self.addr(field::SRC)
    }

    /// Destination address.
    pub fn dst(&self) -> Ipv6Addr {
        self.addr(field::DST)
    }
}

/// Decodes an IPv6 fixed header.
///
/// The payload is the header's payload length; a payload length of 0 with a Hop-by-Hop header
/// next (a jumbogram, RFC 2675) means the captured rest of the frame, and the record's
/// `payload_len` then reports that length.
pub fn decode(data: &[u8]) -> DecodeResult {
    let packet = Packet::new_checked(data)?;
    let next_header = packet.next_header();
    let carried = packet.payload_len();
    let payload_len = if carried == 0 && next_header == HOPOPT {
        data.len().saturating_sub(HEADER_LEN)
    } else {
        usize::from(carried)
    };
    Ok(Decoded {
        layer: Layer::Ipv6(Ipv6 {
            version: packet.version(),
            traffic_class: packet.traffic_class(),
            flow_label: packet.flow_label(),
            payload_len: u32::try_from(payload_len).unwrap_or(u32::MAX),
            next_header,
            hop_limit: packet.hop_limit(),
            src: packet.src(),
            dst: packet.dst(),
            header_len: HEADER_LEN as u32,
        }),
        header_len: HEADER_LEN,
        payload_len,
        next: by_ip_proto(next_header),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProtoId;

    /// pcpp__ipv6_options.pcapng frame 6 (first 48 bytes): tclass 0, flow 0, plen 26,
    /// nxt 60 (Destination Options), hlim 64, 2a01:e35:8bd9:8bb0:a0a7:ea9c:74e8:d397 →
    /// 2001:4b98:dc0:41:216:3eff:fece:1902.
    const DSTOPTS: [u8; 48] = [
        0x60, 0x00, 0x00, 0x00, 0x00, 0x1a, 0x3c, 0x40, // ver, tc, flow, plen, nxt, hlim
        0x2a, 0x01, 0x0e, 0x35, 0x8b, 0xd9, 0x8b, 0xb0, 0xa0, 0xa7, 0xea, 0x9c, 0x74, 0xe8, 0xd3,
        0x97, // src
        0x20, 0x01, 0x4b, 0x98, 0x0d, 0xc0, 0x00, 0x41, 0x02, 0x16, 0x3e, 0xff, 0xfe, 0xce, 0x19,
        0x02, // dst
        0x11, 0x00, 0x0b, 0x01, 0x09, 0x01, 0x01, 0x00, // Destination Options header
    ];

    fn ipv6(d: &Decoded) -> &Ipv6 {
        match &d.layer {
            Layer::Ipv6(ip) => ip,
            other => panic!("not IPv6: {other:?}"),
        }
    }

    #[test]
    fn decodes_capture_frame() {
        let d = decode(&DSTOPTS).unwrap();
        assert_eq!(
            *ipv6(&d),
            Ipv6 {
                version: 6,
                traffic_class: 0,
                flow_label: 0,
                payload_len: 26,
                next_header: 60,
                hop_limit: 64,
                src: "2a01:e35:8bd9:8bb0:a0a7:ea9c:74e8:d397".parse().unwrap(),
                dst: "2001:4b98:dc0:41:216:3eff:fece:1902".parse().unwrap(),
                header_len: 40,
            }
        );
        assert_eq!((d.header_len, d.payload_len), (40, 26));
        assert_eq!(d.next, Some(ProtoId::Ipv6Opts));
    }

    #[test]
    fn traffic_class_and_flow_label() {
        let mut p = DSTOPTS;
        // pcpp__ipv6_options.pcapng frame 1 starts 6e 00 00 00: tclass 0xe0.
        p[..4].copy_from_slice(&[0x6e, 0x00, 0x00, 0x00]);
        let d = decode(&p).unwrap();
        assert_eq!((ipv6(&d).traffic_class, ipv6(&d).flow_label), (0xe0, 0));
        p[..4].copy_from_slice(&[0x6a, 0xbc, 0xde, 0xf1]);
        let d = decode(&p).unwrap();
        assert_eq!(ipv6(&d).traffic_class, 0xab);
        assert_eq!(ipv6(&d).flow_label, 0xcdef1);
        assert_eq!(ipv6(&d).version, 6);
    }

    #[test]
    fn next_header_mapping() {
        let mut p = DSTOPTS;
        for (nh, next) in [
            (6u8, Some(ProtoId::Tcp)),
            (17, Some(ProtoId::Udp)),
            (58, Some(ProtoId::Icmpv6)),
            (0, Some(ProtoId::HopOpt)),
            (43, Some(ProtoId::Ipv6Route)),
            (44, Some(ProtoId::Ipv6Frag)),
            (59, None), // No Next Header
        ] {
            p[6] = nh;
            let d = decode(&p).unwrap();
            assert_eq!(d.next, next, "next header {nh}");
            assert_eq!(ipv6(&d).next_header, nh);
        }
    }

    #[test]
    fn jumbogram_takes_captured_rest() {
        let mut p = DSTOPTS;
        p[4..6].copy_from_slice(&[0, 0]);
        p[6] = 0; // Hop-by-Hop
        let d = decode(&p).unwrap();
        assert_eq!(ipv6(&d).payload_len, 8);
        assert_eq!((d.header_len, d.payload_len), (40, 8));
        assert_eq!(d.next, Some(ProtoId::HopOpt));
    }

    #[test]
    fn zero_payload_len_without_hop_by_hop_is_empty() {
        let mut p = DSTOPTS;
        p[4..6].copy_from_slice(&[0, 0]);
        let d = decode(&p).unwrap();
        assert_eq!(ipv6(&d).payload_len, 0);
        assert_eq!((d.header_len, d.payload_len), (40, 0));
    }

    #[test]
    fn payload_len_beyond_capture_is_kept() {
        let mut p = DSTOPTS;
        p[4..6].copy_from_slice(&0xffffu16.to_be_bytes());
        let d = decode(&p).unwrap();
        assert_eq!((d.header_len, d.payload_len), (40, 0xffff));
    }

    #[test]
    fn bad_version_is_an_error() {
        let mut p = DSTOPTS;
        p[0] = 0x45;
        assert_eq!(
            decode(&p).err().unwrap().to_string(),
            "IPv6 version 4, expected 6"
        );
    }

    #[test]
    fn short_header_is_an_error() {
        assert_eq!(
            decode(&DSTOPTS[..39]).err().unwrap().to_string(),
            "IPv6 header needs 40 bytes, 39 captured"
        );
        assert_eq!(
            decode(&[]).err().unwrap().to_string(),
            "IPv6 header needs 40 bytes, 0 captured"
        );
    }

    #[test]
    fn no_panic_on_any_prefix() {
        for len in 0..=DSTOPTS.len() {
            let _ = decode(&DSTOPTS[..len]);
        }
    }
}
