//! QUIC long-header packets (RFC 9000 §17.2, RFC 8999): the first byte (header form and fixed
//! bits set), version, destination and source connection ids, and for Initial packets the
//! token; Initial, 0-RTT and Handshake packets then give their Length. The packet number and
//! payload are protected: a client's Initial is opened with keys derived from its connection
//! id ([`super::quic_initial`]) and its TLS handshake becomes the next layer
//! ([`initial_handshake`]); the other packets' payloads stay undecoded.

use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{HexBytes, Layer, Quic, QuicHeaderForm};

/// The HTTP/3 port, where QUIC is looked for.
pub const PORT: u16 = 443;

/// The longest connection id (RFC 9000 §17.2).
pub const MAX_CID_LEN: usize = 20;

/// The QUIC version 2 number (RFC 9369), whose packet types are numbered differently.
const VERSION_2: u32 = 0x6b33_43cf;

/// Reads a variable-length integer (RFC 9000 §16) at `at`: its value and length.
fn varint(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let first = *b.get(at)?;
    let len = 1usize << (first >> 6);
    let (_, rest) = b.get(at..at + len)?.split_first()?;
    let value = rest
        .iter()
        .fold(u64::from(first & 0x3f), |v, &x| (v << 8) | u64::from(x));
    Some((value, len))
}

/// The version-independent v1 packet type of the type bits (v2 numbers them differently).
fn packet_type(version: u32, bits: u8) -> u8 {
    if version == VERSION_2 {
        (bits + 3) % 4
    } else {
        bits
    }
}

/// Whether a UDP payload is a QUIC long-header packet: both high bits set, connection ids
/// within their limit and inside the captured bytes.
pub fn is_quic(payload: &[u8]) -> bool {
    let Some(&first) = payload.first() else {
        return false;
    };
    if first & 0xc0 != 0xc0 {
        return false;
    }
    let Some(&dcil) = payload.get(5) else {
        return false;
    };
    let scil_at = 6 + usize::from(dcil);
    usize::from(dcil) <= MAX_CID_LEN
        && payload.get(scil_at).is_some_and(|&s| {
            usize::from(s) <= MAX_CID_LEN && scil_at + 1 + usize::from(s) <= payload.len()
        })
}

/// The draft number Wireshark gives a version (its `quic_draft_version`): drafts as numbered,
/// v1 34, v2 100, mvfst and Google's QUIC 22 or 27, the reserved `0x?a?a?a?a` 29; 0 for
/// other versions.
fn draft_version(version: u32) -> u8 {
    match version {
        v if v >> 8 == 0x00ff_0000 => v as u8,
        0xface_b001 => 22,
        0xface_b002 | 0xface_b00e | 0x5130_3530 | 0x5430_3530 | 0x5430_3531 => 27,
        v if v & 0x0f0f_0f0f == 0x0a0a_0a0a => 29,
        1 => 34,
        VERSION_2 => 100,
        _ => 0,
    }
}

/// Whether Wireshark's QUIC heuristic (`dissect_quic_heur`) takes a UDP payload as a long
/// header, on any port: 13 bytes at least, the long form bit, a version of draft 11 or later
/// and connection-id lengths of at most 20 (the source id's length byte captured).
pub fn is_heuristic_long(payload: &[u8]) -> bool {
    let &[first, v0, v1, v2, v3, dcil, ..] = payload else {
        return false;
    };
    let scil_at = 6 + usize::from(dcil);
    payload.len() >= 13
        && first & 0x80 != 0
        && draft_version(u32::from_be_bytes([v0, v1, v2, v3])) >= 11
        && usize::from(dcil) <= MAX_CID_LEN
        && payload
            .get(scil_at)
            .is_some_and(|&scil| usize::from(scil) <= MAX_CID_LEN)
}

/// Decodes a short header (RFC 9000 §17.3) whose destination connection id is `dcid_len`
/// bytes long (what the connection uses: the packet does not say); the rest is the protected
/// packet number and payload. A datagram shorter than the id keeps what it has.
pub fn decode_short(data: &[u8], dcid_len: usize) -> Decoded {
    let first = data.first().copied().unwrap_or_default();
    let dcid = data.get(1..).unwrap_or_default();
    let dcid = dcid.get(..dcid_len).unwrap_or(dcid);
    let header_len = (1 + dcid.len()).min(data.len());
    let payload_len = data.len() - header_len;
    Decoded {
        layer: Layer::Quic(Box::new(Quic {
            first_byte: first,
            header_form: QuicHeaderForm::Short,
            spin_bit: Some(first & 0x20 != 0),
            version: 0,
            packet_type: 0,
            packet_type_name: "1-RTT",
            dcid: HexBytes(dcid.to_vec()),
            scid: HexBytes(Vec::new()),
            token_len: None,
            len: None,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        })),
        header_len,
        payload_len,
        next: None,
    }
}

/// The TLS layer of the handshake a client Initial carries, if `packet` (which starts at the
/// QUIC layer `quic`) is one the client keys open and its CRYPTO data from offset 0 holds a
/// whole handshake message.
pub fn initial_handshake(quic: &Quic, packet: &[u8]) -> Option<Layer> {
    if quic.packet_type != 0 || quic.version == 0 {
        return None;
    }
    let length = usize::try_from(quic.len?).ok()?;
    let pn_offset = quic.header_len as usize;
    let plain = super::quic_initial::open_client_initial(
        packet,
        quic.version,
        &quic.dcid.0,
        pn_offset,
        length,
    )?;
    let stream = super::quic_initial::crypto_stream(&plain);
    super::tls::handshake_layer(&stream, quic.payload_len)
}

/// Decodes a QUIC long header.
pub fn decode(data: &[u8]) -> DecodeResult {
    let &[first, v0, v1, v2, v3, dcil, ref rest @ ..] = data else {
        return Err(DecodeError::truncated("QUIC long header", 6, data.len()));
    };
    let version = u32::from_be_bytes([v0, v1, v2, v3]);
    let dcil = usize::from(dcil);
    let dcid_end = 6 + dcil;
    let cid_error = |len: usize| {
        DecodeError::other(format!(
            "QUIC connection id of {len} bytes (at most {MAX_CID_LEN})"
        ))
    };
    if dcil > MAX_CID_LEN {
        return Err(cid_error(dcil));
    }
    let Some((dcid, (&scil, rest))) = rest
        .split_at_checked(dcil)
        .and_then(|(dcid, rest)| Some((dcid, rest.split_first()?)))
    else {
        return Err(DecodeError::truncated(
            "QUIC long header",
            dcid_end + 1,
            data.len(),
        ));
    };
    let scil = usize::from(scil);
    if scil > MAX_CID_LEN {
        return Err(cid_error(scil));
    }
    let scid_end = dcid_end + 1 + scil;
    let Some(scid) = rest.get(..scil) else {
        return Err(DecodeError::truncated(
            "QUIC long header",
            scid_end,
            data.len(),
        ));
    };
    let kind = packet_type(version, (first >> 4) & 0x03);
    let name = match (version, kind) {
        (0, _) => "Version Negotiation",
        (_, 0) => "Initial",
        (_, 1) => "0-RTT",
        (_, 2) => "Handshake",
        _ => "Retry",
    };
    let mut at = scid_end;
    let mut token_len = None;
    let mut len = None;
    if version != 0 && kind != 3 {
        if kind == 0 {
            let Some((t, n)) = varint(data, at) else {
                return Err(DecodeError::truncated(
                    "QUIC token length",
                    at + 1,
                    data.len(),
                ));
            };
            token_len = Some(t);
            at = at
                .saturating_add(n)
                .saturating_add(usize::try_from(t).unwrap_or(usize::MAX));
        }
        let Some((l, n)) = varint(data, at) else {
            return Err(DecodeError::truncated(
                "QUIC length",
                at.saturating_add(1),
                data.len(),
            ));
        };
        len = Some(l);
        at += n;
    }
    let header_len = at.min(data.len());
    let payload_len = match len {
        Some(l) => usize::try_from(l)
            .unwrap_or(usize::MAX)
            .min(u32::MAX as usize),
        None => data.len() - header_len,
    };
    Ok(Decoded {
        layer: Layer::Quic(Box::new(Quic {
            first_byte: first,
            header_form: QuicHeaderForm::Long,
            spin_bit: None,
            version,
            packet_type: kind,
            packet_type_name: name,
            dcid: HexBytes(dcid.to_vec()),
            scid: HexBytes(scid.to_vec()),
            token_len,
            len,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        })),
        header_len,
        payload_len,
        next: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quic_of(d: &Decoded) -> &Quic {
        let Layer::Quic(q) = &d.layer else {
            panic!("not QUIC")
        };
        q
    }

    /// ipfixprobe__quic_initial-sample.pcap's header: draft-29 Initial, 8-byte DCID, no SCID,
    /// a 55-byte token, Length 1257 (two-byte varint 0x44e9).
    fn initial() -> Vec<u8> {
        let mut p = vec![
            0xc3, 0xff, 0x00, 0x00, 0x1d, 8, 0xd3, 0xe8, 0xe0, 0x60, 0x49, 0xa4, 0xf6, 0xb2, 0,
        ];
        p.push(55);
        p.extend([0u8; 55]);
        p.extend([0x44, 0xe9]);
        p.extend([0u8; 8]);
        p
    }

    #[test]
    fn initial_decodes_every_field() {
        let p = initial();
        assert!(is_quic(&p));
        let d = decode(&p).unwrap();
        let q = quic_of(&d);
        assert_eq!(
            (q.version, q.packet_type, q.packet_type_name),
            (0xff00_001d, 0, "Initial")
        );
        assert_eq!(q.dcid.to_string(), "d3e8e06049a4f6b2");
        assert!(q.scid.0.is_empty());
        assert_eq!((q.token_len, q.len), (Some(55), Some(1257)));
        assert_eq!((d.header_len, d.payload_len), (73, 1257));
    }

    #[test]
    fn other_packet_types() {
        // Handshake v1, 1-byte ids, Length 5.
        let p = [0xe0, 0, 0, 0, 1, 1, 0xaa, 1, 0xbb, 0x05, 1, 2, 3, 4, 5];
        let d = decode(&p).unwrap();
        let q = quic_of(&d);
        assert_eq!(
            (q.packet_type_name, q.token_len, q.len),
            ("Handshake", None, Some(5))
        );
        // Retry: no Length, the rest is the token and tag.
        let r = [0xf0, 0, 0, 0, 1, 0, 0, 9, 9];
        let d = decode(&r).unwrap();
        assert_eq!((quic_of(&d).packet_type_name, d.payload_len), ("Retry", 2));
        // Version negotiation.
        let v = [0x80 | 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(
            quic_of(&decode(&v).unwrap()).packet_type_name,
            "Version Negotiation"
        );
        // v2 Initial has type bits 01.
        let v2 = [0xd0, 0x6b, 0x33, 0x43, 0xcf, 0, 0, 0, 0];
        assert_eq!(quic_of(&decode(&v2).unwrap()).packet_type_name, "Initial");
        // 8-byte varint.
        assert_eq!(varint(&[0xc0, 0, 0, 0, 0, 0, 0, 1], 0), Some((1, 8)));
    }

    #[test]
    fn bad_headers_are_rejected() {
        assert!(!is_quic(&[0x40, 0, 0, 0, 1, 0, 0]));
        assert!(!is_quic(&[0xc0, 0, 0, 0, 1, 21]));
        assert!(!is_quic(&[0xc0, 0, 0, 0, 1, 1, 0xaa, 3, 1]));
        assert!(decode(&[0xc0, 0, 0]).is_err());
        assert!(decode(&[0xc0, 0, 0, 0, 1, 21]).is_err());
        let p = initial();
        assert!(decode(&p[..15]).is_err());
        assert!(decode(&p[..71]).is_err());
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0001_0443_0001_0443u64;
        for _ in 0..300 {
            let mut bytes = super::super::test_random_bytes(&mut seed, 64);
            bytes[0] |= 0xc0;
            bytes[5] &= 0x0f;
            for len in 0..=bytes.len() {
                let _ = is_quic(&bytes[..len]);
                let _ = decode(&bytes[..len]);
            }
        }
    }
}
