//! IPv6 fixed header (RFC 8200); extension headers are in `ipv6_ext`.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, by_ip_proto};
use crate::model::{FieldValue, Ipv6, Layer, ProtoId};
use std::net::Ipv6Addr;

/// Field offsets of the IPv6 fixed header.
mod field {
    pub const VER_TC_FLOW: usize = 0;
    pub const LENGTH: usize = 4;
    pub const NEXT_HEADER: usize = 6;
    pub const HOP_LIMIT: usize = 7;
    pub const SRC: usize = 8;
    pub const DST: usize = 24;
}

/// Length of the IPv6 fixed header.
pub const HEADER_LEN: usize = 40;

/// The Hop-by-Hop Options next-header number.
const HOPOPT: u8 = 0;

/// A view over an IPv6 packet whose fixed header is captured and whose version is 6.
pub struct Packet<'a> {
    header: &'a [u8; HEADER_LEN],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole fixed header with version 6.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(header) = buffer.first_chunk::<HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "IPv6 header",
                HEADER_LEN,
                buffer.len(),
            ));
        };
        let packet = Packet { header };
        let version = packet.version();
        if version != 6 {
            return Err(DecodeError::other(format!(
                "IPv6 version {version}, expected 6"
            )));
        }
        Ok(packet)
    }

    fn word0(&self) -> u32 {
        partial::be32(self.header, field::VER_TC_FLOW).unwrap_or_default()
    }

    fn addr(&self, at: usize) -> Ipv6Addr {
        addr(self.header, at).unwrap_or(Ipv6Addr::UNSPECIFIED)
    }

    /// Version field (6 once checked).
    pub fn version(&self) -> u8 {
        self.header[field::VER_TC_FLOW] >> 4
    }

    /// Traffic class (DSCP and ECN).
    pub fn traffic_class(&self) -> u8 {
        traffic_class(self.word0())
    }

    /// Flow label (20 bits).
    pub fn flow_label(&self) -> u32 {
        flow_label(self.word0())
    }

    /// Payload length as carried (extension headers included; 0 for jumbograms).
    pub fn payload_len(&self) -> u16 {
        partial::be16(self.header, field::LENGTH).unwrap_or_default()
    }

    /// Protocol number of the first header after the fixed header.
    pub fn next_header(&self) -> u8 {
        self.header[field::NEXT_HEADER]
    }

    /// Hop limit.
    pub fn hop_limit(&self) -> u8 {
        self.header[field::HOP_LIMIT]
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

/// The traffic class of the first word.
fn traffic_class(word0: u32) -> u8 {
    (word0 >> 20) as u8
}

/// The flow label of the first word.
fn flow_label(word0: u32) -> u32 {
    word0 & 0x000f_ffff
}

/// The address at `at`, if captured.
fn addr(data: &[u8], at: usize) -> Option<Ipv6Addr> {
    let bytes: [u8; 16] = data.get(at..at.checked_add(16)?)?.try_into().ok()?;
    Some(Ipv6Addr::from(bytes))
}

/// Decodes an IPv6 fixed header.
///
/// The payload is the header's payload length; a payload length of 0 with a Hop-by-Hop header
/// next (a jumbogram, RFC 2675) means the captured rest of the frame, and the record's
/// `payload_len` then reports that length.
///
/// A header cut by the snap length is a partial layer with the fields that fit (its
/// `payload_len` is the header's, once captured); `note` says where it was cut.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why @ DecodeError::Truncated { .. }) => {
            let (fields, payload_len) = cut(data);
            return Ok(partial::keep(
                ProtoId::Ipv6,
                data,
                fields,
                payload_len,
                why,
                note,
            ));
        }
        Err(err) => return Err(err),
    };
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

/// The fields of a fixed header cut short, as tshark 4.0 adds them: the version after 1 byte,
/// traffic class and flow label after 4, the next header after 7 (with the payload length,
/// which is the record's `payload_len`), the hop limit after 8, the source after 24.
fn cut(data: &[u8]) -> (Fields, usize) {
    use FieldValue::{U8, U32};
    let mut fields = Fields::with_capacity(6);
    let Some(&first) = data.first() else {
        return (fields, 0);
    };
    fields.push(("version", U8(first >> 4)));
    if let Some(word0) = partial::be32(data, field::VER_TC_FLOW) {
        fields.push(("traffic_class", U8(traffic_class(word0))));
        fields.push(("flow_label", U32(flow_label(word0))));
    }
    let mut payload_len = 0;
    if let (Some(carried), Some(&next_header)) = (
        partial::be16(data, field::LENGTH),
        data.get(field::NEXT_HEADER),
    ) {
        payload_len = usize::from(carried);
        fields.push(("next_header", U8(next_header)));
    }
    if let Some(&hop_limit) = data.get(field::HOP_LIMIT) {
        fields.push(("hop_limit", U8(hop_limit)));
    }
    if let Some(src) = addr(data, field::SRC) {
        fields.push(("src", FieldValue::Ipv6(src)));
    }
    (fields, payload_len)
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
        let d = decode(&DSTOPTS, &mut None).unwrap();
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
        let d = decode(&p, &mut None).unwrap();
        assert_eq!((ipv6(&d).traffic_class, ipv6(&d).flow_label), (0xe0, 0));
        p[..4].copy_from_slice(&[0x6a, 0xbc, 0xde, 0xf1]);
        let d = decode(&p, &mut None).unwrap();
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
            let d = decode(&p, &mut None).unwrap();
            assert_eq!(d.next, next, "next header {nh}");
            assert_eq!(ipv6(&d).next_header, nh);
        }
    }

    #[test]
    fn jumbogram_takes_captured_rest() {
        let mut p = DSTOPTS;
        p[4..6].copy_from_slice(&[0, 0]);
        p[6] = 0; // Hop-by-Hop
        let d = decode(&p, &mut None).unwrap();
        assert_eq!(ipv6(&d).payload_len, 8);
        assert_eq!((d.header_len, d.payload_len), (40, 8));
        assert_eq!(d.next, Some(ProtoId::HopOpt));
    }

    #[test]
    fn zero_payload_len_without_hop_by_hop_is_empty() {
        let mut p = DSTOPTS;
        p[4..6].copy_from_slice(&[0, 0]);
        let d = decode(&p, &mut None).unwrap();
        assert_eq!(ipv6(&d).payload_len, 0);
        assert_eq!((d.header_len, d.payload_len), (40, 0));
    }

    #[test]
    fn payload_len_beyond_capture_is_kept() {
        let mut p = DSTOPTS;
        p[4..6].copy_from_slice(&0xffffu16.to_be_bytes());
        let d = decode(&p, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (40, 0xffff));
    }

    #[test]
    fn bad_version_is_an_error() {
        let mut p = DSTOPTS;
        p[0] = 0x45;
        assert_eq!(
            decode(&p, &mut None).err().unwrap().to_string(),
            "IPv6 version 4, expected 6"
        );
    }

    #[test]
    fn short_header_is_a_partial_layer() {
        let names = |len: usize| -> (Vec<&str>, u32, String) {
            let mut note = None;
            let d = decode(&DSTOPTS[..len], &mut note).unwrap();
            assert_eq!((d.header_len, d.payload_len, d.next), (len, 0, None));
            let Layer::Partial(cut) = d.layer else {
                panic!("not partial")
            };
            assert_eq!(cut.proto, ProtoId::Ipv6);
            let names = cut.fields.iter().map(|(n, _)| *n).collect();
            (names, cut.payload_len, note.unwrap().to_string())
        };
        assert_eq!(
            names(0),
            (
                vec![],
                0,
                "IPv6 header needs 40 bytes, 0 captured".to_owned()
            )
        );
        assert_eq!(names(3).0, ["version"]);
        assert_eq!(names(6).0, ["version", "traffic_class", "flow_label"]);
        assert_eq!(names(7).0.last(), Some(&"next_header"));
        assert_eq!(names(7).1, 26);
        assert_eq!(names(8).0.last(), Some(&"hop_limit"));
        assert_eq!(names(24).0.last(), Some(&"src"));
        let (fields, _, note) = names(39);
        assert_eq!(fields.len(), 6);
        assert_eq!(note, "IPv6 header needs 40 bytes, 39 captured");
        let mut note = None;
        let Layer::Partial(cut) = decode(&DSTOPTS[..30], &mut note).unwrap().layer else {
            panic!("not partial")
        };
        assert_eq!(
            cut.field("src"),
            Some(&FieldValue::Ipv6(
                "2a01:e35:8bd9:8bb0:a0a7:ea9c:74e8:d397".parse().unwrap()
            ))
        );
        assert_eq!(cut.field("flow_label"), Some(&FieldValue::U32(0)));
    }

    #[test]
    fn no_panic_on_any_prefix() {
        for len in 0..=DSTOPTS.len() {
            let _ = decode(&DSTOPTS[..len], &mut None);
        }
    }
}
