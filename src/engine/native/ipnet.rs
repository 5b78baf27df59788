//! Solaris IPNET (link type 226): the 24-byte big-endian header of Solaris' `/dev/ipnet`
//! observability devices in front of an IPv4 or IPv6 datagram.
//!
//! The header is version, address family (Solaris `AF_INET` 2, `AF_INET6` 26), hook type,
//! packet length, interface index, group interface index, source and destination zone. As in
//! Wireshark 4.0 (`packet-ipnet.c`), the datagram is the last `pktlen` captured bytes, and only
//! the two families go on.

use super::{DecodeError, DecodeResult, Decoded, partial, read};
use crate::model::{FieldValue, Ipnet, Layer, ProtoId};

/// Length of the header.
pub const HEADER_LEN: usize = 24;

/// Solaris `AF_INET`.
const AF_INET: u8 = 2;
/// Solaris `AF_INET6`.
const AF_INET6: u8 = 26;

/// Decodes an IPNET header. A cut header keeps the fields that fit (a partial layer,
/// `partial` set).
pub fn decode(data: &[u8], partial: &mut Option<DecodeError>) -> DecodeResult {
    let be32 = |at: usize| read::be32(data, at);
    if data.len() < HEADER_LEN {
        let why = DecodeError::truncated("IPNET header", HEADER_LEN, data.len());
        let mut fields = Vec::new();
        fields.extend(data.first().map(|&v| ("version", FieldValue::U8(v))));
        fields.extend(data.get(1).map(|&v| ("family", FieldValue::U8(v))));
        fields.extend(read::be16(data, 2).map(|v| ("htype", FieldValue::U16(v))));
        for (name, at) in [
            ("pktlen", 4),
            ("ifindex", 8),
            ("grifindex", 12),
            ("zsrc", 16),
            ("zdst", 20),
        ] {
            fields.extend(be32(at).map(|v| (name, FieldValue::U32(v))));
        }
        return Ok(partial::keep(ProtoId::Ipnet, data, fields, 0, why, partial));
    }
    let pktlen = be32(4).unwrap_or(0);
    // The datagram is the last `pktlen` bytes; when fewer follow the header (a frame cut by
    // the snap length, or a bogus length), the header is kept and the rest is data, with the
    // frame's error saying why (tshark shows `ipnet` and a malformed or bogus datagram).
    let start = usize::try_from(pktlen)
        .ok()
        .and_then(|n| data.len().checked_sub(n))
        .filter(|&start| start >= HEADER_LEN);
    if start.is_none() {
        *partial = Some(DecodeError::other(format!(
            "IPNET packet length {pktlen} is more than the {} captured bytes after the header",
            data.len() - HEADER_LEN
        )));
    }
    let header_len = start.unwrap_or(HEADER_LEN);
    let family = data.get(1).copied().unwrap_or(0);
    Ok(Decoded {
        layer: Layer::Ipnet(Ipnet {
            version: data.first().copied().unwrap_or(0),
            family,
            htype: read::be16(data, 2).unwrap_or(0),
            pktlen,
            ifindex: be32(8).unwrap_or(0),
            grifindex: be32(12).unwrap_or(0),
            zsrc: be32(16).unwrap_or(0),
            zdst: be32(20).unwrap_or(0),
            header_len: header_len as u32,
            payload_len: pktlen,
        }),
        header_len,
        payload_len: data.len() - header_len,
        next: match family {
            _ if start.is_none() => None,
            AF_INET => Some(ProtoId::Ipv4),
            AF_INET6 => Some(ProtoId::Ipv6),
            _ => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tcpdump's e1000g.pcap frame 1: version 1, AF_INET, hook 0, 84 bytes, interface 2,
    /// zones 0xffffffff → 0; then the datagram (here 4 bytes of it, pktlen 4).
    fn header(family: u8, pktlen: u32) -> Vec<u8> {
        let mut h = vec![1, family, 0, 0];
        h.extend(pktlen.to_be_bytes());
        h.extend(2u32.to_be_bytes());
        h.extend(0u32.to_be_bytes());
        h.extend(u32::MAX.to_be_bytes());
        h.extend(0u32.to_be_bytes());
        h
    }

    #[test]
    fn decodes_every_field() {
        let data = [header(2, 4), vec![0x45, 0, 0, 4]].concat();
        let d = decode(&data, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::Ipnet(Ipnet {
                version: 1,
                family: 2,
                htype: 0,
                pktlen: 4,
                ifindex: 2,
                grifindex: 0,
                zsrc: u32::MAX,
                zdst: 0,
                header_len: 24,
                payload_len: 4,
            })
        );
        assert_eq!((d.header_len, d.next), (24, Some(ProtoId::Ipv4)));
        let v6 = [header(26, 2), vec![0x60, 0]].concat();
        assert_eq!(decode(&v6, &mut None).unwrap().next, Some(ProtoId::Ipv6));
        let other = [header(7, 0)].concat();
        assert_eq!(decode(&other, &mut None).unwrap().next, None);
    }

    #[test]
    fn the_datagram_is_the_last_pktlen_bytes() {
        // Two bytes more than pktlen: the datagram starts after them (Wireshark's rule).
        let data = [header(2, 4), vec![0xaa, 0xbb, 0x45, 0, 0, 4]].concat();
        let d = decode(&data, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (26, 4));
        // More than follows the header (cut by the snap length, or bogus): the header is kept,
        // the rest is data, the note says why (tshark 4.0.17: `ipnet` and a malformed or
        // bogus `ip`).
        let long = [header(2, 9), vec![0x45, 0, 0, 4]].concat();
        let mut note = None;
        let d = decode(&long, &mut note).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (24, 4, None));
        let Layer::Ipnet(ipnet) = &d.layer else {
            panic!("not IPNET")
        };
        assert_eq!((ipnet.pktlen, ipnet.header_len), (9, 24));
        assert_eq!(
            note.unwrap().to_string(),
            "IPNET packet length 9 is more than the 4 captured bytes after the header"
        );
    }

    #[test]
    fn a_cut_header_keeps_what_fits() {
        let data = header(2, 84);
        let mut note = None;
        let d = decode(&data[..9], &mut note).unwrap();
        let Layer::Partial(cut) = &d.layer else {
            panic!("not partial")
        };
        assert_eq!(
            cut.fields,
            [
                ("version", FieldValue::U8(1)),
                ("family", FieldValue::U8(2)),
                ("htype", FieldValue::U16(0)),
                ("pktlen", FieldValue::U32(84)),
            ]
        );
        assert_eq!(
            note.unwrap().to_string(),
            "IPNET header needs 24 bytes, 9 captured"
        );
    }
}
