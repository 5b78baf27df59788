//! DHCP and BOOTP (RFC 2131, RFC 951) on UDP ports 67 and 68.
//!
//! A 236-byte fixed part (op, hardware type and length, hops, transaction id, seconds, flags,
//! four IPv4 addresses, the client hardware address, server name and boot file), then, for
//! DHCP, the magic cookie 99.130.83.99 and options (code, length, value; 0 pad, 255 end).

use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{AnyAddr, Dhcp, DhcpOption, Layer};
use std::net::Ipv4Addr;

/// The BOOTP server port.
pub const SERVER_PORT: u16 = 67;

/// The BOOTP client port.
pub const CLIENT_PORT: u16 = 68;

/// Length of the fixed BOOTP part.
pub const FIXED_LEN: usize = 236;

/// The DHCP magic cookie.
pub const MAGIC: [u8; 4] = [99, 130, 83, 99];

/// The pad option.
const PAD: u8 = 0;

/// The end option.
const END: u8 = 255;

/// The message type option.
const MESSAGE_TYPE: u8 = 53;

/// The most options listed; more is an error.
pub const MAX_OPTIONS: usize = 255;

/// The name of a DHCP message type, if known.
pub fn message_type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        1 => "Discover",
        2 => "Offer",
        3 => "Request",
        4 => "Decline",
        5 => "ACK",
        6 => "NAK",
        7 => "Release",
        8 => "Inform",
        9 => "Force Renew",
        10 => "Lease Query",
        13 => "Lease Active",
        _ => return None,
    })
}

/// Length of the fields up to the relay agent address: the least decoded.
pub const MIN_LEN: usize = 28;

/// Whether a UDP payload on a BOOTP port is BOOTP/DHCP: op 1 or 2, a hardware address
/// length that fits its field, and at least the fields up to the relay agent address (the
/// rest may be cut by the snap length).
pub fn is_dhcp(payload: &[u8]) -> bool {
    payload.len() >= MIN_LEN && matches!(payload, [1 | 2, _, hlen, ..] if *hlen <= 16)
}

/// Whether a payload on a DHCP port, cut before [`MIN_LEN`] bytes, is DHCP as far as it is
/// captured: op 1 or 2, a hardware address length of at most 16 (tshark names `dhcp` from one
/// byte on).
pub fn is_cut_dhcp(payload: &[u8]) -> bool {
    payload.len() < MIN_LEN
        && match payload {
            [op] | [op, _] => matches!(op, 1 | 2),
            [op, _, hlen, ..] => matches!(op, 1 | 2) && *hlen <= 16,
            [] => false,
        }
}

/// Decodes a BOOTP/DHCP message. A message cut inside its fixed part keeps the fields that
/// fit (`partial` says where it was cut).
pub fn decode(data: &[u8], partial: &mut Option<DecodeError>) -> DecodeResult {
    let Some(f) = data.first_chunk::<MIN_LEN>() else {
        return Err(DecodeError::truncated("DHCP message", MIN_LEN, data.len()));
    };
    if data.len() < FIXED_LEN {
        *partial = Some(DecodeError::truncated(
            "DHCP message",
            FIXED_LEN,
            data.len(),
        ));
    }
    let ip = |at: usize| Ipv4Addr::from(read::be32(f, at).unwrap_or(0));
    let hlen = f[2];
    let chaddr_end = (MIN_LEN + usize::from(hlen.min(16))).min(data.len());
    let mut message_type = None;
    let mut options = Vec::new();
    if data.get(FIXED_LEN..FIXED_LEN + 4) == Some(&MAGIC) {
        let mut at = FIXED_LEN + 4;
        while let Some(&code) = data.get(at) {
            if code == PAD {
                at += 1;
                continue;
            }
            if options.len() == MAX_OPTIONS {
                return Err(DecodeError::other(format!(
                    "DHCP message has more than {MAX_OPTIONS} options"
                )));
            }
            if code == END {
                options.push(DhcpOption {
                    code: END.into(),
                    len: 0,
                });
                break;
            }
            let Some(&len) = data.get(at + 1) else {
                return Err(DecodeError::truncated("DHCP option", at + 2, data.len()));
            };
            let end = at + 2 + usize::from(len);
            let Some(value) = data.get(at + 2..end) else {
                return Err(DecodeError::truncated("DHCP option", end, data.len()));
            };
            if code == MESSAGE_TYPE {
                message_type = value.first().copied();
            }
            options.push(DhcpOption {
                code: code.into(),
                len: len.into(),
            });
            at = end;
        }
    }
    Ok(Decoded {
        layer: Layer::Dhcp(Box::new(Dhcp {
            op: f[0],
            htype: f[1],
            hlen,
            hops: f[3],
            xid: read::be32(f, 4).unwrap_or(0),
            secs: read::be16(f, 8).unwrap_or(0),
            flags: read::be16(f, 10).unwrap_or(0),
            ciaddr: ip(12),
            yiaddr: ip(16),
            siaddr: ip(20),
            giaddr: ip(24),
            chaddr: AnyAddr(data.get(MIN_LEN..chaddr_end).unwrap_or_default().to_vec()),
            message_type,
            message_type_name: message_type.and_then(message_type_name),
            options,
            header_len: data.len() as u32,
            payload_len: 0,
        })),
        header_len: data.len(),
        payload_len: 0,
        next: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DHCP Discover from 00:0b:82:01:fc:42, xid 0x3d1d, with message type and end options.
    pub(super) fn discover() -> Vec<u8> {
        let mut m = vec![1, 1, 6, 0, 0, 0, 0x3d, 0x1d, 0, 0, 0x80, 0];
        m.extend([0u8; 16]);
        m.extend([0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42]);
        m.resize(FIXED_LEN, 0);
        m.extend(MAGIC);
        m.extend([53, 1, 1, 0, 50, 4, 192, 168, 0, 10, 255, 0, 0]);
        m
    }

    fn dhcp_of(d: &Decoded) -> &Dhcp {
        let Layer::Dhcp(x) = &d.layer else {
            panic!("not DHCP")
        };
        x
    }

    #[test]
    fn discover_decodes_every_field() {
        let m = discover();
        assert!(is_dhcp(&m));
        let mut partial = None;
        let d = decode(&m, &mut partial).unwrap();
        assert_eq!(partial, None);
        let x = dhcp_of(&d);
        assert_eq!((x.op, x.htype, x.hlen, x.hops, x.xid), (1, 1, 6, 0, 0x3d1d));
        assert_eq!((x.secs, x.flags), (0, 0x8000));
        assert_eq!(x.ciaddr, Ipv4Addr::UNSPECIFIED);
        assert_eq!(x.chaddr.to_string(), "00:0b:82:01:fc:42");
        assert_eq!(
            (x.message_type, x.message_type_name),
            (Some(1), Some("Discover"))
        );
        assert_eq!(
            x.options,
            vec![
                DhcpOption { code: 53, len: 1 },
                DhcpOption { code: 50, len: 4 },
                DhcpOption { code: 255, len: 0 },
            ]
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (m.len(), 0, None));
    }

    #[test]
    fn bootp_without_cookie_and_edges() {
        let mut m = discover();
        m.truncate(FIXED_LEN);
        let d = decode(&m, &mut None).unwrap();
        assert!(dhcp_of(&d).options.is_empty());
        assert_eq!(dhcp_of(&d).message_type, None);
        // Cut by the snap length: the fields that fit, and the cut as the error.
        assert!(is_dhcp(&m[..54]));
        let mut partial = None;
        let d = decode(&m[..30], &mut partial).unwrap();
        assert_eq!(dhcp_of(&d).chaddr.0, vec![0x00, 0x0b]);
        assert_eq!(
            partial.unwrap().to_string(),
            "DHCP message needs 236 bytes, 30 captured"
        );
        assert!(!is_dhcp(&m[..MIN_LEN - 1]));
        let mut bad = m.clone();
        bad[0] = 3;
        assert!(!is_dhcp(&bad));
        bad[0] = 1;
        bad[2] = 17;
        assert!(!is_dhcp(&bad));
        assert_eq!(
            decode(&m[..27], &mut None).err().unwrap().to_string(),
            "DHCP message needs 28 bytes, 27 captured"
        );
        // An option running past the end.
        let mut cut = discover();
        cut.truncate(FIXED_LEN + 4 + 6);
        assert_eq!(
            decode(&cut, &mut None).err().unwrap().to_string(),
            "DHCP option needs 250 bytes, 246 captured"
        );
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0067_0068_0067_0068u64;
        for _ in 0..100 {
            let mut bytes = discover();
            bytes.extend(super::super::test_random_bytes(&mut seed, 40));
            bytes[2] = 0xff;
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], &mut None);
            }
        }
    }
}
