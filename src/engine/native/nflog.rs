//! Linux netfilter NFLOG (link type 239): a 4-byte header, then type-length-value attributes
//! in the capturing host's byte order; `NFULA_PAYLOAD` (type 9) holds the logged IP packet.

use super::{DecodeError, DecodeResult, Decoded, ip_by_version};
use crate::model::{Layer, Nflog, NflogAttribute, ProtoId};

/// Length of the fixed header (family, version, resource id).
pub const HEADER_LEN: usize = 4;
/// Length of an attribute's own header (length, type).
const ATTRIBUTE_HEADER_LEN: usize = 4;
/// The attribute carrying the logged packet.
const NFULA_PAYLOAD: u16 = 9;
/// The attribute carrying the log prefix.
const NFULA_PREFIX: u16 = 10;
/// The most attributes recorded for one frame.
const MAX_ATTRIBUTES: usize = 64;

/// Name of an NFLOG attribute type.
fn attribute_name(kind: u16) -> &'static str {
    match kind {
        1 => "PACKET_HDR",
        2 => "MARK",
        3 => "TIMESTAMP",
        4 => "IFINDEX_INDEV",
        5 => "IFINDEX_OUTDEV",
        6 => "IFINDEX_PHYSINDEV",
        7 => "IFINDEX_PHYSOUTDEV",
        8 => "HWADDR",
        9 => "PAYLOAD",
        10 => "PREFIX",
        11 => "UID",
        12 => "SEQ",
        13 => "SEQ_GLOBAL",
        14 => "GID",
        15 => "HWTYPE",
        16 => "HWHEADER",
        17 => "HWLEN",
        18 => "CT",
        19 => "CT_INFO",
        20 => "VLAN",
        21 => "L2HDR",
        _ => "Unknown",
    }
}

/// Reads the attribute at `at`: its length and type, in little- or big-endian order (the one
/// whose length fits the remaining bytes, little-endian first, as on x86 and ARM hosts), and
/// its value.
fn attribute(data: &[u8], at: usize) -> Option<(usize, u16, &[u8])> {
    let rest = data.get(at..)?;
    let &[l0, l1, k0, k1] = rest.first_chunk::<ATTRIBUTE_HEADER_LEN>()?;
    let fits = |len: u16| (ATTRIBUTE_HEADER_LEN..=rest.len()).contains(&usize::from(len));
    let le = (u16::from_le_bytes([l0, l1]), u16::from_le_bytes([k0, k1]));
    let be = (u16::from_be_bytes([l0, l1]), u16::from_be_bytes([k0, k1]));
    let (len, kind) = [le, be].into_iter().find(|&(len, _)| fits(len))?;
    let len = usize::from(len);
    Some((len, kind, rest.get(ATTRIBUTE_HEADER_LEN..len)?))
}

/// Decodes the NFLOG header and its attributes; the payload is the `NFULA_PAYLOAD` value. An
/// attribute cut short ends the list: `note` says where.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let &[family, version, r0, r1, ..] = data else {
        return Err(DecodeError::truncated(
            "NFLOG header",
            HEADER_LEN,
            data.len(),
        ));
    };
    let mut record = Nflog {
        family,
        version,
        resource_id: u16::from_be_bytes([r0, r1]),
        prefix: None,
        attributes: Vec::new(),
        header_len: 0,
        payload_len: 0,
    };
    let mut at = HEADER_LEN;
    let mut payload = None;
    while at < data.len() && record.attributes.len() < MAX_ATTRIBUTES {
        let Some((len, kind, value)) = attribute(data, at) else {
            // Cut inside the attributes: the record keeps those before (tshark shows `nflog`).
            *note = Some(DecodeError::other(format!(
                "NFLOG attribute at byte {at} has a length past the captured bytes"
            )));
            break;
        };
        record.attributes.push(NflogAttribute {
            kind,
            name: attribute_name(kind),
            len: len as u16,
        });
        match kind {
            NFULA_PREFIX => {
                let text = value.split(|&b| b == 0).next().unwrap_or_default();
                record.prefix = Some(String::from_utf8_lossy(text).into_owned());
            }
            NFULA_PAYLOAD if payload.is_none() => {
                payload = Some((at + ATTRIBUTE_HEADER_LEN, value.len()));
            }
            _ => {}
        }
        at += len.div_ceil(4) * 4;
    }
    let (header_len, payload_len) = payload.unwrap_or((data.len(), 0));
    record.header_len = header_len as u32;
    record.payload_len = payload_len as u32;
    let next = match (payload.is_some(), record.family) {
        (false, _) => None,
        (true, 2) => Some(ProtoId::Ipv4),
        (true, 10) => Some(ProtoId::Ipv6),
        (true, _) => data.get(header_len..).and_then(ip_by_version),
    };
    Ok(Decoded {
        layer: Layer::Nflog(record),
        header_len,
        payload_len,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tcpdump's nflog.pcap frame 1 up to the first bytes of the logged IPv4 packet.
    const FRAME: [u8; 40] = [
        0x02, 0x00, 0x00, 0x14, // IPv4, version 0, group 20
        0x08, 0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x27, // PACKET_HDR
        0x05, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, // PREFIX "" (padded)
        0x08, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x02, // IFINDEX_INDEV
        0x0c, 0x00, 0x09, 0x00, // PAYLOAD, 8 bytes
        0x45, 0x00, 0x00, 0x49, 0x00, 0x00, 0x40, 0x00,
    ];

    #[test]
    fn decodes_header_attributes_and_payload() {
        let d = decode(&FRAME, &mut None).unwrap();
        let Layer::Nflog(rec) = &d.layer else {
            panic!("not NFLOG")
        };
        assert_eq!((rec.family, rec.version, rec.resource_id), (2, 0, 20));
        assert_eq!(rec.prefix.as_deref(), Some(""));
        let names: Vec<&str> = rec.attributes.iter().map(|a| a.name).collect();
        assert_eq!(names, ["PACKET_HDR", "PREFIX", "IFINDEX_INDEV", "PAYLOAD"]);
        assert_eq!(rec.attributes[1].len, 5);
        assert_eq!((d.header_len, d.payload_len), (32, 8));
        assert_eq!((rec.header_len, rec.payload_len), (32, 8));
        assert_eq!(d.next, Some(ProtoId::Ipv4));
    }

    #[test]
    fn big_endian_attributes_are_read_too() {
        let frame = [10, 0, 0, 1, 0x00, 0x08, 0x00, 0x09, 0x60, 0, 0, 0];
        let d = decode(&frame, &mut None).unwrap();
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (8, 4, Some(ProtoId::Ipv6))
        );
    }

    #[test]
    fn malformed_lengths_end_the_attributes_without_panics() {
        assert!(decode(&FRAME[..3], &mut None).is_err());
        // An attribute length of 2 (< 4) in both byte orders, or one running past the end: the
        // record keeps the attributes before it, the note says where it stopped.
        for bad in [
            &[2, 0, 0, 1, 0x02, 0x00, 0x09, 0x00][..],
            &[2, 0, 0, 1, 0x40, 0x00, 0x09, 0x00, 0x45][..],
        ] {
            let mut note = None;
            let d = decode(bad, &mut note).unwrap();
            assert_eq!(
                note.unwrap().to_string(),
                "NFLOG attribute at byte 4 has a length past the captured bytes"
            );
            let Layer::Nflog(rec) = &d.layer else {
                panic!("not NFLOG")
            };
            assert!(rec.attributes.is_empty());
            assert_eq!((d.payload_len, d.next), (0, None));
        }
        // No payload attribute: no next protocol.
        let d = decode(&FRAME[..12], &mut None).unwrap();
        assert_eq!((d.payload_len, d.next), (0, None));
        for cut in 0..FRAME.len() {
            let _ = decode(&FRAME[..cut], &mut None);
        }
    }
}
