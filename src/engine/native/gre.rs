//! Generic Routing Encapsulation (IP protocol 47): RFC 2784/2890 (version 0, with RFC 1701's
//! routing field) and the enhanced GRE of PPTP (version 1, RFC 2637).
//!
//! The payload is chosen by the protocol type, an Ethertype: 0x6558 (transparent Ethernet
//! bridging) is an Ethernet frame, 0x880B a PPP frame, 0x88BE and 0x22EB ERSPAN, the rest as
//! on Ethernet.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, by_ethertype, erspan, read};
use crate::model::{EtherType, FieldValue, Gre, Layer, ProtoId};

/// Flag bits of the first word.
pub mod flags {
    /// Checksum present.
    pub const C: u16 = 0x8000;
    /// Routing present (version 0, RFC 1701).
    pub const R: u16 = 0x4000;
    /// Key present (version 1: payload length and call id).
    pub const K: u16 = 0x2000;
    /// Sequence number present.
    pub const S: u16 = 0x1000;
    /// Acknowledgement number present (version 1).
    pub const A: u16 = 0x0080;
    /// Version bits.
    pub const VERSION: u16 = 0x0007;
}

/// Length of the fixed part (flags and version, protocol type).
pub const MIN_HEADER_LEN: usize = 4;

/// Transparent Ethernet bridging: the payload is an Ethernet frame.
pub const TEB: u16 = 0x6558;

/// PPP, as carried by enhanced GRE.
pub const PPP: u16 = 0x880b;

/// The most source route entries read (RFC 1701 routing); more is an error.
pub const MAX_SRES: usize = 32;

/// Reads a big-endian u16 at `at`, 0 if out of range (callers check lengths first).
fn be16(b: &[u8], at: usize) -> u16 {
    read::be16(b, at).unwrap_or(0)
}

/// Reads a big-endian u32 at `at`, 0 if out of range (callers check lengths first).
fn be32(b: &[u8], at: usize) -> u32 {
    read::be32(b, at).unwrap_or(0)
}

/// The protocol a GRE protocol type names, if pcapkit decodes it.
pub fn next_protocol(ether_type: u16) -> Option<ProtoId> {
    match ether_type {
        TEB => Some(ProtoId::Ethernet),
        PPP => Some(ProtoId::Ppp),
        t if t > 1500 => by_ethertype(EtherType(t)),
        _ => None,
    }
}

/// The protocol of a GRE payload of `ether_type`, given whether the header has a sequence
/// number: ERSPAN type II has one, type I (same protocol type, no sequence number) has no
/// ERSPAN header, its payload is the mirrored Ethernet frame.
pub fn payload_protocol(ether_type: u16, has_seq: bool) -> Option<ProtoId> {
    match ether_type {
        erspan::TYPE_II if has_seq => Some(ProtoId::Erspan),
        erspan::TYPE_II => Some(ProtoId::Ethernet),
        erspan::TYPE_III => Some(ProtoId::Erspan),
        _ => next_protocol(ether_type),
    }
}

/// Length of the RFC 1701 routing field at the start of `bytes` (source route entries up to
/// and including the NULL entry).
fn routing_len(bytes: &[u8]) -> Result<usize, DecodeError> {
    let mut at = 0usize;
    for _ in 0..MAX_SRES {
        let Some(&[family_hi, family_lo, _, sre_len]) = read::bytes(bytes, at, 4) else {
            return Err(DecodeError::other(format!(
                "GRE source route entry at offset {at} needs 4 bytes, {} captured",
                bytes.len().saturating_sub(at)
            )));
        };
        let family = u16::from_be_bytes([family_hi, family_lo]);
        let len = usize::from(sre_len);
        at += 4 + len;
        if family == 0 && len == 0 {
            return Ok(at);
        }
    }
    Err(DecodeError::other(format!(
        "GRE routing has more than {MAX_SRES} source route entries"
    )))
}

/// The partial layer of a GRE header cut before the end of its `fixed` words, as tshark
/// shows it: flags, version and type once the first word is captured, then each optional
/// field once its bytes are (version 1's payload length, the key's first half, counts as
/// the layer's payload length).
fn cut(data: &[u8], fixed: usize, note: &mut Option<DecodeError>) -> Decoded {
    let why = DecodeError::truncated("GRE header", fixed, data.len());
    let mut fields = Fields::with_capacity(8);
    let (Some(word), Some(ether_type)) = (partial::be16(data, 0), partial::be16(data, 2)) else {
        return partial::keep(ProtoId::Gre, data, fields, 0, why, note);
    };
    let has = |bit: u16| word & bit != 0;
    let version = (word & flags::VERSION) as u8;
    let v1 = version == 1;
    fields.push(("flags", FieldValue::U16(word)));
    fields.push(("version", FieldValue::U8(version)));
    fields.push(("type", FieldValue::EtherType(EtherType(ether_type))));
    let mut at = MIN_HEADER_LEN;
    let mut payload_len = 0;
    let push16 = |fields: &mut Fields, name: &'static str, at: usize| {
        if let Some(v) = partial::be16(data, at) {
            fields.push((name, FieldValue::U16(v)));
        }
    };
    if has(flags::C) || has(flags::R) {
        push16(&mut fields, "checksum", at);
        push16(&mut fields, "offset", at + 2);
        at += 4;
    }
    if has(flags::K) && v1 {
        payload_len = partial::be16(data, at).map_or(0, usize::from);
        push16(&mut fields, "call_id", at + 2);
        at += 4;
    }
    let words = [
        ("key", has(flags::K) && !v1),
        ("seq", has(flags::S)),
        ("ack", v1 && has(flags::A)),
    ];
    for (name, present) in words {
        if present {
            if let Some(v) = partial::be32(data, at) {
                fields.push((name, FieldValue::U32(v)));
            }
            at += 4;
        }
    }
    partial::keep(ProtoId::Gre, data, fields, payload_len, why, note)
}

/// Decodes a GRE header. A header cut short is a partial layer (`note` says where) with the
/// fields that fit.
///
/// Version 1 (PPTP) takes its payload length from the key field; version 0 has no length, so
/// its payload is the captured rest.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    if data.len() < MIN_HEADER_LEN {
        return Ok(cut(data, MIN_HEADER_LEN, note));
    }
    let word = be16(data, 0);
    let ether_type = be16(data, 2);
    let version = (word & flags::VERSION) as u8;
    let has = |bit: u16| word & bit != 0;
    let v1 = version == 1;
    let fixed = MIN_HEADER_LEN
        + if has(flags::C) || has(flags::R) { 4 } else { 0 }
        + if has(flags::K) { 4 } else { 0 }
        + if has(flags::S) { 4 } else { 0 }
        + if v1 && has(flags::A) { 4 } else { 0 };
    if data.len() < fixed {
        return Ok(cut(data, fixed, note));
    }
    let mut at = MIN_HEADER_LEN;
    let (checksum, offset) = if has(flags::C) || has(flags::R) {
        at += 4;
        (Some(be16(data, at - 4)), Some(be16(data, at - 2)))
    } else {
        (None, None)
    };
    let (key, call_id, v1_payload_len) = match (has(flags::K), v1) {
        (false, _) => (None, None, None),
        (true, false) => {
            at += 4;
            (Some(be32(data, at - 4)), None, None)
        }
        (true, true) => {
            at += 4;
            (None, Some(be16(data, at - 2)), Some(be16(data, at - 4)))
        }
    };
    let seq = has(flags::S).then(|| {
        at += 4;
        be32(data, at - 4)
    });
    let ack = (v1 && has(flags::A)).then(|| {
        at += 4;
        be32(data, at - 4)
    });
    let header_len = if has(flags::R) && !v1 {
        at + routing_len(data.get(at..).unwrap_or_default())?
    } else {
        at
    };
    let payload_len = match v1_payload_len {
        Some(len) => usize::from(len),
        None => data.len().saturating_sub(header_len),
    };
    Ok(Decoded {
        layer: Layer::Gre(Gre {
            flags: word,
            version,
            ether_type: EtherType(ether_type),
            checksum,
            offset,
            key,
            call_id,
            seq,
            ack,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        }),
        header_len,
        payload_len,
        next: payload_protocol(ether_type, seq.is_some()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tcpdump__pptp.pcap frame 16 from the GRE header: flags 0x3001 (K, S, version 1),
    /// protocol PPP, payload length 48, call id 0, sequence 0, then PPP (FF 03 C0 21).
    const PPTP: [u8; 16] = [
        0x30, 0x01, 0x88, 0x0b, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x03, 0xc0,
        0x21,
    ];

    /// Version 0 with checksum, key and sequence: C K S set, IPv4 inside.
    const FULL_V0: [u8; 18] = [
        0xb0, 0x00, 0x08, 0x00, // flags, IPv4
        0x12, 0x34, 0x00, 0x00, // checksum, offset
        0x00, 0x00, 0x00, 0x2a, // key 42
        0x00, 0x00, 0x00, 0x07, // seq 7
        0x45, 0x00,
    ];

    fn gre_of(d: &Decoded) -> &Gre {
        let Layer::Gre(gre) = &d.layer else {
            panic!("not GRE")
        };
        gre
    }

    #[test]
    fn enhanced_gre_carries_ppp() {
        let d = decode(&PPTP, &mut None).unwrap();
        assert_eq!(
            *gre_of(&d),
            Gre {
                flags: 0x3001,
                version: 1,
                ether_type: EtherType(0x880b),
                checksum: None,
                offset: None,
                key: None,
                call_id: Some(0),
                seq: Some(0),
                ack: None,
                header_len: 12,
                payload_len: 48,
            }
        );
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (12, 48, Some(ProtoId::Ppp))
        );
    }

    #[test]
    fn enhanced_gre_ack_only() {
        // K and A, no S: payload length 0, call id 5, ack 9.
        let ack = [
            0x20, 0x81, 0x88, 0x0b, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x09,
        ];
        let d = decode(&ack, &mut None).unwrap();
        let gre = gre_of(&d);
        assert_eq!((gre.call_id, gre.seq, gre.ack), (Some(5), None, Some(9)));
        assert_eq!((d.header_len, d.payload_len), (12, 0));
    }

    #[test]
    fn version_0_optional_fields() {
        let d = decode(&FULL_V0, &mut None).unwrap();
        let gre = gre_of(&d);
        assert_eq!((gre.checksum, gre.offset), (Some(0x1234), Some(0)));
        assert_eq!((gre.key, gre.seq, gre.call_id), (Some(42), Some(7), None));
        assert_eq!((d.header_len, d.payload_len), (16, 2));
        assert_eq!(d.next, Some(ProtoId::Ipv4));
    }

    #[test]
    fn protocol_types() {
        assert_eq!(next_protocol(0x6558), Some(ProtoId::Ethernet));
        assert_eq!(next_protocol(0x86dd), Some(ProtoId::Ipv6));
        assert_eq!(next_protocol(0x8847), Some(ProtoId::Mpls));
        assert_eq!(next_protocol(0x0040), None);
    }

    #[test]
    fn erspan_types() {
        // Type II: S set (sequence 0); type I: no sequence, Ethernet directly; type III.
        let ii = [0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 0];
        assert_eq!(decode(&ii, &mut None).unwrap().next, Some(ProtoId::Erspan));
        assert_eq!(
            decode(&[0x00, 0x00, 0x88, 0xbe], &mut None).unwrap().next,
            Some(ProtoId::Ethernet)
        );
        assert_eq!(
            decode(&[0x00, 0x00, 0x22, 0xeb], &mut None).unwrap().next,
            Some(ProtoId::Erspan)
        );
    }

    #[test]
    fn routing_entries_are_skipped() {
        // R set: checksum+offset, one SRE (IPv4 family, 4 bytes) and the NULL SRE.
        let mut frame = vec![0x40, 0x00, 0x08, 0x00, 0, 0, 0, 0];
        frame.extend([0x08, 0x00, 0x00, 0x04, 10, 0, 0, 1]);
        frame.extend([0, 0, 0, 0, 0x45]);
        let d = decode(&frame, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (20, 1));
        // Without the NULL entry the routing runs past the end.
        assert_eq!(
            decode(&frame[..16], &mut None).err().unwrap().to_string(),
            "GRE source route entry at offset 8 needs 4 bytes, 0 captured"
        );
        // Endless entries are capped.
        let mut endless = vec![0x40, 0x00, 0x08, 0x00, 0, 0, 0, 0];
        endless.extend(std::iter::repeat_n([0x08, 0x00, 0x00, 0x00], 40).flatten());
        assert_eq!(
            decode(&endless, &mut None).err().unwrap().to_string(),
            "GRE routing has more than 32 source route entries"
        );
    }

    /// The fields and payload length of a cut header, with the note it leaves.
    fn cut_of(data: &[u8]) -> (Vec<(&'static str, FieldValue)>, u32, String) {
        let mut note = None;
        let d = decode(data, &mut note).unwrap();
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        assert_eq!(
            (p.proto, p.header_len, d.next),
            (ProtoId::Gre, data.len() as u32, None)
        );
        (p.fields, p.payload_len, note.unwrap().to_string())
    }

    #[test]
    fn short_headers_keep_the_fields_that_fit() {
        let (fields, _, why) = cut_of(&PPTP[..3]);
        assert_eq!(
            (fields, why.as_str()),
            (vec![], "GRE header needs 4 bytes, 3 captured")
        );
        // Version 1: the payload length (the layer's) from 6 bytes, the call id from 8.
        let (fields, len, why) = cut_of(&PPTP[..11]);
        assert_eq!(why, "GRE header needs 12 bytes, 11 captured");
        assert_eq!(
            (fields, len),
            (
                vec![
                    ("flags", FieldValue::U16(0x3001)),
                    ("version", FieldValue::U8(1)),
                    ("type", FieldValue::EtherType(EtherType(PPP))),
                    ("call_id", FieldValue::U16(0)),
                ],
                48
            )
        );
        assert_eq!(cut_of(&PPTP[..7]).0.len(), 3);
        assert_eq!(cut_of(&PPTP[..7]).1, 48);
        let (fields, len, why) = cut_of(&FULL_V0[..15]);
        assert_eq!(why, "GRE header needs 16 bytes, 15 captured");
        assert_eq!(
            (fields, len),
            (
                vec![
                    ("flags", FieldValue::U16(0xb000)),
                    ("version", FieldValue::U8(0)),
                    ("type", FieldValue::EtherType(EtherType(0x0800))),
                    ("checksum", FieldValue::U16(0x1234)),
                    ("offset", FieldValue::U16(0)),
                    ("key", FieldValue::U32(42)),
                ],
                0
            )
        );
        assert_eq!(cut_of(&FULL_V0[..7]).0.len(), 4);
    }

    /// Dissects a raw-IP frame through the walker.
    fn dissect(data: &[u8]) -> crate::model::Frame {
        use crate::capture::RawFrame;
        use crate::engine::native::NativeDissector;
        use crate::engine::{DissectOptions, Dissector};
        use crate::model::LinkType;
        let raw = RawFrame {
            number: 1,
            timestamp: None,
            len: data.len() as u32,
            link_type: LinkType::RAW,
            interface: None,
            data,
        };
        NativeDissector.dissect(&raw, &DissectOptions::default())
    }

    /// A 20-byte IPv4 header carrying `proto` with `payload` bytes after it.
    fn ipv4(proto: u8, payload: usize) -> Vec<u8> {
        let total = (20 + payload) as u16;
        let mut h = vec![
            0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        h[2..4].copy_from_slice(&total.to_be_bytes());
        h
    }

    /// An 8-byte UDP header with no payload.
    const UDP: [u8; 8] = [0x04, 0xd2, 0x16, 0x2e, 0x00, 0x08, 0x00, 0x00];

    #[test]
    fn walker_gre_teb_carries_ethernet() {
        let mut inner = vec![0xff; 6];
        inner.extend([0, 1, 2, 3, 4, 5, 0x08, 0x00]);
        inner.extend(ipv4(17, 8));
        inner.extend(UDP);
        let mut frame = ipv4(47, 4 + inner.len());
        frame.extend([0x00, 0x00, 0x65, 0x58]);
        frame.extend(&inner);
        let f = dissect(&frame);
        assert_eq!(f.protocol_chain(), "IPv4:GRE:Ethernet:IPv4:UDP");
        assert_eq!(f.error, None);
    }

    #[test]
    fn walker_ip_in_ip_and_ipv6_in_ipv4() {
        let mut frame = ipv4(4, 28);
        frame.extend(ipv4(17, 8));
        frame.extend(UDP);
        assert_eq!(dissect(&frame).protocol_chain(), "IPv4:IPv4:UDP");
        // 6in4: a 40-byte IPv6 header (next header 59, no next header) inside IPv4.
        let mut v6 = vec![0x60, 0, 0, 0, 0, 0, 59, 64];
        v6.extend([0u8; 32]);
        let mut frame = ipv4(41, v6.len());
        frame.extend(&v6);
        assert_eq!(dissect(&frame).protocol_chain(), "IPv4:IPv6");
    }

    #[test]
    fn walker_caps_tunnels_nested_100_deep() {
        let depth = 100;
        let mut frame = Vec::new();
        for level in 0..depth {
            let inside = (depth - 1 - level) * 20 + 8;
            frame.extend(ipv4(if level + 1 == depth { 17 } else { 4 }, inside));
        }
        frame.extend(UDP);
        let f = dissect(&frame);
        assert_eq!(f.layers.len(), 32);
        let error = f.error.unwrap();
        assert_eq!((error.layer, error.offset), (ProtoId::Ipv4, 32 * 20));
        assert_eq!(
            error.reason,
            "more than 32 nested layers: dissection stopped"
        );
    }

    #[test]
    fn walker_pptp_ppp_lcp() {
        let mut gre = PPTP.to_vec();
        gre[4..6].copy_from_slice(&[0x00, 0x08]); // payload length 8
        gre.extend([0x01, 0x00, 0x00, 0x04]); // LCP Configure-Request, length 4
        let mut frame = ipv4(47, gre.len());
        frame.extend(&gre);
        let f = dissect(&frame);
        assert_eq!(f.protocol_chain(), "IPv4:GRE:PPP");
        assert_eq!(f.error, None);
    }

    /// The unboxed tunnel records are no larger than the TCP record, so they never make
    /// `Layer` (moved on the common path) bigger; IPX and L2TP are boxed.
    #[test]
    fn unboxed_records_stay_small() {
        use crate::model::{Llc, Ppp, Pppoe, Tcp};
        use std::mem::size_of;
        let tcp = size_of::<Tcp>();
        for (name, size) in [
            ("GRE", size_of::<Gre>()),
            ("LLC", size_of::<Llc>()),
            ("PPP", size_of::<Ppp>()),
            ("PPPoE", size_of::<Pppoe>()),
        ] {
            assert!(size <= tcp, "{name} record is {size} bytes, TCP's {tcp}");
        }
    }
}
