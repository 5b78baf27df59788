//! Protocol Independent Multicast version 2 (RFC 7761), IP protocol 103.
//!
//! A 4-byte header (version, type, reserved, checksum), then per type: Hello's options
//! (type, length, value; option 1 is the holdtime), Register's flags word and the multicast
//! datagram it encapsulates (dissected, by its version nibble), Join/Prune's upstream neighbor
//! (an encoded unicast address), reserved byte, group count and holdtime. Other types are
//! listed by their header alone.

use super::{DecodeError, DecodeResult, Decoded, ip_by_version, read};
use crate::model::{AnyAddr, DhcpOption, Layer, Pim};

/// Length of the common header.
pub const HEADER_LEN: usize = 4;

/// Length of a Register message's header (common header and flags).
pub const REGISTER_LEN: usize = 8;

/// The most Hello options listed; more is an error.
pub const MAX_OPTIONS: usize = 64;

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

/// Decodes a PIM version 2 message.
pub fn decode(data: &[u8]) -> DecodeResult {
    let &[version_type, _reserved, c0, c1, ..] = data else {
        return Err(DecodeError::truncated("PIM header", HEADER_LEN, data.len()));
    };
    let version = version_type >> 4;
    if version != 2 {
        return Err(DecodeError::other(format!(
            "PIM version {version} (only 2 is decoded)"
        )));
    }
    let kind = version_type & 0x0f;
    let mut pim = Pim {
        version,
        kind,
        type_name: type_name(kind),
        checksum: u16::from_be_bytes([c0, c1]),
        options: None,
        holdtime: None,
        register_flags: None,
        upstream_neighbor: None,
        num_groups: None,
        header_len: 0,
        payload_len: 0,
    };
    let (header_len, next) = match kind {
        kind::HELLO => {
            let mut options = Vec::new();
            let mut at = HEADER_LEN;
            while at < data.len() {
                if options.len() == MAX_OPTIONS {
                    return Err(DecodeError::other(format!(
                        "PIM Hello has more than {MAX_OPTIONS} options"
                    )));
                }
                let (Some(code), Some(len)) = (read::be16(data, at), read::be16(data, at + 2))
                else {
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
                if code == OPTION_HOLDTIME && len == 2 {
                    pim.holdtime = read::be16(value, 0);
                }
                options.push(DhcpOption { code, len });
                at = end;
            }
            pim.options = Some(options);
            (data.len(), None)
        }
        kind::REGISTER => {
            let (Some(flags), Some(inner)) =
                (read::be32(data, HEADER_LEN), data.get(REGISTER_LEN..))
            else {
                return Err(DecodeError::truncated(
                    "PIM Register",
                    REGISTER_LEN,
                    data.len(),
                ));
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
                _ => {
                    return Err(DecodeError::other(format!(
                        "PIM Join/Prune upstream neighbor family {family:?} (1 IPv4, 2 IPv6)"
                    )));
                }
            };
            let at = HEADER_LEN + 2;
            let Some(addr) = read::bytes(data, at, addr_len) else {
                return Err(DecodeError::truncated(
                    "PIM Join/Prune",
                    at + addr_len,
                    data.len(),
                ));
            };
            pim.upstream_neighbor = Some(AnyAddr(addr.to_vec()));
            let Some(&[_reserved, groups, h0, h1]) = data
                .get(at + addr_len..)
                .and_then(|rest| rest.first_chunk())
            else {
                return Err(DecodeError::truncated(
                    "PIM Join/Prune",
                    at + addr_len + 4,
                    data.len(),
                ));
            };
            pim.num_groups = Some(groups);
            pim.holdtime = Some(u16::from_be_bytes([h0, h1]));
            (data.len(), None)
        }
        _ => (data.len(), None),
    };
    let payload_len = data.len() - header_len;
    pim.header_len = header_len as u32;
    pim.payload_len = payload_len as u32;
    Ok(Decoded {
        layer: Layer::Pim(Box::new(pim)),
        header_len,
        payload_len,
        next,
    })
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
        let d = decode(&m).unwrap();
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
        assert_eq!(
            decode(&m[..25]).err().unwrap().to_string(),
            "PIM Hello option needs 26 bytes, 25 captured"
        );
    }

    #[test]
    fn register_carries_its_datagram() {
        let m = [0x21, 0, 0, 0, 0x40, 0, 0, 0, 0x45, 0];
        let d = decode(&m).unwrap();
        assert_eq!(pim_of(&d).register_flags, Some(0x4000_0000));
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (8, 2, Some(ProtoId::Ipv4))
        );
        assert_eq!(decode(&m[..8]).unwrap().next, None);
        assert!(decode(&m[..7]).is_err());
    }

    #[test]
    fn join_prune_fields() {
        let m = [0x23, 0, 0, 0, 1, 0, 10, 0, 0, 1, 0, 2, 0, 210];
        let d = decode(&m).unwrap();
        let p = pim_of(&d);
        assert_eq!(
            p.upstream_neighbor.as_ref().unwrap().to_string(),
            "10.0.0.1"
        );
        assert_eq!((p.num_groups, p.holdtime), (Some(2), Some(210)));
        assert!(decode(&m[..13]).is_err());
        let mut bad = m;
        bad[4] = 9;
        assert!(decode(&bad).is_err());
    }

    #[test]
    fn bad_headers_are_errors() {
        assert!(decode(&[0x20, 0]).is_err());
        assert_eq!(
            decode(&[0x10, 0, 0, 0]).err().unwrap().to_string(),
            "PIM version 1 (only 2 is decoded)"
        );
        assert_eq!(decode(&[0x22, 0, 0, 0, 1]).unwrap().header_len, 5);
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0103_0103_0103_0103u64;
        for _ in 0..300 {
            let mut bytes = super::super::test_random_bytes(&mut seed, 48);
            bytes[0] = 0x20 | (bytes[0] & 0x03);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len]);
            }
        }
    }
}
