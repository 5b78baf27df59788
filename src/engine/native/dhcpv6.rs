//! DHCPv6 (RFC 8415) on UDP ports 546 and 547: a message type and a 3-byte transaction id
//! (relay messages: hop count, link and peer addresses), then options (16-bit code and
//! length).

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{DhcpOption, Dhcpv6, FieldValue, Layer, ProtoId};
use std::net::Ipv6Addr;

/// The client port.
pub const CLIENT_PORT: u16 = 546;

/// The server and relay port.
pub const SERVER_PORT: u16 = 547;

/// Length of a client/server message header.
pub const HEADER_LEN: usize = 4;

/// Length of a relay message header.
pub const RELAY_HEADER_LEN: usize = 34;

/// The most options listed; more is an error.
pub const MAX_OPTIONS: usize = 255;

/// The name of a DHCPv6 message type, if known.
pub fn msg_type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        1 => "Solicit",
        2 => "Advertise",
        3 => "Request",
        4 => "Confirm",
        5 => "Renew",
        6 => "Rebind",
        7 => "Reply",
        8 => "Release",
        9 => "Decline",
        10 => "Reconfigure",
        11 => "Information-request",
        12 => "Relay-forward",
        13 => "Relay-reply",
        _ => return None,
    })
}

/// Whether a message type is a relay message.
fn is_relay(kind: u8) -> bool {
    matches!(kind, 12 | 13)
}

/// Whether a UDP payload on a DHCPv6 port is DHCPv6: a known message type and a whole header.
pub fn is_dhcpv6(payload: &[u8]) -> bool {
    match payload.first() {
        Some(&k) if is_relay(k) => payload.len() >= RELAY_HEADER_LEN,
        Some(&k) => msg_type_name(k).is_some() && payload.len() >= HEADER_LEN,
        None => false,
    }
}

/// Whether a payload on a DHCPv6 port, cut inside its header, is DHCPv6 as far as it is
/// captured: a known message type (tshark names `dhcpv6` from one byte on).
pub fn is_cut_dhcpv6(payload: &[u8]) -> bool {
    payload
        .first()
        .is_some_and(|&k| is_relay(k) || msg_type_name(k).is_some())
        && !is_dhcpv6(payload)
}

/// Decodes a DHCPv6 message. A header cut short is a partial layer (`note` says where) with
/// the message type, as tshark shows it from one byte on. An option whose header or value runs
/// past the message (or the capture) ends the option list, as tshark 4.0 shows it: the record
/// is kept with the options before it, and `note` says why.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let Some(&msg_type) = data.first() else {
        return Err(DecodeError::truncated("DHCPv6 header", HEADER_LEN, 0));
    };
    let relay = is_relay(msg_type);
    let header_len = if relay { RELAY_HEADER_LEN } else { HEADER_LEN };
    let Some(h) = data.get(..header_len) else {
        let fields: Fields = vec![("msg_type", FieldValue::U8(msg_type))];
        let why = DecodeError::truncated("DHCPv6 header", header_len, data.len());
        return Ok(partial::keep(ProtoId::Dhcpv6, data, fields, 0, why, note));
    };
    let addr = |at: usize| {
        let b = h.get(at..).and_then(<[u8]>::first_chunk::<16>);
        Ipv6Addr::from(b.copied().unwrap_or_default())
    };
    let mut options = Vec::new();
    let mut at = header_len;
    while at < data.len() {
        if options.len() == MAX_OPTIONS {
            return Err(DecodeError::other(format!(
                "DHCPv6 message has more than {MAX_OPTIONS} options"
            )));
        }
        let Some(&[c0, c1, l0, l1]) = read::bytes(data, at, 4) else {
            *note = Some(DecodeError::truncated("DHCPv6 option", at + 4, data.len()));
            break;
        };
        let code = u16::from_be_bytes([c0, c1]);
        let len = u16::from_be_bytes([l0, l1]);
        let end = at + 4 + usize::from(len);
        if end > data.len() {
            *note = Some(DecodeError::truncated("DHCPv6 option", end, data.len()));
            break;
        }
        options.push(DhcpOption { code, len });
        at = end;
    }
    Ok(Decoded {
        layer: Layer::Dhcpv6(Box::new(Dhcpv6 {
            msg_type,
            msg_type_name: msg_type_name(msg_type),
            transaction_id: (!relay).then(|| read::be32(h, 0).unwrap_or(0) & 0x00ff_ffff),
            hop_count: relay.then(|| h.get(1).copied().unwrap_or(0)),
            link_addr: relay.then(|| addr(2)),
            peer_addr: relay.then(|| addr(18)),
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

    /// `decode`, and why the option list stopped early (if it did).
    fn noted(m: &[u8]) -> (Dhcpv6, Option<String>) {
        let mut why = None;
        let d = decode(m, &mut why).unwrap();
        (v6_of(&d).clone(), why.map(|w| w.to_string()))
    }

    fn v6_of(d: &Decoded) -> &Dhcpv6 {
        let Layer::Dhcpv6(x) = &d.layer else {
            panic!("not DHCPv6")
        };
        x
    }

    #[test]
    fn solicit_decodes_every_field() {
        // Solicit, xid 0x123456, client id (option 1, 4 bytes) and elapsed time (8, 2 bytes).
        let m = [
            1, 0x12, 0x34, 0x56, 0, 1, 0, 4, 1, 2, 3, 4, 0, 8, 0, 2, 0, 0,
        ];
        assert!(is_dhcpv6(&m));
        let d = decode(&m, &mut None).unwrap();
        let x = v6_of(&d);
        assert_eq!((x.msg_type, x.msg_type_name), (1, Some("Solicit")));
        assert_eq!(
            (x.transaction_id, x.hop_count, x.link_addr),
            (Some(0x123456), None, None)
        );
        assert_eq!(
            x.options,
            vec![
                DhcpOption { code: 1, len: 4 },
                DhcpOption { code: 8, len: 2 }
            ]
        );
        assert_eq!((d.header_len, d.payload_len), (18, 0));
        // A value or an option header past the end: the options before it, and why.
        let (x, why) = noted(&m[..17]);
        assert_eq!((x.options.len(), x.transaction_id), (1, Some(0x123456)));
        assert_eq!(why.unwrap(), "DHCPv6 option needs 18 bytes, 17 captured");
        let (x, why) = noted(&m[..14]);
        assert_eq!(x.options.len(), 1);
        assert_eq!(why.unwrap(), "DHCPv6 option needs 16 bytes, 14 captured");
        let (x, why) = noted(&m[..6]);
        assert!(x.options.is_empty());
        assert_eq!(why.unwrap(), "DHCPv6 option needs 8 bytes, 6 captured");
        assert_eq!(noted(&m).1, None);
    }

    #[test]
    fn relay_header() {
        let mut m = vec![12, 3];
        m.extend(Ipv6Addr::LOCALHOST.octets());
        m.extend(Ipv6Addr::UNSPECIFIED.octets());
        assert!(is_dhcpv6(&m));
        let d = decode(&m, &mut None).unwrap();
        let x = v6_of(&d);
        assert_eq!((x.hop_count, x.transaction_id), (Some(3), None));
        assert_eq!(
            (x.link_addr, x.peer_addr),
            (Some(Ipv6Addr::LOCALHOST), Some(Ipv6Addr::UNSPECIFIED))
        );
        assert!(!is_dhcpv6(&m[..33]));
        // Cut inside the header: the message type, as tshark shows it, and the cut noted.
        let mut note = None;
        let d = decode(&m[..33], &mut note).unwrap();
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        assert_eq!(p.fields, vec![("msg_type", FieldValue::U8(12))]);
        assert_eq!(
            note.unwrap().to_string(),
            "DHCPv6 header needs 34 bytes, 33 captured"
        );
        assert!(!is_dhcpv6(&[0, 0, 0, 0]));
        assert!(!is_dhcpv6(&[1, 0, 0]));
        assert!(decode(&[], &mut None).is_err());
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0546_0547_0546_0547u64;
        for _ in 0..200 {
            let bytes = super::super::test_random_bytes(&mut seed, 64);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], &mut None);
            }
        }
    }
}
