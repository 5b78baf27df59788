//! Teredo (RFC 4380): IPv6 packets in UDP datagrams, port 3544.
//!
//! An IPv6 packet may be preceded by an authentication header (indicator 0x0001: client
//! identifier and authentication value lengths, both, an 8-byte nonce and a confirmation byte)
//! and an origin indication (indicator 0x0000: the client's mapped port and IPv4 address, each
//! bit inverted). Content confirms the port: what follows must be an IPv6 header.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{FieldValue, HexBytes, Layer, ProtoId, Teredo};
use std::net::Ipv4Addr;

/// The Teredo port.
pub const PORT: u16 = 3544;

/// Length of an indicator (0x0001 authentication, 0x0000 origin indication).
pub const INDICATOR_LEN: usize = 2;

/// Length of the origin indication.
pub const ORIGIN_LEN: usize = 8;

/// Length of the fixed part of the authentication header (indicator, lengths; nonce and
/// confirmation come after the variable fields).
pub const AUTH_FIXED_LEN: usize = 4;

/// Length of the nonce and confirmation byte.
pub const AUTH_TRAILER_LEN: usize = 9;

/// The parsed headers in front of the IPv6 packet, and their length.
fn headers(data: &[u8]) -> Result<(Teredo, usize), DecodeError> {
    let mut t = Teredo {
        auth_id_len: None,
        auth_value_len: None,
        nonce: None,
        confirmation: None,
        origin_port: None,
        origin_addr: None,
        header_len: 0,
        payload_len: 0,
    };
    // tshark reads the 2-byte indicator before anything else, and again after the
    // authentication header: a payload cut inside either is Teredo alone.
    let indicator = |at: usize| {
        data.get(at..at + 2).ok_or_else(|| {
            DecodeError::truncated("Teredo indicator", at + INDICATOR_LEN, data.len())
        })
    };
    let mut at = 0usize;
    if indicator(at)? == [0x00, 0x01] {
        let (Some(&id_len), Some(&au_len)) = (data.get(2), data.get(3)) else {
            return Err(DecodeError::truncated(
                "Teredo authentication header",
                AUTH_FIXED_LEN,
                data.len(),
            ));
        };
        let nonce_at = AUTH_FIXED_LEN + usize::from(id_len) + usize::from(au_len);
        let end = nonce_at + AUTH_TRAILER_LEN;
        let Some((nonce, &[confirmation])) = data
            .get(nonce_at..end)
            .and_then(|trailer| trailer.split_first_chunk::<8>())
        else {
            return Err(DecodeError::truncated(
                "Teredo authentication header",
                end,
                data.len(),
            ));
        };
        t.auth_id_len = Some(id_len);
        t.auth_value_len = Some(au_len);
        t.nonce = Some(HexBytes(nonce.to_vec()));
        t.confirmation = Some(confirmation);
        at = end;
        indicator(at)?;
    }
    if data.get(at..at + 2) == Some(&[0x00, 0x00]) {
        let Some(&[_, _, p0, p1, a0, a1, a2, a3]) = data
            .get(at..)
            .and_then(|origin| origin.first_chunk::<ORIGIN_LEN>())
        else {
            return Err(DecodeError::truncated(
                "Teredo origin indication",
                at + ORIGIN_LEN,
                data.len(),
            ));
        };
        t.origin_port = Some(!u16::from_be_bytes([p0, p1]));
        t.origin_addr = Some(Ipv4Addr::new(!a0, !a1, !a2, !a3));
        at += ORIGIN_LEN;
    }
    Ok((t, at))
}

/// Whether a UDP payload on the Teredo port is Teredo: its headers parse and an IPv6 header
/// (version 6, a payload length that covers the captured rest) follows.
pub fn is_teredo(payload: &[u8]) -> bool {
    let Ok((_, at)) = headers(payload) else {
        return false;
    };
    let ipv6 = payload.get(at..).unwrap_or_default();
    match ipv6.get(..6) {
        Some(&[first, _, _, _, hi, lo]) => {
            first >> 4 == 6 && usize::from(u16::from_be_bytes([hi, lo])) + 40 >= ipv6.len()
        }
        _ => false,
    }
}

/// Whether a payload on the Teredo port, cut inside its headers or the IPv6 header's first 6
/// bytes, is Teredo as far as it is captured (tshark names `teredo` from one byte on, and
/// `ipv6` from its first byte on): the headers parse or are cut, and what is captured of
/// the IPv6 header has version 6.
pub fn is_cut_teredo(payload: &[u8]) -> bool {
    match headers(payload) {
        Ok((_, at)) => payload
            .get(at..)
            .is_some_and(|ipv6| ipv6.len() < 6 && ipv6.first().is_none_or(|&b| b >> 4 == 6)),
        Err(_) => !payload.is_empty(),
    }
}

/// The partial layer of Teredo headers cut short (`why`), as tshark shows them: the
/// authentication lengths once both are captured, the nonce and confirmation once theirs
/// are, then the origin indication's port and address, each once captured.
fn cut(data: &[u8], why: DecodeError, note: &mut Option<DecodeError>) -> Decoded {
    let mut fields = Fields::with_capacity(6);
    let mut at = 0usize;
    if data.get(..INDICATOR_LEN) == Some(&[0x00, 0x01])
        && let Some(&[id_len, au_len]) = data.get(2..AUTH_FIXED_LEN)
    {
        fields.push(("auth_id_len", FieldValue::U8(id_len)));
        fields.push(("auth_value_len", FieldValue::U8(au_len)));
        let nonce_at = AUTH_FIXED_LEN + usize::from(id_len) + usize::from(au_len);
        if let Some(nonce) = data.get(nonce_at..nonce_at + 8) {
            fields.push(("nonce", FieldValue::Bytes(HexBytes(nonce.to_vec()))));
        }
        if let Some(&confirmation) = data.get(nonce_at + 8) {
            fields.push(("confirmation", FieldValue::U8(confirmation)));
        }
        at = nonce_at + AUTH_TRAILER_LEN;
    }
    if data.get(at..at + INDICATOR_LEN) == Some(&[0x00, 0x00]) {
        if let Some(port) = partial::be16(data, at + 2) {
            fields.push(("origin_port", FieldValue::U16(!port)));
        }
        if let Some(addr) = partial::be32(data, at + 4) {
            fields.push(("origin_addr", FieldValue::Ipv4(Ipv4Addr::from(!addr))));
        }
    }
    partial::keep(ProtoId::Teredo, data, fields, 0, why, note)
}

/// Decodes the Teredo headers in front of an IPv6 packet (`declared`: the UDP payload length).
/// Headers cut short are a partial layer (`note` says where) with the fields that fit.
pub fn decode(data: &[u8], declared: usize, note: &mut Option<DecodeError>) -> DecodeResult {
    let (mut teredo, header_len) = match headers(data) {
        Err(why @ DecodeError::Truncated { .. }) => return Ok(cut(data, why, note)),
        other => other?,
    };
    let payload_len = declared.max(data.len()).saturating_sub(header_len);
    teredo.header_len = header_len as u32;
    teredo.payload_len = payload_len as u32;
    Ok(Decoded {
        layer: Layer::Teredo(Box::new(teredo)),
        header_len,
        payload_len,
        // No IPv6 byte captured (a cut payload): tshark names nothing after `teredo`.
        next: (data.len() > header_len).then_some(ProtoId::Ipv6),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bubble: IPv6 header, no next header (59), payload length 0.
    fn bubble() -> Vec<u8> {
        let mut v6 = vec![0x60, 0, 0, 0, 0, 0, 59, 21];
        v6.extend([0u8; 32]);
        v6
    }

    fn teredo_of(d: &Decoded) -> &Teredo {
        let Layer::Teredo(t) = &d.layer else {
            panic!("not Teredo")
        };
        t
    }

    #[test]
    fn bare_ipv6() {
        let v6 = bubble();
        assert!(is_teredo(&v6));
        let d = decode(&v6, v6.len(), &mut None).unwrap();
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (0, 40, Some(ProtoId::Ipv6))
        );
        assert_eq!(teredo_of(&d).origin_port, None);
    }

    #[test]
    fn authentication_and_origin() {
        // Auth: id length 1, value length 2, nonce 1..8, confirmation 0; origin port 40000,
        // address 192.0.2.1, both inverted.
        let mut frame = vec![
            0x00, 0x01, 1, 2, 0xaa, 0xbb, 0xcc, 1, 2, 3, 4, 5, 6, 7, 8, 0,
        ];
        let port = !40000u16;
        frame.extend([0x00, 0x00]);
        frame.extend(port.to_be_bytes());
        frame.extend([!192u8, !0, !2, !1]);
        let header = frame.len();
        frame.extend(bubble());
        assert!(is_teredo(&frame));
        let d = decode(&frame, frame.len(), &mut None).unwrap();
        let t = teredo_of(&d);
        assert_eq!((t.auth_id_len, t.auth_value_len), (Some(1), Some(2)));
        assert_eq!(t.nonce, Some(HexBytes(vec![1, 2, 3, 4, 5, 6, 7, 8])));
        assert_eq!(t.confirmation, Some(0));
        assert_eq!(t.origin_port, Some(40000));
        assert_eq!(t.origin_addr, Some(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!((d.header_len, d.payload_len), (header, 40));
        // Every cut inside the headers is not Teredo, but a partial layer with the fields
        // that fit.
        for cut in 0..header {
            assert!(!is_teredo(&frame[..cut]), "cut {cut}");
            let mut note = None;
            let d = decode(&frame[..cut], cut, &mut note).unwrap();
            assert!(note.is_some(), "cut {cut}");
            let Layer::Partial(p) = d.layer else {
                panic!("not partial at {cut}")
            };
            let want = match cut {
                0..4 => 0,
                4..15 => 2,
                15 => 3,
                16..20 => 4,
                20..24 => 5,
                _ => 6,
            };
            assert_eq!(p.fields.len(), want, "cut {cut}");
        }
        let mut note = None;
        let d = decode(&frame[..23], 23, &mut note).unwrap();
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        assert_eq!(p.field("origin_port"), Some(&FieldValue::U16(40000)));
    }

    #[test]
    fn not_ipv6_is_not_teredo() {
        let mut v4 = bubble();
        v4[0] = 0x45;
        assert!(!is_teredo(&v4));
        // A payload length that does not cover the rest.
        let mut long = bubble();
        long.extend([0u8; 4]);
        assert!(!is_teredo(&long));
        assert!(!is_teredo(&[]));
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        for _ in 0..200 {
            let mut bytes = super::super::test_random_bytes(&mut seed, 64);
            bytes[0] = 0;
            bytes[1] &= 1;
            for len in 0..=bytes.len() {
                let _ = is_teredo(&bytes[..len]);
                let _ = decode(&bytes[..len], len, &mut None);
            }
        }
    }
}
