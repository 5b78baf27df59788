//! Open Shortest Path First: OSPFv2 (RFC 2328, IP protocol 89) and OSPFv3 (RFC 5340, IPv6
//! next header 89): the common header and the Hello, Database Description, Link State
//! Request, Link State Update and Link State Acknowledgment bodies down to their LSA headers.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{FieldValue, Layer, Ospf, OspfLsRequest, OspfLsaHeader, ProtoId};
use std::net::Ipv4Addr;

/// Field offsets of the OSPF common header (both versions).
mod field {
    pub const VERSION: usize = 0;
    pub const TYPE: usize = 1;
    pub const LENGTH: usize = 2;
    pub const ROUTER_ID: usize = 4;
    pub const AREA_ID: usize = 8;
    pub const CHECKSUM: usize = 12;
    /// OSPFv2: authentication type.
    pub const AU_TYPE: usize = 14;
    /// OSPFv3: instance id.
    pub const INSTANCE_ID: usize = 14;
}

/// Length of the OSPFv3 header and of the part common to both versions.
pub const V3_HEADER_LEN: usize = 16;

/// Length of the OSPFv2 header (with the 8-byte authentication field).
pub const V2_HEADER_LEN: usize = 24;

/// Length of an LSA header (both versions).
pub const LSA_HEADER_LEN: usize = 20;

/// Length of one Link State Request entry (both versions).
const LS_REQUEST_LEN: usize = 12;

/// A view over an OSPF packet whose header is captured.
///
/// The body is the bytes from the header to the packet length (or the end of the capture, if
/// sooner); accessors of body fields return `None` when their bytes are not there.
pub struct Packet<'a> {
    buffer: &'a [u8],
    /// The part of the header common to both versions.
    head: &'a [u8; V3_HEADER_LEN],
    header_len: usize,
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that its header (24 bytes for v2, 16 for v3 and unknown
    /// versions) is captured and that the packet length covers it.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(head) = buffer.first_chunk() else {
            return Err(DecodeError::truncated(
                "OSPF header",
                V3_HEADER_LEN,
                buffer.len(),
            ));
        };
        let header_len = if head[field::VERSION] == 2 {
            V2_HEADER_LEN
        } else {
            V3_HEADER_LEN
        };
        if buffer.len() < header_len {
            return Err(DecodeError::truncated(
                "OSPFv2 header",
                header_len,
                buffer.len(),
            ));
        }
        let packet = Packet {
            buffer,
            head,
            header_len,
        };
        let length = packet.length();
        if usize::from(length) < header_len {
            return Err(DecodeError::other(format!(
                "OSPF packet length {length} < header length {header_len}"
            )));
        }
        Ok(packet)
    }

    fn be16(&self, at: usize) -> Option<u16> {
        read::be16(self.buffer, at)
    }

    fn addr(&self, at: usize) -> Option<Ipv4Addr> {
        read::be32(self.buffer, at).map(Ipv4Addr::from)
    }

    /// Version (2 or 3).
    pub fn version(&self) -> u8 {
        self.head[field::VERSION]
    }

    /// Packet type (1 Hello ... 5 LS Acknowledgment).
    pub fn kind(&self) -> u8 {
        self.head[field::TYPE]
    }

    /// Packet length, header included (authentication trailer and LLS block excluded).
    pub fn length(&self) -> u16 {
        self.be16(field::LENGTH).unwrap_or_default()
    }

    /// Router id of the sender.
    pub fn router_id(&self) -> Ipv4Addr {
        self.addr(field::ROUTER_ID).unwrap_or(Ipv4Addr::UNSPECIFIED)
    }

    /// Area id.
    pub fn area_id(&self) -> Ipv4Addr {
        self.addr(field::AREA_ID).unwrap_or(Ipv4Addr::UNSPECIFIED)
    }

    /// Checksum as carried.
    pub fn checksum(&self) -> u16 {
        self.be16(field::CHECKSUM).unwrap_or_default()
    }

    /// The body: from the header to the packet length, as much as is captured.
    pub fn body(&self) -> &'a [u8] {
        let end = usize::from(self.length()).min(self.buffer.len());
        self.buffer.get(self.header_len..end).unwrap_or_default()
    }
}

/// The name of an OSPF packet type, if known.
pub fn type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        1 => "hello",
        2 => "db-description",
        3 => "ls-request",
        4 => "ls-update",
        5 => "ls-ack",
        _ => return None,
    })
}

/// The name of an LSA type of OSPF `version`, if known. OSPFv3 types are named by their
/// function code (the low 13 bits).
pub fn lsa_type_name(version: u8, ls_type: u32) -> Option<&'static str> {
    if version == 3 {
        return Some(match ls_type & 0x1fff {
            1 => "Router",
            2 => "Network",
            3 => "Inter-Area-Prefix",
            4 => "Inter-Area-Router",
            5 => "AS-External",
            6 => "Group-Membership",
            7 => "NSSA",
            8 => "Link",
            9 => "Intra-Area-Prefix",
            _ => return None,
        });
    }
    Some(match ls_type {
        1 => "Router",
        2 => "Network",
        3 => "Summary-Network",
        4 => "Summary-ASBR",
        5 => "AS-External",
        6 => "Group-Membership",
        7 => "NSSA",
        8 => "External-Attributes",
        9 => "Opaque-Link",
        10 => "Opaque-Area",
        11 => "Opaque-AS",
        _ => return None,
    })
}

/// Big-endian readers over a body slice; `None` past its end.
struct Body<'a>(&'a [u8]);

impl Body<'_> {
    fn u8(&self, at: usize) -> Option<u8> {
        self.0.get(at).copied()
    }
    fn be16(&self, at: usize) -> Option<u16> {
        read::be16(self.0, at)
    }
    fn be24(&self, at: usize) -> Option<u32> {
        let &[a, b, c] = self.0.get(at..)?.first_chunk()?;
        Some(u32::from_be_bytes([0, a, b, c]))
    }
    fn be32(&self, at: usize) -> Option<u32> {
        read::be32(self.0, at)
    }
    fn addr(&self, at: usize) -> Option<Ipv4Addr> {
        self.be32(at).map(Ipv4Addr::from)
    }
    /// The IPv4-formatted ids from `at` to the end.
    fn addrs(&self, at: usize) -> Vec<Ipv4Addr> {
        let (ids, _) = self.0.get(at..).unwrap_or_default().as_chunks::<4>();
        ids.iter().map(|&id| Ipv4Addr::from(id)).collect()
    }
}

/// Decodes the LSA header at the start of `bytes` (20 bytes needed).
fn lsa_header(version: u8, bytes: &[u8]) -> Option<OspfLsaHeader> {
    let b = Body(bytes.get(..LSA_HEADER_LEN)?);
    let (options, ls_type) = if version == 3 {
        (None, u32::from(b.be16(2)?))
    } else {
        (Some(b.u8(2)?), u32::from(b.u8(3)?))
    };
    Some(OspfLsaHeader {
        age: b.be16(0)?,
        options,
        ls_type,
        ls_type_name: lsa_type_name(version, ls_type),
        link_state_id: b.addr(4)?,
        advertising_router: b.addr(8)?,
        seq: b.be32(12)?,
        checksum: b.be16(16)?,
        length: b.be16(18)?,
    })
}

/// The LSA headers packed one after another from `at` (DB Description, LS Acknowledgment).
fn lsa_headers(version: u8, body: &[u8], at: usize) -> Vec<OspfLsaHeader> {
    body.get(at..)
        .unwrap_or_default()
        .chunks_exact(LSA_HEADER_LEN)
        .filter_map(|chunk| lsa_header(version, chunk))
        .collect()
}

/// The headers of the (at most `count`) whole LSAs of an LS Update, each `length` bytes long.
/// An LSA length below 20 or past the body ends the list.
fn update_lsas(version: u8, body: &[u8], count: u32) -> Vec<OspfLsaHeader> {
    let mut lsas = Vec::new();
    let mut at = 4usize;
    while (lsas.len() as u64) < u64::from(count) {
        let Some(header) = body.get(at..).and_then(|b| lsa_header(version, b)) else {
            break;
        };
        let len = usize::from(header.length);
        if len < LSA_HEADER_LEN {
            break;
        }
        lsas.push(header);
        at = at.saturating_add(len);
    }
    lsas
}

/// The fields of a header cut short, as tshark 4.0 shows them (versions 2 and 3; others show
/// none): version, type and packet length together once 4 bytes are captured, the router id
/// once 8 are, the area id once 12, the checksum once 14; then v2's authentication type at
/// 16, v3's instance id at 15.
fn cut(data: &[u8]) -> Fields {
    let mut fields = Fields::with_capacity(7);
    let (Some(&version @ (2 | 3)), Some(&kind), Some(length)) = (
        data.get(field::VERSION),
        data.get(field::TYPE),
        partial::be16(data, field::LENGTH),
    ) else {
        return fields;
    };
    fields.push(("version", FieldValue::U8(version)));
    fields.push(("type", FieldValue::U8(kind)));
    fields.push(("length", FieldValue::U16(length)));
    let addr = |at| partial::be32(data, at).map(|a| FieldValue::Ipv4(Ipv4Addr::from(a)));
    fields.extend(addr(field::ROUTER_ID).map(|a| ("router_id", a)));
    fields.extend(addr(field::AREA_ID).map(|a| ("area_id", a)));
    let checksum = partial::be16(data, field::CHECKSUM);
    fields.extend(checksum.map(|v| ("checksum", FieldValue::U16(v))));
    if version == 2 {
        let auth_type = partial::be16(data, field::AU_TYPE);
        fields.extend(auth_type.map(|v| ("auth_type", FieldValue::U16(v))));
    } else {
        let instance_id = data.get(field::INSTANCE_ID).copied();
        fields.extend(instance_id.map(|v| ("instance_id", FieldValue::U8(v))));
    }
    fields
}

/// Decodes an OSPF packet; `declared` is the length the IP header leaves for it.
///
/// The layer spans the whole IP payload (`header_len`): the packet (`length` bytes) plus, for
/// OSPFv2 cryptographic authentication, the digest and any LLS data block after it; nothing
/// follows. A body too short for its type's fixed fields is an error; lists (neighbours, LSA
/// headers, requests) hold the entries that are captured whole within the packet length.
pub fn decode(data: &[u8], declared: usize, note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why @ DecodeError::Truncated { .. }) => {
            return Ok(partial::keep(ProtoId::Ospf, data, cut(data), 0, why, note));
        }
        Err(why) => return Err(why),
    };
    let version = packet.version();
    let kind = packet.kind();
    let v3 = version == 3;
    let mut ospf = Ospf {
        version,
        kind,
        type_name: type_name(kind),
        length: packet.length(),
        router_id: packet.router_id(),
        area_id: packet.area_id(),
        checksum: packet.checksum(),
        auth_type: None,
        instance_id: None,
        network_mask: None,
        interface_id: None,
        hello_interval: None,
        dead_interval: None,
        options: None,
        priority: None,
        dr: None,
        bdr: None,
        neighbors: None,
        mtu: None,
        dd_flags: None,
        dd_seq: None,
        requests: None,
        lsa_count: None,
        lsas: None,
        header_len: 0,
        payload_len: 0,
    };
    match version {
        2 => ospf.auth_type = packet.be16(field::AU_TYPE),
        3 => ospf.instance_id = data.get(field::INSTANCE_ID).copied(),
        _ => {}
    }
    let body = Body(packet.body());
    // A body shorter than its type's fixed fields: the record keeps the common header, the
    // shortfall is the frame's error (tshark shows `ospf`, malformed).
    let mut short = None;
    let mut needs = |what: &str, n: usize| -> bool {
        if body.0.len() < n {
            short = Some(DecodeError::other(format!(
                "OSPF {what} needs {n} bytes after the header, {} present",
                body.0.len()
            )));
            false
        } else {
            true
        }
    };
    if version == 2 || v3 {
        match kind {
            1 if needs("Hello", 20) => {
                if v3 {
                    ospf.interface_id = body.be32(0);
                    ospf.priority = body.u8(4);
                    ospf.options = body.be24(5);
                    ospf.hello_interval = body.be16(8);
                    ospf.dead_interval = body.be16(10).map(u32::from);
                } else {
                    ospf.network_mask = body.addr(0);
                    ospf.hello_interval = body.be16(4);
                    ospf.options = body.u8(6).map(u32::from);
                    ospf.priority = body.u8(7);
                    ospf.dead_interval = body.be32(8);
                }
                ospf.dr = body.addr(12);
                ospf.bdr = body.addr(16);
                ospf.neighbors = Some(body.addrs(20));
            }
            2 if needs("DB Description", if v3 { 12 } else { 8 }) => {
                let lsas_at = if v3 {
                    ospf.options = body.be24(1);
                    ospf.mtu = body.be16(4);
                    ospf.dd_flags = body.u8(7);
                    ospf.dd_seq = body.be32(8);
                    12
                } else {
                    ospf.mtu = body.be16(0);
                    ospf.options = body.u8(2).map(u32::from);
                    ospf.dd_flags = body.u8(3);
                    ospf.dd_seq = body.be32(4);
                    8
                };
                ospf.lsas = Some(lsa_headers(version, body.0, lsas_at));
            }
            3 => {
                let requests = body
                    .0
                    .chunks_exact(LS_REQUEST_LEN)
                    .map(|chunk| {
                        let e = Body(chunk);
                        let ls_type = if v3 {
                            u32::from(e.be16(2).unwrap_or_default())
                        } else {
                            e.be32(0).unwrap_or_default()
                        };
                        OspfLsRequest {
                            ls_type,
                            ls_type_name: lsa_type_name(version, ls_type),
                            link_state_id: e.addr(4).unwrap_or(Ipv4Addr::UNSPECIFIED),
                            advertising_router: e.addr(8).unwrap_or(Ipv4Addr::UNSPECIFIED),
                        }
                    })
                    .collect();
                ospf.requests = Some(requests);
            }
            4 if needs("LS Update", 4) => {
                let count = body.be32(0).unwrap_or_default();
                ospf.lsa_count = Some(count);
                ospf.lsas = Some(update_lsas(version, body.0, count));
            }
            5 => ospf.lsas = Some(lsa_headers(version, body.0, 0)),
            _ => {}
        }
    }
    if short.is_some() {
        *note = short;
    }
    let header_len = declared.max(data.len());
    ospf.header_len = u32::try_from(header_len).unwrap_or(u32::MAX);
    Ok(Decoded {
        layer: Layer::Ospf(Box::new(ospf)),
        header_len,
        payload_len: 0,
        next: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ospf(d: &Decoded) -> &Ospf {
        match &d.layer {
            Layer::Ospf(o) => o,
            other => panic!("not OSPF: {other:?}"),
        }
    }

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    /// tcpdump__OSPFv2_Capture_FINAL.pcapng frame 1 (OSPF part up to the packet length 52,
    /// then the 16-byte MD5 digest): Hello from 192.168.255.15, crypto auth.
    fn v2_hello() -> Vec<u8> {
        let mut p = vec![
            0x02, 0x01, 0x00, 0x34, 192, 168, 255, 15, 0, 0, 0, 0, 0x00, 0x00, 0x00,
            0x02, // hdr
            0x00, 0x00, 0x01, 0x10, 0x5a, 0x83, 0x41, 0x12, // key id 1, len 16, seq
            255, 255, 255, 0, 0x00, 0x0a, 0x12, 0x01, 0x00, 0x00, 0x00, 0x28, // mask .. dead
            192, 168, 121, 4, 192, 168, 121, 5, // DR, BDR
            192, 168, 255, 11, 192, 168, 255, 14, // neighbours
        ];
        p.extend_from_slice(&[0x91; 16]); // digest
        p
    }

    #[test]
    fn v2_hello_from_capture() {
        let p = v2_hello();
        let d = decode(&p, p.len(), &mut None).unwrap();
        let o = ospf(&d);
        assert_eq!(
            (o.version, o.kind, o.type_name, o.length),
            (2, 1, Some("hello"), 52)
        );
        assert_eq!(
            (
                o.router_id,
                o.area_id,
                o.checksum,
                o.auth_type,
                o.instance_id
            ),
            (ip("192.168.255.15"), ip("0.0.0.0"), 0, Some(2), None)
        );
        assert_eq!(o.network_mask, Some(ip("255.255.255.0")));
        assert_eq!(
            (o.hello_interval, o.options, o.priority, o.dead_interval),
            (Some(10), Some(0x12), Some(1), Some(40))
        );
        assert_eq!(
            (o.dr, o.bdr),
            (Some(ip("192.168.121.4")), Some(ip("192.168.121.5")))
        );
        assert_eq!(
            o.neighbors,
            Some(vec![ip("192.168.255.11"), ip("192.168.255.14")])
        );
        // The digest after the packet length belongs to the layer; nothing follows.
        assert_eq!((d.header_len, d.payload_len, d.next), (68, 0, None));
        assert_eq!((o.header_len, o.payload_len), (68, 0));
    }

    /// An LSA header: age 4, options 0x22, type 1, id and advertising router 192.168.255.11,
    /// seq 0x80000002, checksum 0x3e97, length 60 (frame 5 of the same capture).
    const LSA: [u8; 20] = [
        0x00, 0x04, 0x22, 0x01, 192, 168, 255, 11, 192, 168, 255, 11, 0x80, 0x00, 0x00, 0x02, 0x3e,
        0x97, 0x00, 0x3c,
    ];

    fn v2(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut p = vec![0x02, kind, 0, 0, 192, 168, 255, 11, 0, 0, 0, 0, 0, 0, 0, 0];
        p.extend_from_slice(&[0; 8]);
        p.extend_from_slice(body);
        let len = p.len() as u16;
        p[2..4].copy_from_slice(&len.to_be_bytes());
        p
    }

    #[test]
    fn v2_db_description_and_ack() {
        let mut body = vec![0x05, 0xdc, 0x52, 0x02, 0x00, 0x00, 0x1b, 0xfb];
        body.extend_from_slice(&LSA);
        let p = v2(2, &body);
        let d = decode(&p, p.len(), &mut None).unwrap();
        let o = ospf(&d);
        assert_eq!(
            (o.mtu, o.options, o.dd_flags, o.dd_seq),
            (Some(1500), Some(0x52), Some(2), Some(7163))
        );
        let lsa = OspfLsaHeader {
            age: 4,
            options: Some(0x22),
            ls_type: 1,
            ls_type_name: Some("Router"),
            link_state_id: ip("192.168.255.11"),
            advertising_router: ip("192.168.255.11"),
            seq: 0x8000_0002,
            checksum: 0x3e97,
            length: 60,
        };
        assert_eq!(o.lsas, Some(vec![lsa.clone()]));
        let p = v2(5, &[LSA, LSA].concat());
        let d = decode(&p, p.len(), &mut None).unwrap();
        assert_eq!(ospf(&d).lsas, Some(vec![lsa.clone(), lsa]));
        assert_eq!(ospf(&d).type_name, Some("ls-ack"));
    }

    #[test]
    fn v2_ls_request_and_update() {
        let req = [0, 0, 0, 5, 192, 168, 255, 12, 192, 168, 255, 11];
        let p = v2(3, &req);
        let d = decode(&p, p.len(), &mut None).unwrap();
        assert_eq!(
            ospf(&d).requests,
            Some(vec![OspfLsRequest {
                ls_type: 5,
                ls_type_name: Some("AS-External"),
                link_state_id: ip("192.168.255.12"),
                advertising_router: ip("192.168.255.11"),
            }])
        );
        // LS Update: 2 LSAs of 24 bytes each (header + 4 bytes).
        let mut lsa = LSA.to_vec();
        lsa[18..20].copy_from_slice(&24u16.to_be_bytes());
        lsa.extend_from_slice(&[0; 4]);
        let body = [&[0, 0, 0, 2][..], &lsa, &lsa].concat();
        let p = v2(4, &body);
        let d = decode(&p, p.len(), &mut None).unwrap();
        let o = ospf(&d);
        assert_eq!(
            (o.lsa_count, o.lsas.as_ref().map(Vec::len)),
            (Some(2), Some(2))
        );
        // A count larger than the message: the LSAs present.
        let mut big = body.clone();
        big[..4].copy_from_slice(&u32::MAX.to_be_bytes());
        let p = v2(4, &big);
        let d = decode(&p, p.len(), &mut None).unwrap();
        assert_eq!(ospf(&d).lsas.as_ref().map(Vec::len), Some(2));
        // An LSA length below 20 ends the list (no endless loop on length 0).
        let mut zero = body;
        zero[4 + 18..4 + 20].copy_from_slice(&[0, 0]);
        let p = v2(4, &zero);
        let d = decode(&p, p.len(), &mut None).unwrap();
        assert_eq!(ospf(&d).lsas, Some(vec![]));
    }

    /// pcpp__ipv6_options.pcapng frame 1: OSPFv3 Hello from 2.2.2.2, area 0.0.0.1.
    const V3_HELLO: [u8; 40] = [
        0x03, 0x01, 0x00, 0x28, 2, 2, 2, 2, 0, 0, 0, 1, 0xf1, 0x73, 0x00, 0x00, // header
        0, 0, 0, 5, 1, 0x00, 0x00, 0x13, 0x00, 0x0a, 0x00, 0x28, // iface, prio, options
        2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, // DR, BDR, neighbour
    ];

    #[test]
    fn v3_hello_from_capture() {
        let d = decode(&V3_HELLO, 40, &mut None).unwrap();
        let o = ospf(&d);
        assert_eq!(
            (o.version, o.router_id, o.area_id, o.checksum),
            (3, ip("2.2.2.2"), ip("0.0.0.1"), 0xf173)
        );
        assert_eq!((o.instance_id, o.auth_type), (Some(0), None));
        assert_eq!(
            (
                o.interface_id,
                o.priority,
                o.options,
                o.hello_interval,
                o.dead_interval
            ),
            (Some(5), Some(1), Some(0x13), Some(10), Some(40))
        );
        assert_eq!((o.dr, o.bdr), (Some(ip("2.2.2.2")), Some(ip("1.1.1.1"))));
        assert_eq!(o.neighbors, Some(vec![ip("1.1.1.1")]));
        assert_eq!(o.network_mask, None);
        assert_eq!(d.header_len, 40);
    }

    fn v3(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut p = vec![0x03, kind, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        p.extend_from_slice(body);
        let len = p.len() as u16;
        p[2..4].copy_from_slice(&len.to_be_bytes());
        p
    }

    /// An OSPFv3 LSA header: age 1, type 0x2001 (Router), id 0.0.0.0, advertising router
    /// 1.1.1.1, seq 0x80000003, checksum 0xabcd, length 40.
    const V3_LSA: [u8; 20] = [
        0x00, 0x01, 0x20, 0x01, 0, 0, 0, 0, 1, 1, 1, 1, 0x80, 0x00, 0x00, 0x03, 0xab, 0xcd, 0x00,
        0x28,
    ];

    #[test]
    fn v3_db_description_request_update() {
        // DD: reserved, options 0x000013, MTU 1500, reserved, flags I|M|MS, seq 0x1234.
        let mut body = vec![0, 0, 0, 0x13, 0x05, 0xdc, 0, 0x07, 0, 0, 0x12, 0x34];
        body.extend_from_slice(&V3_LSA);
        let p = v3(2, &body);
        let d = decode(&p, p.len(), &mut None).unwrap();
        let o = ospf(&d);
        assert_eq!(
            (o.options, o.mtu, o.dd_flags, o.dd_seq),
            (Some(0x13), Some(1500), Some(7), Some(0x1234))
        );
        let lsas = o.lsas.as_ref().unwrap();
        assert_eq!(lsas.len(), 1);
        assert_eq!(
            (lsas[0].ls_type, lsas[0].ls_type_name, lsas[0].options),
            (0x2001, Some("Router"), None)
        );
        assert_eq!(
            (lsas[0].advertising_router, lsas[0].seq, lsas[0].length),
            (ip("1.1.1.1"), 0x8000_0003, 40)
        );
        // LS Request: reserved, type 0x2009, id 0.0.0.0, router 2.2.2.2.
        let p = v3(3, &[0, 0, 0x20, 0x09, 0, 0, 0, 0, 2, 2, 2, 2]);
        let d = decode(&p, p.len(), &mut None).unwrap();
        let r = &ospf(&d).requests.as_ref().unwrap()[0];
        assert_eq!(
            (r.ls_type, r.ls_type_name, r.advertising_router),
            (0x2009, Some("Intra-Area-Prefix"), ip("2.2.2.2"))
        );
        // LS Update with one 40-byte LSA; a second LSA claimed by the count is not there.
        let mut lsa = V3_LSA.to_vec();
        lsa.resize(40, 0);
        let p = v3(4, &[&[0, 0, 0, 2][..], &lsa].concat());
        let d = decode(&p, p.len(), &mut None).unwrap();
        let o = ospf(&d);
        assert_eq!(
            (o.lsa_count, o.lsas.as_ref().map(Vec::len)),
            (Some(2), Some(1))
        );
    }

    #[test]
    fn v3_lsa_type_names() {
        assert_eq!(lsa_type_name(3, 0x2001), Some("Router"));
        assert_eq!(lsa_type_name(3, 0x0008), Some("Link"));
        assert_eq!(lsa_type_name(3, 0x4005), Some("AS-External"));
        assert_eq!(lsa_type_name(2, 10), Some("Opaque-Area"));
        assert_eq!(lsa_type_name(2, 0x2001), None);
        let mut lsa = LSA;
        lsa[2..4].copy_from_slice(&0x2001u16.to_be_bytes());
        let h = lsa_header(3, &lsa).unwrap();
        assert_eq!(
            (h.options, h.ls_type, h.ls_type_name),
            (None, 0x2001, Some("Router"))
        );
    }

    #[test]
    fn malformed_lengths() {
        let cut_at = |data: &[u8]| {
            let mut note = None;
            let d = decode(data, 100, &mut note).unwrap();
            let Layer::Partial(p) = d.layer else {
                panic!("not partial")
            };
            assert_eq!((p.proto, d.next), (ProtoId::Ospf, None));
            let names: Vec<&str> = p.fields.iter().map(|(name, _)| *name).collect();
            (names, note.unwrap().to_string())
        };
        let header = [
            "version",
            "type",
            "length",
            "router_id",
            "area_id",
            "checksum",
        ];
        assert_eq!(
            cut_at(&V3_HELLO[..15]),
            (
                [&header[..], &["instance_id"]].concat(),
                "OSPF header needs 16 bytes, 15 captured".into()
            )
        );
        assert_eq!(cut_at(&V3_HELLO[..3]).0, [""; 0]);
        assert_eq!(cut_at(&V3_HELLO[..4]).0, header[..3]);
        let p = v2_hello();
        assert_eq!(
            cut_at(&p[..20]),
            (
                [&header[..], &["auth_type"]].concat(),
                "OSPFv2 header needs 24 bytes, 20 captured".into()
            )
        );
        let mut unknown = V3_HELLO;
        unknown[0] = 4;
        assert_eq!(cut_at(&unknown[..15]).0, [""; 0]);
        let mut q = V3_HELLO;
        q[2..4].copy_from_slice(&8u16.to_be_bytes());
        assert_eq!(
            decode(&q, 40, &mut None).err().unwrap().to_string(),
            "OSPF packet length 8 < header length 16"
        );
        // Packet length shorter than the Hello body: the common header is kept (tshark shows
        // `ospf`), the shortfall is the note.
        q[2..4].copy_from_slice(&30u16.to_be_bytes());
        let mut note = None;
        let d = decode(&q, 40, &mut note).unwrap();
        assert_eq!(
            note.unwrap().to_string(),
            "OSPF Hello needs 20 bytes after the header, 14 present"
        );
        assert_eq!(
            (ospf(&d).length, ospf(&d).router_id, ospf(&d).hello_interval),
            (30, Ipv4Addr::new(2, 2, 2, 2), None)
        );
        // Packet length past the capture: the neighbours that are captured.
        q[2..4].copy_from_slice(&0xffffu16.to_be_bytes());
        let d = decode(&q, 40, &mut None).unwrap();
        assert_eq!(ospf(&d).neighbors.as_ref().map(Vec::len), Some(1));
        // Unknown version: the common header only.
        let mut u = V3_HELLO;
        u[0] = 4;
        let d = decode(&u, 40, &mut None).unwrap();
        assert_eq!((ospf(&d).version, ospf(&d).hello_interval), (4, None));
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let p = v2_hello();
        for kind in 0..=6u8 {
            for version in [2u8, 3, 9] {
                let mut q = p.clone();
                q[0] = version;
                q[1] = kind;
                for len in 0..=q.len() {
                    let _ = decode(&q[..len], len, &mut None);
                }
            }
        }
    }
}
