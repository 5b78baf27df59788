//! MPLS label stack (RFC 3032), Ethertypes 0x8847 and 0x8848.
//!
//! Four bytes per entry (label, traffic class, bottom-of-stack bit, TTL) down to the entry
//! with the bottom bit. What follows has no type field; as Wireshark does, it is chosen by the
//! first nibble: 4 IPv4, 6 IPv6, 0 an Ethernet pseudowire behind its control word (RFC 4448).

use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{Layer, Mpls, MplsLabel, ProtoId};

/// Length of one label stack entry.
pub const ENTRY_LEN: usize = 4;

/// Length of the pseudowire control word.
pub const CONTROL_WORD_LEN: usize = 4;

/// The most label stack entries read; a deeper stack is an error.
pub const MAX_LABELS: usize = 16;

/// Decodes an MPLS label stack (and a pseudowire control word after it).
pub fn decode(data: &[u8]) -> DecodeResult {
    let mut labels = Vec::new();
    let mut at = 0usize;
    loop {
        if labels.len() == MAX_LABELS {
            return Err(DecodeError::other(format!(
                "MPLS label stack deeper than {MAX_LABELS} entries"
            )));
        }
        let Some(word) = read::be32(data, at) else {
            return Err(DecodeError::truncated(
                "MPLS label stack entry",
                at + ENTRY_LEN,
                data.len(),
            ));
        };
        let bottom = word & 0x100 != 0;
        labels.push(MplsLabel {
            label: word >> 12,
            tc: ((word >> 9) & 0x7) as u8,
            bottom,
            ttl: word as u8,
        });
        at += ENTRY_LEN;
        if bottom {
            break;
        }
    }
    let (control_word, next) = match data.get(at).map(|b| b >> 4) {
        Some(4) => (None, Some(ProtoId::Ipv4)),
        Some(6) => (None, Some(ProtoId::Ipv6)),
        Some(0) => match read::be32(data, at) {
            Some(cw) => (Some(cw), Some(ProtoId::Ethernet)),
            None => (None, None),
        },
        _ => (None, None),
    };
    let header_len = at
        + if control_word.is_some() {
            CONTROL_WORD_LEN
        } else {
            0
        };
    let payload_len = data.len() - header_len;
    Ok(Decoded {
        layer: Layer::Mpls(Box::new(Mpls {
            labels,
            control_word,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        })),
        header_len,
        payload_len,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mpls_of(d: &Decoded) -> &Mpls {
        let Layer::Mpls(m) = &d.layer else {
            panic!("not MPLS")
        };
        m
    }

    #[test]
    fn one_label_then_ipv4() {
        // pcpp__MplsPackets.pcap frame 1: label 16000, bottom, TTL 126, then IPv4.
        let d = decode(&[0x03, 0xe8, 0x01, 0x7e, 0x45, 0x00]).unwrap();
        assert_eq!(
            mpls_of(&d).labels,
            vec![MplsLabel {
                label: 16000,
                tc: 0,
                bottom: true,
                ttl: 126
            }]
        );
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (4, 2, Some(ProtoId::Ipv4))
        );
    }

    #[test]
    fn stack_then_pseudowire_ethernet() {
        // pcpp__MplsPackets.pcap frame 2: labels 18 and 16, control word 0, Ethernet.
        let f = [
            0x00, 0x01, 0x20, 0xfe, 0x00, 0x01, 0x01, 0xff, 0, 0, 0, 0, 0xcc, 0x07,
        ];
        let d = decode(&f).unwrap();
        let m = mpls_of(&d);
        assert_eq!(m.labels.len(), 2);
        assert_eq!(
            (m.labels[0].label, m.labels[0].bottom, m.labels[0].ttl),
            (18, false, 254)
        );
        assert_eq!((m.labels[1].label, m.labels[1].bottom), (16, true));
        assert_eq!(m.control_word, Some(0));
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (12, 2, Some(ProtoId::Ethernet))
        );
        // Max label and traffic class; IPv6; unknown payload.
        let d = decode(&[0xff, 0xff, 0xff, 0xff, 0x60]).unwrap();
        let l = &mpls_of(&d).labels[0];
        assert_eq!((l.label, l.tc, l.ttl), (0xfffff, 7, 255));
        assert_eq!(d.next, Some(ProtoId::Ipv6));
        assert_eq!(decode(&[0, 0, 1, 1, 0x20]).unwrap().next, None);
        // Control word cut: no next, the bytes stay Raw.
        let d = decode(&f[..10]).unwrap();
        assert_eq!((d.header_len, d.next), (8, None));
    }

    #[test]
    fn bad_stacks_are_errors() {
        assert_eq!(
            decode(&[0, 0, 1]).err().unwrap().to_string(),
            "MPLS label stack entry needs 4 bytes, 3 captured"
        );
        assert_eq!(
            decode(&[0, 0, 0, 1, 0, 0]).err().unwrap().to_string(),
            "MPLS label stack entry needs 8 bytes, 6 captured"
        );
        let endless = [0u8; 80];
        assert_eq!(
            decode(&endless).err().unwrap().to_string(),
            "MPLS label stack deeper than 16 entries"
        );
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x8847_8847_8847_8847u64;
        for _ in 0..200 {
            let bytes = super::super::test_random_bytes(&mut seed, 40);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len]);
            }
        }
    }
}
