//! Network Time Protocol (RFC 5905) on UDP port 123.
//!
//! Modes 1 to 5 have a 48-byte header (leap, version, mode, stratum, poll, precision, root
//! delay and dispersion, reference id, four 64-bit timestamps), then optional extension
//! fields and a MAC; modes 6 (control) and 7 (private) are their own formats, of which only
//! the first byte is read. A header cut short (an IP fragment, the snap length) keeps the
//! fields that fit, and the cut is the frame's error.

use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{Layer, Ntp};

/// The NTP port.
pub const PORT: u16 = 123;

/// Length of the header of modes 1 to 5.
pub const HEADER_LEN: usize = 48;

/// Whether a UDP payload on the NTP port is NTP: version 1 to 4 and a mode other than 0.
pub fn is_ntp(payload: &[u8]) -> bool {
    payload
        .first()
        .is_some_and(|&b| (1..=4).contains(&((b >> 3) & 7)) && b & 7 != 0)
}

/// Decodes an NTP message; `partial` is set when the header is cut short.
pub fn decode(data: &[u8], declared: usize, partial: &mut Option<DecodeError>) -> DecodeResult {
    let Some(&first) = data.first() else {
        return Err(DecodeError::truncated("NTP header", 1, 0));
    };
    let mode = first & 7;
    let be32 = |at: usize| read::be32(data, at);
    let be64 = |at: usize| {
        data.get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
    };
    let full = mode <= 5;
    let header_len = if full {
        HEADER_LEN.min(data.len())
    } else {
        data.len()
    };
    if full && data.len() < HEADER_LEN {
        *partial = Some(DecodeError::truncated("NTP header", HEADER_LEN, data.len()));
    }
    let field = |v: Option<u64>| if full { v } else { None };
    let payload_len = if full {
        declared.max(data.len()).saturating_sub(HEADER_LEN)
    } else {
        0
    };
    Ok(Decoded {
        layer: Layer::Ntp(Box::new(Ntp {
            leap: first >> 6,
            version: (first >> 3) & 7,
            mode,
            stratum: field(data.get(1).map(|&b| b.into())).map(|v| v as u8),
            poll: field(data.get(2).map(|&b| b.into())).map(|v| v as u8 as i8),
            precision: field(data.get(3).map(|&b| b.into())).map(|v| v as u8 as i8),
            root_delay: field(be32(4).map(u64::from)).map(|v| v as u32),
            root_dispersion: field(be32(8).map(u64::from)).map(|v| v as u32),
            ref_id: field(be32(12).map(u64::from)).map(|v| v as u32),
            ref_ts: field(be64(16)),
            orig_ts: field(be64(24)),
            recv_ts: field(be64(32)),
            xmit_ts: field(be64(40)),
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

    /// A version 4 client request: leap 3 (unsynchronised), poll 6, precision -20, transmit
    /// timestamp 0x0102030405060708.
    fn client() -> Vec<u8> {
        let mut m = vec![0xe3, 0, 6, 0xec];
        m.extend([0, 0, 0, 1, 0, 0, 0, 2, b'L', b'O', b'C', b'L']);
        m.extend([0u8; 24]);
        m.extend([1, 2, 3, 4, 5, 6, 7, 8]);
        m
    }

    fn ntp_of(d: &Decoded) -> &Ntp {
        let Layer::Ntp(n) = &d.layer else {
            panic!("not NTP")
        };
        n
    }

    #[test]
    fn client_decodes_every_field() {
        let m = client();
        assert!(is_ntp(&m));
        let mut partial = None;
        let d = decode(&m, m.len(), &mut partial).unwrap();
        assert_eq!(partial, None);
        let n = ntp_of(&d);
        assert_eq!((n.leap, n.version, n.mode), (3, 4, 3));
        assert_eq!(
            (n.stratum, n.poll, n.precision),
            (Some(0), Some(6), Some(-20))
        );
        assert_eq!((n.root_delay, n.root_dispersion), (Some(1), Some(2)));
        assert_eq!(n.ref_id, Some(u32::from_be_bytes(*b"LOCL")));
        assert_eq!(
            (n.ref_ts, n.orig_ts, n.recv_ts),
            (Some(0), Some(0), Some(0))
        );
        assert_eq!(n.xmit_ts, Some(0x0102_0304_0506_0708));
        assert_eq!((d.header_len, d.payload_len), (48, 0));
        // Extension fields after the header are its payload.
        assert_eq!(decode(&m, 68, &mut None).unwrap().payload_len, 20);
    }

    #[test]
    fn cut_header_keeps_what_fits() {
        // zeek__fragmented-1.pcap frame 1: 10 bytes of NTP in a first fragment.
        let m = client();
        let mut partial = None;
        let d = decode(&m[..10], 48, &mut partial).unwrap();
        let n = ntp_of(&d);
        assert_eq!(
            (n.root_delay, n.root_dispersion, n.xmit_ts),
            (Some(1), None, None)
        );
        assert_eq!(
            partial.unwrap().to_string(),
            "NTP header needs 48 bytes, 10 captured"
        );
        assert_eq!(d.header_len, 10);
    }

    #[test]
    fn control_messages_and_checks() {
        // Mode 6 (control), version 2.
        let m = [0x16, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(is_ntp(&m));
        let mut partial = None;
        let d = decode(&m, 12, &mut partial).unwrap();
        assert_eq!(
            (ntp_of(&d).mode, ntp_of(&d).stratum, partial),
            (6, None, None)
        );
        assert_eq!(d.header_len, 12);
        assert!(!is_ntp(&[0x00]));
        assert!(!is_ntp(&[0x2b]));
        assert!(!is_ntp(&[0x28]));
        assert!(!is_ntp(&[]));
        assert!(decode(&[], 0, &mut None).is_err());
    }
}
