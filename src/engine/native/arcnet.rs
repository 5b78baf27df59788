//! ARCNET as Linux captures it (link type 129, `LINKTYPE_ARCNET_LINUX`): source and
//! destination station ids, a two-byte offset field, the protocol id, and for RFC 1201
//! encapsulations a split flag (0xFF: an exception packet, with 2 padding bytes, then the
//! protocol id and split flag again) and a sequence number. RFC 1051's ids (240 IP, 241 ARP),
//! diagnostics (128) and BACnet (205, an 802.2 LLC frame) have neither.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{Arcnet, FieldValue, Layer, ProtoId};

/// Length of the addresses, offset and protocol id.
pub const MIN_HEADER_LEN: usize = 5;

/// Protocol ids without a split flag and sequence number.
const NO_SPLIT: [u8; 4] = [240, 241, 128, BACNET];

/// BACnet's protocol id: an 802.2 LLC header follows (ANSI/ASHRAE 135 clause 8).
const BACNET: u8 = 205;

/// The split flag of an exception packet.
const EXCEPTION: u8 = 0xff;

/// The protocol an ARCNET protocol id names, if pcapkit decodes it.
fn next_protocol(id: u8) -> Option<ProtoId> {
    match id {
        212 | 240 => Some(ProtoId::Ipv4),
        213 | 241 => Some(ProtoId::Arp),
        214 => Some(ProtoId::Rarp),
        196 => Some(ProtoId::Ipv6),
        250 => Some(ProtoId::Ipx),
        BACNET => Some(ProtoId::Llc),
        _ => None,
    }
}

/// Decodes an ARCNET (Linux) header. A header cut by the snap length is a partial layer
/// with the fields that fit, as tshark shows them (the split flag once captured, never a cut
/// sequence number); `note` says what is missing.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    match decode_whole(data) {
        Err(why @ DecodeError::Truncated { .. }) => Ok(partial::keep(
            ProtoId::Arcnet,
            data,
            cut(data),
            0,
            why,
            note,
        )),
        other => other,
    }
}

/// The fields of a cut header that fit, in the complete record's order: none before both
/// addresses are captured (tshark reads them together).
fn cut(data: &[u8]) -> Fields {
    let mut fields = Fields::with_capacity(5);
    let Some(&[src, dst]) = data.first_chunk::<2>() else {
        return fields;
    };
    fields.push(("src", FieldValue::U8(src)));
    fields.push(("dst", FieldValue::U8(dst)));
    if let Some(offset) = partial::be16(data, 2) {
        fields.push(("offset", FieldValue::U16(offset)));
    }
    if let Some(&id) = data.get(4) {
        fields.push(("protocol_id", FieldValue::U8(id)));
        match data.get(5) {
            Some(&flag) if !NO_SPLIT.contains(&id) && flag != EXCEPTION => {
                fields.push(("split_flag", FieldValue::U8(flag)));
            }
            _ => {}
        }
    }
    fields
}

/// Decodes a whole ARCNET (Linux) header.
fn decode_whole(data: &[u8]) -> DecodeResult {
    let Some(h) = data.first_chunk::<MIN_HEADER_LEN>() else {
        return Err(DecodeError::truncated(
            "ARCNET header",
            MIN_HEADER_LEN,
            data.len(),
        ));
    };
    let mut id = h[4];
    let mut at = MIN_HEADER_LEN;
    let (mut split_flag, mut seq) = (None, None);
    if !NO_SPLIT.contains(&id) {
        let mut flag = data.get(at).copied();
        if flag == Some(EXCEPTION) {
            // Exception packet (RFC 1201): flag, 2 padding bytes, the protocol id again.
            at += 3;
            id = data.get(at).copied().unwrap_or(id);
            at += 1;
            flag = data.get(at).copied();
        }
        let end = at + 3;
        let Some(&[_, seq_hi, seq_lo]) = data.get(at..end) else {
            return Err(DecodeError::truncated("ARCNET header", end, data.len()));
        };
        split_flag = flag;
        seq = Some(u16::from_be_bytes([seq_hi, seq_lo]));
        at = end;
    }
    let payload_len = data.len() - at;
    Ok(Decoded {
        layer: Layer::Arcnet(Arcnet {
            src: h[0],
            dst: h[1],
            offset: u16::from_be_bytes([h[2], h[3]]),
            protocol_id: id,
            split_flag,
            seq,
            header_len: at as u32,
            payload_len: payload_len as u32,
        }),
        header_len: at,
        payload_len,
        next: next_protocol(id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arcnet_of(d: &Decoded) -> &Arcnet {
        let Layer::Arcnet(a) = &d.layer else {
            panic!("not ARCNET")
        };
        a
    }

    #[test]
    fn rfc_1201_ip() {
        let d = decode_whole(&[0x01, 0x00, 0, 0, 212, 0, 0x12, 0x34, 0x45]).unwrap();
        assert_eq!(
            *arcnet_of(&d),
            Arcnet {
                src: 1,
                dst: 0,
                offset: 0,
                protocol_id: 212,
                split_flag: Some(0),
                seq: Some(0x1234),
                header_len: 8,
                payload_len: 1,
            }
        );
        assert_eq!(d.next, Some(ProtoId::Ipv4));
        assert_eq!(
            decode_whole(&[1, 0, 0, 0, 213, 0, 0])
                .err()
                .unwrap()
                .to_string(),
            "ARCNET header needs 8 bytes, 7 captured"
        );
    }

    #[test]
    fn rfc_1051_and_exception_packets() {
        let d = decode_whole(&[2, 3, 0, 0, 241, 0, 1]).unwrap();
        let a = arcnet_of(&d);
        assert_eq!((a.split_flag, a.seq, d.header_len), (None, None, 5));
        assert_eq!(d.next, Some(ProtoId::Arp));
        // Exception: flag 0xFF, padding, then id 196 (IPv6), flag 0, sequence 7.
        let e = [2, 3, 0, 0, 196, 0xff, 0xff, 0xff, 196, 0, 0, 7, 0x60];
        let d = decode_whole(&e).unwrap();
        let a = arcnet_of(&d);
        assert_eq!(
            (a.protocol_id, a.split_flag, a.seq),
            (196, Some(0), Some(7))
        );
        assert_eq!((d.header_len, d.next), (12, Some(ProtoId::Ipv6)));
        assert!(decode_whole(&e[..11]).is_err());
        assert!(decode_whole(&[1, 2, 3, 4]).is_err());
        assert_eq!(decode_whole(&[1, 2, 0, 0, 128]).unwrap().next, None);
        // BACnet: no split flag, an LLC header at 5.
        let d = decode_whole(&[1, 2, 0, 0, 205, 0x82, 0x82, 0x03]).unwrap();
        let a = arcnet_of(&d);
        assert_eq!((a.split_flag, a.seq, d.header_len), (None, None, 5));
        assert_eq!(d.next, Some(ProtoId::Llc));
    }

    #[test]
    fn cut_headers_keep_the_fields_that_fit() {
        let mut note = None;
        let d = decode(&[1, 2, 0, 0, 212, 0, 0x12], &mut note).unwrap();
        let Layer::Partial(p) = &d.layer else {
            panic!("not partial")
        };
        let names: Vec<&str> = p.fields.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["src", "dst", "offset", "protocol_id", "split_flag"]);
        assert_eq!(
            note.unwrap().to_string(),
            "ARCNET header needs 8 bytes, 7 captured"
        );
        let d = decode(&[1, 2, 0], &mut None).unwrap();
        let Layer::Partial(p) = &d.layer else {
            panic!("not partial")
        };
        assert_eq!(p.fields.len(), 2);
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0129_0129_0129_0129u64;
        for _ in 0..200 {
            let bytes = super::super::test_random_bytes(&mut seed, 24);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], &mut None);
            }
        }
    }
}
