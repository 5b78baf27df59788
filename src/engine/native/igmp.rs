//! Internet Group Management Protocol v1 (RFC 1112), v2 (RFC 2236) and v3 (RFC 3376).
//!
//! Versions are told apart as Wireshark does: a membership query (0x11) is v3 when the IP
//! payload is at least 12 bytes, else v2 when its max response time is not 0, else v1; reports
//! are v1 (0x12), v2 (0x16, and the v2 leave 0x17) or v3 (0x22).

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{FieldValue, Igmp, IgmpGroupRecord, Layer, ProtoId};
use std::net::Ipv4Addr;

/// Field offsets of the IGMP message.
mod field {
    pub const TYPE: usize = 0;
    pub const MAX_RESP: usize = 1;
    pub const CHECKSUM: usize = 2;
    /// Group address (v1/v2 messages and the v3 query).
    pub const GROUP: usize = 4;
    /// v3 query: Resv (4 bits), S flag, QRV (3 bits).
    pub const S_QRV: usize = 8;
    /// v3 query: querier's query interval code.
    pub const QQIC: usize = 9;
    /// v3 query: number of sources.
    pub const NUM_SOURCES: usize = 10;
    /// v3 query: first source address.
    pub const SOURCES: usize = 12;
    /// v3 report: number of group records.
    pub const NUM_RECORDS: usize = 6;
    /// v3 report: first group record.
    pub const RECORDS: usize = 8;
}

/// Length of an IGMP v1/v2 message (and the fixed part of any IGMP message).
pub const MIN_LEN: usize = 8;

/// Length of the fixed part of a v3 query.
pub const V3_QUERY_LEN: usize = 12;

/// The message type that carries PIM version 1 (its whole message is PIM's).
pub const PIM_V1: u8 = 0x14;

/// A view over an IGMP message whose 8-byte fixed part is captured. The v3 lists are read with
/// checked accessors.
pub struct Packet<'a> {
    /// The fixed part.
    fixed: &'a [u8; MIN_LEN],
    /// The captured message.
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds the 8-byte fixed part.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(fixed) = buffer.first_chunk::<MIN_LEN>() else {
            return Err(DecodeError::truncated(
                "IGMP message",
                MIN_LEN,
                buffer.len(),
            ));
        };
        Ok(Packet { fixed, buffer })
    }

    fn be16(&self, at: usize) -> Option<u16> {
        read::be16(self.buffer, at)
    }

    fn addr(&self, at: usize) -> Option<Ipv4Addr> {
        read::be32(self.buffer, at).map(Ipv4Addr::from)
    }

    /// Message type.
    pub fn kind(&self) -> u8 {
        self.fixed[field::TYPE]
    }

    /// Max response time (code) of a query; reserved in reports.
    pub fn max_resp(&self) -> u8 {
        self.fixed[field::MAX_RESP]
    }

    /// Checksum as carried.
    pub fn checksum(&self) -> u16 {
        self.be16(field::CHECKSUM).unwrap_or_default()
    }

    /// Group address of a v1/v2 message or a v3 query.
    pub fn group(&self) -> Ipv4Addr {
        self.addr(field::GROUP).unwrap_or(Ipv4Addr::UNSPECIFIED)
    }

    /// Up to `count` IPv4 addresses from `at`, as many as are captured.
    fn addrs(&self, at: usize, count: usize) -> Vec<Ipv4Addr> {
        self.buffer
            .get(at..)
            .unwrap_or_default()
            .as_chunks::<4>()
            .0
            .iter()
            .take(count)
            .map(|&b| Ipv4Addr::from(b))
            .collect()
    }
}

/// The name of an IGMP message type, if known.
pub fn type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0x11 => "membership-query",
        0x12 => "v1-membership-report",
        0x13 => "dvmrp",
        0x14 => "pim-v1",
        0x16 => "v2-membership-report",
        0x17 => "leave-group",
        0x1e => "mtrace-response",
        0x1f => "mtrace",
        0x22 => "v3-membership-report",
        0x30 => "mrd-advertisement",
        0x31 => "mrd-solicitation",
        0x32 => "mrd-termination",
        _ => return None,
    })
}

/// The name of an IGMPv3 group record type, if known.
pub fn record_type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        1 => "MODE_IS_INCLUDE",
        2 => "MODE_IS_EXCLUDE",
        3 => "CHANGE_TO_INCLUDE_MODE",
        4 => "CHANGE_TO_EXCLUDE_MODE",
        5 => "ALLOW_NEW_SOURCES",
        6 => "BLOCK_OLD_SOURCES",
        _ => return None,
    })
}

/// The IGMP version of a message of type `kind` whose IP payload is `declared` bytes.
fn version(kind: u8, max_resp: u8, declared: usize) -> Option<u8> {
    match kind {
        0x11 if declared >= V3_QUERY_LEN => Some(3),
        0x11 if max_resp != 0 => Some(2),
        0x11 | 0x12 => Some(1),
        0x16 | 0x17 => Some(2),
        0x22 => Some(3),
        _ => None,
    }
}

/// The DVMRP message type (handed by Wireshark to its own dissector, as PIM v1 is).
const DVMRP: u8 = 0x13;

/// The fields of a message cut short, as tshark 4.0 shows them. The type (and the version it
/// tells) once 1 byte is captured; a v1/v2 query's version needs the max response time, so
/// both come with 2 bytes. IGMP's own messages (queries, reports, leave, mtrace) add the max
/// response time at 2 bytes and the checksum at 4; a v3 query shows nothing more until its 12
/// bytes are whole. Other types show the type; DVMRP and PIM v1 not even that.
fn cut(data: &[u8], declared: usize) -> Fields {
    let mut fields = Fields::with_capacity(4);
    let Some(&kind) = data.first() else {
        return fields;
    };
    let max_resp = data.get(field::MAX_RESP).copied();
    let v3_query = kind == 0x11 && declared >= V3_QUERY_LEN;
    let version = match (kind, max_resp) {
        (DVMRP | PIM_V1, _) => return fields,
        (0x11, None) if !v3_query => return fields,
        (_, max_resp) => version(kind, max_resp.unwrap_or_default(), declared),
    };
    fields.extend(version.map(|v| ("version", FieldValue::U8(v))));
    fields.push(("type", FieldValue::U8(kind)));
    let own = version.is_some() || matches!(kind, 0x1e | 0x1f);
    if !own || v3_query {
        return fields;
    }
    fields.extend(max_resp.map(|v| ("max_resp", FieldValue::U8(v))));
    let checksum = partial::be16(data, field::CHECKSUM);
    fields.extend(checksum.map(|v| ("checksum", FieldValue::U16(v))));
    fields
}

/// Decodes an IGMP message; `declared` is the IP payload length (it decides the query's
/// version). The message is the whole IP payload: nothing follows it. A message cut short is
/// a partial layer with the fields that fit (`note` says where it is cut).
///
/// Source and group-record counts are untrusted: lists hold what the captured bytes carry.
pub fn decode(data: &[u8], declared: usize, note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why) => {
            let fields = cut(data, declared);
            return Ok(partial::keep(ProtoId::Igmp, data, fields, 0, why, note));
        }
    };
    let kind = packet.kind();
    let max_resp = packet.max_resp();
    let version = version(kind, max_resp, declared);
    let mut igmp = Igmp {
        version,
        kind,
        type_name: type_name(kind),
        max_resp,
        checksum: packet.checksum(),
        group: None,
        s: None,
        qrv: None,
        qqic: None,
        num_sources: None,
        sources: None,
        num_records: None,
        records: None,
        header_len: 0,
        payload_len: 0,
    };
    match (kind, version) {
        (0x11, Some(3)) => {
            let Some(query) = data.first_chunk::<V3_QUERY_LEN>() else {
                let why = DecodeError::truncated("IGMPv3 query", V3_QUERY_LEN, data.len());
                let fields = cut(data, declared);
                return Ok(partial::keep(ProtoId::Igmp, data, fields, 0, why, note));
            };
            let s_qrv = query[field::S_QRV];
            let count = packet.be16(field::NUM_SOURCES).unwrap_or_default();
            igmp.group = Some(packet.group());
            igmp.s = Some(s_qrv & 0x08 != 0);
            igmp.qrv = Some(s_qrv & 0x07);
            igmp.qqic = Some(query[field::QQIC]);
            igmp.num_sources = Some(count);
            igmp.sources = Some(packet.addrs(field::SOURCES, usize::from(count)));
        }
        (0x22, _) => {
            let count = packet.be16(field::NUM_RECORDS).unwrap_or_default();
            igmp.num_records = Some(count);
            igmp.records = Some(records(&packet, count));
        }
        // PIM version 1: the whole message is PIM's (its layer covers these bytes too).
        (PIM_V1, _) => {
            igmp.payload_len = u32::try_from(data.len()).unwrap_or(u32::MAX);
            return Ok(Decoded {
                layer: Layer::Igmp(Box::new(igmp)),
                header_len: 0,
                payload_len: data.len(),
                next: Some(ProtoId::Pim),
            });
        }
        _ => igmp.group = Some(packet.group()),
    }
    let header_len = declared.max(data.len());
    igmp.header_len = u32::try_from(header_len).unwrap_or(u32::MAX);
    Ok(Decoded {
        layer: Layer::Igmp(Box::new(igmp)),
        header_len,
        payload_len: 0,
        next: None,
    })
}

/// The group records of a v3 report: at most `count`, as many as are captured whole.
fn records(packet: &Packet<'_>, count: u16) -> Vec<IgmpGroupRecord> {
    let mut records = Vec::new();
    let mut at = field::RECORDS;
    for _ in 0..count {
        let Some(head) = packet.buffer.get(at..).and_then(<[u8]>::first_chunk::<8>) else {
            break;
        };
        let [kind, aux_len, n0, n1, group @ ..] = *head;
        let num_sources = u16::from_be_bytes([n0, n1]);
        let sources_at = at + 8;
        let end = sources_at + 4 * usize::from(num_sources) + 4 * usize::from(aux_len);
        if end > packet.buffer.len() {
            break;
        }
        records.push(IgmpGroupRecord {
            kind,
            type_name: record_type_name(kind),
            aux_len,
            num_sources,
            group: Ipv4Addr::from(group),
            sources: packet.addrs(sources_at, usize::from(num_sources)),
        });
        at = end;
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    fn igmp(d: &Decoded) -> &Igmp {
        match &d.layer {
            Layer::Igmp(i) => i,
            other => panic!("not IGMP: {other:?}"),
        }
    }

    /// pcpp__ipv4-options.pcap frame 3: v3 query, max resp 10, checksum 0xec78, group 0.0.0.0,
    /// S 0, QRV 2, QQIC 125, no sources.
    const V3_QUERY: [u8; 12] = [0x11, 0x0a, 0xec, 0x78, 0, 0, 0, 0, 0x02, 0x7d, 0x00, 0x00];

    #[test]
    fn v3_query_from_capture() {
        let d = decode(&V3_QUERY, 12, &mut None).unwrap();
        assert_eq!(
            *igmp(&d),
            Igmp {
                version: Some(3),
                kind: 0x11,
                type_name: Some("membership-query"),
                max_resp: 10,
                checksum: 0xec78,
                group: Some(Ipv4Addr::UNSPECIFIED),
                s: Some(false),
                qrv: Some(2),
                qqic: Some(125),
                num_sources: Some(0),
                sources: Some(vec![]),
                num_records: None,
                records: None,
                header_len: 12,
                payload_len: 0,
            }
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (12, 0, None));
    }

    #[test]
    fn v1_v2_by_length_and_max_resp() {
        let v2 = [0x11, 0x64, 0xee, 0x9b, 0, 0, 0, 0];
        assert_eq!(igmp(&decode(&v2, 8, &mut None).unwrap()).version, Some(2));
        let v1 = [0x11, 0x00, 0xee, 0xff, 0, 0, 0, 0];
        assert_eq!(igmp(&decode(&v1, 8, &mut None).unwrap()).version, Some(1));
        let leave = [0x17, 0x00, 0x08, 0xfc, 0xe0, 0x00, 0x00, 0xfb];
        let d = decode(&leave, 8, &mut None).unwrap();
        let i = igmp(&d);
        assert_eq!(
            (i.version, i.type_name, i.group),
            (
                Some(2),
                Some("leave-group"),
                Some(Ipv4Addr::new(224, 0, 0, 251))
            )
        );
        let report = [0x12, 0, 0, 0, 0xe0, 0, 0, 1];
        assert_eq!(
            igmp(&decode(&report, 8, &mut None).unwrap()).version,
            Some(1)
        );
        let dvmrp = [0x13, 0, 0, 0, 0, 0, 0, 0];
        let d = decode(&dvmrp, 8, &mut None).unwrap();
        assert_eq!(
            (igmp(&d).version, igmp(&d).type_name),
            (None, Some("dvmrp"))
        );
    }

    #[test]
    fn v3_query_with_sources_and_excess_count() {
        let mut q = V3_QUERY.to_vec();
        q[8] = 0x0a; // S set, QRV 2
        q[11] = 2;
        q.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
        let d = decode(&q, q.len(), &mut None).unwrap();
        let i = igmp(&d);
        assert_eq!((i.s, i.qrv, i.num_sources), (Some(true), Some(2), Some(2)));
        assert_eq!(
            i.sources,
            Some(vec![Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)])
        );
        // A count larger than the message: only the captured sources.
        q[10..12].copy_from_slice(&[0xff, 0xff]);
        let d = decode(&q, q.len(), &mut None).unwrap();
        assert_eq!(igmp(&d).num_sources, Some(0xffff));
        assert_eq!(igmp(&d).sources.as_ref().map(Vec::len), Some(2));
    }

    #[test]
    fn v3_report_records() {
        let mut r = vec![0x22, 0, 0xfa, 0xce, 0, 0, 0, 2];
        // record 1: CHANGE_TO_EXCLUDE, no aux, no sources, 239.1.1.1
        r.extend_from_slice(&[4, 0, 0, 0, 239, 1, 1, 1]);
        // record 2: ALLOW_NEW_SOURCES, aux 1 word, 1 source, 239.2.2.2, 10.1.1.1, aux
        r.extend_from_slice(&[
            5, 1, 0, 1, 239, 2, 2, 2, 10, 1, 1, 1, 0xaa, 0xbb, 0xcc, 0xdd,
        ]);
        let d = decode(&r, r.len(), &mut None).unwrap();
        let i = igmp(&d);
        assert_eq!(
            (i.version, i.num_records, i.group),
            (Some(3), Some(2), None)
        );
        assert_eq!(
            i.records.as_deref(),
            Some(
                &[
                    IgmpGroupRecord {
                        kind: 4,
                        type_name: Some("CHANGE_TO_EXCLUDE_MODE"),
                        aux_len: 0,
                        num_sources: 0,
                        group: Ipv4Addr::new(239, 1, 1, 1),
                        sources: vec![],
                    },
                    IgmpGroupRecord {
                        kind: 5,
                        type_name: Some("ALLOW_NEW_SOURCES"),
                        aux_len: 1,
                        num_sources: 1,
                        group: Ipv4Addr::new(239, 2, 2, 2),
                        sources: vec![Ipv4Addr::new(10, 1, 1, 1)],
                    },
                ][..]
            )
        );
        // Counts larger than the message: records stop where the bytes do.
        r[6..8].copy_from_slice(&[0xff, 0xff]);
        r[18..20].copy_from_slice(&[0x40, 0x00]); // record 2 claims 16384 sources
        let d = decode(&r, r.len(), &mut None).unwrap();
        assert_eq!(igmp(&d).records.as_ref().map(Vec::len), Some(1));
    }

    #[test]
    fn pim_v1_is_handed_on_whole() {
        // tshark 4.0.17: `igmp:pim`; the PIMv1 dissector reads from the IGMP type on.
        let m = [0x14, 3, 0xab, 0xcd, 0x10, 0, 0, 0, 10, 0, 0, 1];
        let d = decode(&m, m.len(), &mut None).unwrap();
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (0, 12, Some(ProtoId::Pim))
        );
        let g = igmp(&d);
        assert_eq!((g.kind, g.type_name, g.group), (0x14, Some("pim-v1"), None));
    }

    #[test]
    fn cut_messages_keep_the_fields_tshark_shows() {
        let cut_at = |data: &[u8], declared: usize| {
            let mut note = None;
            let d = decode(data, declared, &mut note).unwrap();
            let Layer::Partial(p) = d.layer else {
                panic!("not partial")
            };
            assert_eq!((p.proto, d.next), (ProtoId::Igmp, None));
            let names: Vec<&str> = p.fields.iter().map(|(name, _)| *name).collect();
            (names, note.unwrap().to_string())
        };
        assert_eq!(
            cut_at(&V3_QUERY[..7], 7),
            (
                vec!["version", "type", "max_resp", "checksum"],
                "IGMP message needs 8 bytes, 7 captured".into()
            )
        );
        // IP says 12 bytes (v3 query) but only 10 are captured: the type tells the version.
        assert_eq!(
            cut_at(&V3_QUERY[..10], 12),
            (
                vec!["version", "type"],
                "IGMPv3 query needs 12 bytes, 10 captured".into()
            )
        );
        assert_eq!(cut_at(&V3_QUERY[..1], 12).0, ["version", "type"]);
        // A v1/v2 query's version needs its max response time.
        assert!(cut_at(&V3_QUERY[..1], 8).0.is_empty());
        assert_eq!(cut_at(&V3_QUERY[..2], 8).0, ["version", "type", "max_resp"]);
        assert_eq!(cut_at(&[0x1e, 0], 8).0, ["type", "max_resp"]);
        assert_eq!(cut_at(&[0x30, 0], 8).0, ["type"]);
        assert!(cut_at(&[0x13, 0], 8).0.is_empty());
        assert!(cut_at(&[PIM_V1, 0], 8).0.is_empty());
    }

    #[test]
    fn no_panic_on_random_bytes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..300 {
            let mut bytes = super::super::test_random_bytes(&mut seed, 64);
            bytes[0] = [0x11, 0x22, 0x12, 0x16, 0x17][round % 5];
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], len, &mut None);
                let _ = decode(&bytes[..len], usize::MAX, &mut None);
            }
        }
    }
}
