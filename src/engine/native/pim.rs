//! Protocol Independent Multicast version 2 (RFC 7761), IP protocol 103, and version 1
//! (draft-ietf-idmr-pim-spec-01), IGMP type 0x14.
//!
//! A 4-byte header (version, type, reserved, checksum), then per type: Hello's options
//! (type, length, value; option 1 is the holdtime), Register's flags word and the multicast
//! datagram it encapsulates (dissected, by its version nibble), Join/Prune's upstream neighbor
//! (an encoded unicast address), reserved byte, group count and holdtime. Other types are
//! listed by their header alone.
//!
//! Version 1 rides in IGMP: Wireshark hands the whole IGMP message (type 0x14, the PIM code as
//! IGMP's code, checksum, a version byte and 3 reserved bytes) to its PIMv1 dissector, so the
//! chain is `igmp:pim` and this layer covers the IGMP bytes too ([`decode_v1`]).

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, ip_by_version, read};
use crate::model::{AnyAddr, DhcpOption, FieldValue, Layer, Pim, ProtoId};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Length of the common header.
pub const HEADER_LEN: usize = 4;

/// Length of a Register message's header (common header and flags).
pub const REGISTER_LEN: usize = 8;

/// The most Hello options listed; the message is kept with these and the frame's error says
/// there were more.
pub const MAX_OPTIONS: usize = 64;

/// Length of a version 1 header (IGMP's type, code and checksum, version, 3 reserved bytes).
pub const V1_HEADER_LEN: usize = 8;

/// Message types.
pub mod kind {
    /// Hello.
    pub const HELLO: u8 = 0;
    /// Register.
    pub const REGISTER: u8 = 1;
    /// Join/Prune.
    pub const JOIN_PRUNE: u8 = 3;
}

/// The Hello holdtime option.
const OPTION_HOLDTIME: u16 = 1;

/// The name of a PIM message type, if known.
pub fn type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "Hello",
        1 => "Register",
        2 => "Register-Stop",
        3 => "Join/Prune",
        4 => "Bootstrap",
        5 => "Assert",
        6 => "Graft",
        7 => "Graft-Ack",
        8 => "Candidate-RP-Advertisement",
        9 => "State-Refresh",
        10 => "DF-Election",
        _ => return None,
    })
}

/// The name of a version 1 message type (Wireshark's `pim_type1_vals`), if known.
pub fn type_name_v1(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "Query",
        1 => "Register",
        2 => "Register-stop",
        3 => "Join/Prune",
        4 => "RP-Reachable",
        5 => "Assert",
        6 => "Graft",
        7 => "Graft-Ack",
        8 => "Mode",
        _ => return None,
    })
}

/// Decodes a PIM version 1 message: the whole IGMP message of type 0x14. A Query's holdtime
/// is read, a Register's datagram dissected; with another version in the version byte, only
/// the header is shown (as tshark does).
pub fn decode_v1(data: &[u8]) -> DecodeResult {
    let Some(&[_igmp_type, code, c0, c1, version_byte, ..]) = data.first_chunk::<V1_HEADER_LEN>()
    else {
        return Err(DecodeError::truncated(
            "PIMv1 header",
            V1_HEADER_LEN,
            data.len(),
        ));
    };
    let version = version_byte >> 4;
    let mut pim = header(version, code, type_name_v1(code), [c0, c1]);
    let (header_len, next) = match code {
        _ if version != 1 => (data.len(), None),
        // Query: mode (1 byte), reserved, holdtime.
        0 => {
            pim.holdtime = read::be16(data, V1_HEADER_LEN + 2);
            (data.len(), None)
        }
        1 => (
            V1_HEADER_LEN,
            data.get(V1_HEADER_LEN..).and_then(ip_by_version),
        ),
        _ => (data.len(), None),
    };
    Ok(decoded(pim, data, header_len, next))
}

/// A message's header fields; the type's own fields empty.
fn header(version: u8, kind: u8, type_name: Option<&'static str>, checksum: [u8; 2]) -> Pim {
    Pim {
        version,
        kind,
        type_name,
        checksum: u16::from_be_bytes(checksum),
        options: None,
        holdtime: None,
        register_flags: None,
        upstream_neighbor: None,
        num_groups: None,
        header_len: 0,
        payload_len: 0,
    }
}

/// The decoded message: `pim` over the first `header_len` bytes of `data`, then `next`.
fn decoded(mut pim: Pim, data: &[u8], header_len: usize, next: Option<ProtoId>) -> Decoded {
    let payload_len = data.len() - header_len;
    pim.header_len = header_len as u32;
    pim.payload_len = payload_len as u32;
    Decoded {
        layer: Layer::Pim(Box::new(pim)),
        header_len,
        payload_len,
        next,
    }
}

/// The Hello option at `at` (the `listed`-th), its value and the offset after it; an error when
/// it is cut short or more than [`MAX_OPTIONS`] come before it.
fn hello_option(
    data: &[u8],
    at: usize,
    listed: usize,
) -> Result<(DhcpOption, &[u8], usize), DecodeError> {
    if listed == MAX_OPTIONS {
        return Err(DecodeError::other(format!(
            "PIM Hello has more than {MAX_OPTIONS} options"
        )));
    }
    let (Some(code), Some(len)) = (read::be16(data, at), read::be16(data, at + 2)) else {
        return Err(DecodeError::truncated(
            "PIM Hello option",
            at + 4,
            data.len(),
        ));
    };
    let end = at + 4 + usize::from(len);
    let Some(value) = data.get(at + 4..end) else {
        return Err(DecodeError::truncated("PIM Hello option", end, data.len()));
    };
    Ok((DhcpOption { code, len }, value, end))
}

/// The fields of a version 2 message cut short, as tshark 4.0 shows them: version and type
/// once 1 byte is captured, the checksum once 4 are; a Join/Prune's upstream neighbor once its
/// encoded address is whole, its group count once the byte after the reserved one is (a
/// Register's flags come whole or not at all). Another version shows none.
fn cut(data: &[u8]) -> Fields {
    let mut fields = Fields::with_capacity(5);
    let Some(&version_type) = data.first() else {
        return fields;
    };
    let (version, kind) = (version_type >> 4, version_type & 0x0f);
    if version != 2 {
        return fields;
    }
    fields.push(("version", FieldValue::U8(version)));
    fields.push(("type", FieldValue::U8(kind)));
    let Some(checksum) = partial::be16(data, 2) else {
        return fields;
    };
    fields.push(("checksum", FieldValue::U16(checksum)));
    let at = HEADER_LEN + 2;
    let neighbor = match (kind, data.get(HEADER_LEN)) {
        (kind::JOIN_PRUNE, Some(1)) => read::bytes(data, at, 4)
            .and_then(|a| <[u8; 4]>::try_from(a).ok())
            .map(|a| (4, FieldValue::Ipv4(Ipv4Addr::from(a)))),
        (kind::JOIN_PRUNE, Some(2)) => read::bytes(data, at, 16)
            .and_then(|a| <[u8; 16]>::try_from(a).ok())
            .map(|a| (16, FieldValue::Ipv6(Ipv6Addr::from(a)))),
        _ => None,
    };
    if let Some((addr_len, neighbor)) = neighbor {
        fields.push(("upstream_neighbor", neighbor));
        let groups = data.get(at + addr_len + 1).copied();
        fields.extend(groups.map(|n| ("num_groups", FieldValue::U8(n))));
    }
    fields
}

/// Decodes a PIM version 2 message. A header cut short is a partial layer with the fields that
/// fit (`partial` says where it is cut). A Hello whose options go wrong (cut short, or more than
/// [`MAX_OPTIONS`]) is kept with the options before, and `partial` says why, as tshark shows
/// such a message.
pub fn decode(data: &[u8], partial: &mut Option<DecodeError>) -> DecodeResult {
    let keep = |why: DecodeError, partial: &mut Option<DecodeError>| {
        Ok(partial::keep(
            ProtoId::Pim,
            data,
            cut(data),
            0,
            why,
            partial,
        ))
    };
    let &[version_type, _reserved, c0, c1, ..] = data else {
        let why = DecodeError::truncated("PIM header", HEADER_LEN, data.len());
        return keep(why, partial);
    };
    let version = version_type >> 4;
    if version != 2 {
        return Err(DecodeError::other(format!(
            "PIM version {version} (only 2 is decoded)"
        )));
    }
    let kind = version_type & 0x0f;
    let mut pim = header(version, kind, type_name(kind), [c0, c1]);
    let (header_len, next) = match kind {
        kind::HELLO => {
            let mut options = Vec::new();
            let mut at = HEADER_LEN;
            while at < data.len() {
                match hello_option(data, at, options.len()) {
                    Ok((option, value, end)) => {
                        if option.code == OPTION_HOLDTIME && option.len == 2 {
                            pim.holdtime = read::be16(value, 0);
                        }
                        options.push(option);
                        at = end;
                    }
                    // tshark shows the message with the options before the bad one.
                    Err(why) => {
                        *partial = Some(why);
                        break;
                    }
                }
            }
            pim.options = Some(options);
            (data.len(), None)
        }
        kind::REGISTER => {
            let (Some(flags), Some(inner)) =
                (read::be32(data, HEADER_LEN), data.get(REGISTER_LEN..))
            else {
                let why = DecodeError::truncated("PIM Register", REGISTER_LEN, data.len());
                return keep(why, partial);
            };
            pim.register_flags = Some(flags);
            (REGISTER_LEN, ip_by_version(inner))
        }
        kind::JOIN_PRUNE => {
            // Encoded unicast address: family (1 IPv4, 2 IPv6), encoding type, address.
            let family = data.get(HEADER_LEN).copied();
            let addr_len = match family {
                Some(1) => 4,
                Some(2) => 16,
                None => {
                    let why = DecodeError::truncated("PIM Join/Prune", HEADER_LEN + 1, data.len());
                    return keep(why, partial);
                }
                _ => {
                    return Err(DecodeError::other(format!(
                        "PIM Join/Prune upstream neighbor family {family:?} (1 IPv4, 2 IPv6)"
                    )));
                }
            };
            let at = HEADER_LEN + 2;
            let Some(addr) = read::bytes(data, at, addr_len) else {
                let why = DecodeError::truncated("PIM Join/Prune", at + addr_len, data.len());
                return keep(why, partial);
            };
            pim.upstream_neighbor = Some(AnyAddr(addr.to_vec()));
            let Some(&[_reserved, groups, h0, h1]) = data
                .get(at + addr_len..)
                .and_then(|rest| rest.first_chunk())
            else {
                let why = DecodeError::truncated("PIM Join/Prune", at + addr_len + 4, data.len());
                return keep(why, partial);
            };
            pim.num_groups = Some(groups);
            pim.holdtime = Some(u16::from_be_bytes([h0, h1]));
            (data.len(), None)
        }
        _ => (data.len(), None),
    };
    Ok(decoded(pim, data, header_len, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProtoId;

    fn pim_of(d: &Decoded) -> &Pim {
        let Layer::Pim(p) = &d.layer else {
            panic!("not PIM")
        };
        p
    }

    #[test]
    fn hello_lists_options() {
        // Holdtime 105, DR priority 1, generation id.
        let m = [
            0x20, 0x00, 0x12, 0x34, 0, 1, 0, 2, 0, 105, 0, 19, 0, 4, 0, 0, 0, 1, 0, 20, 0, 4, 1, 2,
            3, 4,
        ];
        let d = decode(&m, &mut None).unwrap();
        let p = pim_of(&d);
        assert_eq!(
            (p.version, p.kind, p.type_name, p.checksum),
            (2, 0, Some("Hello"), 0x1234)
        );
        assert_eq!(p.holdtime, Some(105));
        assert_eq!(
            p.options.as_deref(),
            Some(
                &[
                    DhcpOption { code: 1, len: 2 },
                    DhcpOption { code: 19, len: 4 },
                    DhcpOption { code: 20, len: 4 },
                ][..]
            )
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (26, 0, None));
        // The last option cut short: the message is kept with the two before it.
        let mut note = None;
        let d = decode(&m[..25], &mut note).unwrap();
        assert_eq!(pim_of(&d).options.as_ref().map(Vec::len), Some(2));
        assert_eq!((d.header_len, d.payload_len), (25, 0));
        assert_eq!(
            note.unwrap().to_string(),
            "PIM Hello option needs 26 bytes, 25 captured"
        );
    }

    #[test]
    fn hello_lists_at_most_max_options() {
        // tcpdump's pimv2-oobr cases: thousands of empty options (tshark 4.0.17 lists them all
        // and shows `eth:ethertype:ip:pim`); pcapkit keeps the first MAX_OPTIONS.
        let mut m = vec![0x20, 0, 0, 0];
        m.extend([0, 20, 0, 0].repeat(MAX_OPTIONS + 3));
        let mut note = None;
        let d = decode(&m, &mut note).unwrap();
        assert_eq!(pim_of(&d).options.as_ref().map(Vec::len), Some(MAX_OPTIONS));
        assert_eq!((d.header_len, d.next), (m.len(), None));
        assert_eq!(
            note.unwrap().to_string(),
            format!("PIM Hello has more than {MAX_OPTIONS} options")
        );
    }

    #[test]
    fn register_carries_its_datagram() {
        let m = [0x21, 0, 0, 0, 0x40, 0, 0, 0, 0x45, 0];
        let d = decode(&m, &mut None).unwrap();
        assert_eq!(pim_of(&d).register_flags, Some(0x4000_0000));
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (8, 2, Some(ProtoId::Ipv4))
        );
        assert_eq!(decode(&m[..8], &mut None).unwrap().next, None);
        assert_eq!(
            cut_names(&m[..7]),
            ["version", "type", "checksum"],
            "the flags come whole"
        );
    }

    /// The field names of a cut message's partial layer.
    fn cut_names(data: &[u8]) -> Vec<&'static str> {
        let mut note = None;
        let d = decode(data, &mut note).unwrap();
        assert!(matches!(note, Some(DecodeError::Truncated { .. })));
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        assert_eq!((p.proto, d.next), (ProtoId::Pim, None));
        p.fields.iter().map(|(name, _)| *name).collect()
    }

    #[test]
    fn join_prune_fields() {
        let m = [0x23, 0, 0, 0, 1, 0, 10, 0, 0, 1, 0, 2, 0, 210];
        let d = decode(&m, &mut None).unwrap();
        let p = pim_of(&d);
        assert_eq!(
            p.upstream_neighbor.as_ref().unwrap().to_string(),
            "10.0.0.1"
        );
        assert_eq!((p.num_groups, p.holdtime), (Some(2), Some(210)));
        let header = ["version", "type", "checksum"];
        assert_eq!(cut_names(&m[..4]), header);
        assert_eq!(cut_names(&m[..9]), header);
        let neighbor = [&header[..], &["upstream_neighbor"]].concat();
        assert_eq!(cut_names(&m[..10]), neighbor);
        assert_eq!(cut_names(&m[..11]), neighbor);
        let groups = [&neighbor[..], &["num_groups"]].concat();
        assert_eq!(cut_names(&m[..13]), groups);
        let mut bad = m;
        bad[4] = 9;
        assert!(decode(&bad, &mut None).is_err());
    }

    #[test]
    fn bad_headers_are_errors() {
        assert!(cut_names(&[]).is_empty());
        assert_eq!(cut_names(&[0x20, 0]), ["version", "type"]);
        assert!(cut_names(&[0x10, 0]).is_empty());
        assert_eq!(
            decode(&[0x10, 0, 0, 0], &mut None)
                .err()
                .unwrap()
                .to_string(),
            "PIM version 1 (only 2 is decoded)"
        );
        assert_eq!(
            decode(&[0x22, 0, 0, 0, 1], &mut None).unwrap().header_len,
            5
        );
    }

    #[test]
    fn version_1_in_igmp() {
        // tcpdump's PIM-SM_join_prune.pcap, frame 11 (tshark 4.0.17: `igmp:pim`, PIMv1
        // Join/Prune): IGMP type 0x14, code 3, checksum, version 1.
        let m = [
            0x14, 3, 0xab, 0xcd, 0x10, 0, 0, 0, 10, 0, 0, 1, 0, 0, 0, 210,
        ];
        let d = decode_v1(&m).unwrap();
        let p = pim_of(&d);
        assert_eq!(
            (p.version, p.kind, p.type_name, p.checksum),
            (1, 3, Some("Join/Prune"), 0xabcd)
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (16, 0, None));
        // Query: its holdtime.
        let q = [0x14, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0, 105];
        assert_eq!(pim_of(&decode_v1(&q).unwrap()).holdtime, Some(105));
        // Register: the datagram after the 8-byte header.
        let r = [0x14, 1, 0, 0, 0x10, 0, 0, 0, 0x45, 0];
        let d = decode_v1(&r).unwrap();
        assert_eq!((d.header_len, d.next), (8, Some(ProtoId::Ipv4)));
        // Another version: the header alone.
        let v2 = [0x14, 1, 0, 0, 0x20, 0, 0, 0, 0x45, 0];
        let d = decode_v1(&v2).unwrap();
        assert_eq!((pim_of(&d).version, d.header_len, d.next), (2, 10, None));
        assert_eq!(
            decode_v1(&m[..7]).err().unwrap().to_string(),
            "PIMv1 header needs 8 bytes, 7 captured"
        );
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0103_0103_0103_0103u64;
        for _ in 0..300 {
            let mut bytes = super::super::test_random_bytes(&mut seed, 48);
            bytes[0] = 0x20 | (bytes[0] & 0x03);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], &mut None);
                let _ = decode_v1(&bytes[..len]);
            }
        }
    }
}
