//! Frame Relay (link type 107): the Q.922 address (2 to 4 bytes, each ending with its EA
//! bit), then either RFC 2427 multiprotocol encapsulation (control 0x03 UI, an optional pad
//! byte, an NLPID: 0xCC IPv4, 0x8E IPv6, 0x80 SNAP) or Cisco's encapsulation (an Ethertype),
//! as Wireshark tells them apart: by the byte after the address.

use super::{DecodeError, DecodeResult, Decoded, by_ethertype};
use crate::model::{EtherType, FrameRelay, Layer, ProtoId};

/// The longest Q.922 address.
pub const MAX_ADDRESS_LEN: usize = 4;

/// The unnumbered information control byte of RFC 2427 encapsulation.
pub const CONTROL_UI: u8 = 0x03;

/// NLPIDs (ISO/IEC TR 9577).
pub mod nlpid {
    /// SNAP header follows.
    pub const SNAP: u8 = 0x80;
    /// IPv4.
    pub const IPV4: u8 = 0xcc;
    /// IPv6.
    pub const IPV6: u8 = 0x8e;
    /// Pad byte before the NLPID.
    pub const PAD: u8 = 0x00;
}

/// SNAP OUI of bridged IEEE 802 frames (RFC 2427).
const OUI_BRIDGED: u32 = 0x0080c2;

/// Decodes a Frame Relay header.
pub fn decode(data: &[u8]) -> DecodeResult {
    let Some(address_len) = data
        .iter()
        .take(MAX_ADDRESS_LEN)
        .position(|b| b & 1 == 1)
        .map(|i| i + 1)
    else {
        return Err(if data.len() < MAX_ADDRESS_LEN {
            DecodeError::truncated("Frame Relay address", data.len() + 1, data.len())
        } else {
            DecodeError::other("Frame Relay address longer than 4 bytes (EA bit never set)")
        });
    };
    let Some((&[a0, a1, ref more @ ..], rest)) = data.split_at_checked(address_len) else {
        return Err(DecodeError::other(
            "Frame Relay address of 1 byte (EA bit set in the first)",
        ));
    };
    // DLCI: 6 bits, 4 bits, then 6 more (3 bytes) or 7 and 6 more (4 bytes).
    let mut dlci = (u32::from(a0 >> 2) << 4) | u32::from(a1 >> 4);
    match *more {
        [a2] => dlci = (dlci << 6) | u32::from(a2 >> 2),
        [a2, a3] => dlci = (((dlci << 7) | u32::from(a2 >> 1)) << 6) | u32::from(a3 >> 2),
        _ => {}
    }
    let mut fr = FrameRelay {
        dlci,
        cr: a0 & 0x02 != 0,
        fecn: a1 & 0x08 != 0,
        becn: a1 & 0x04 != 0,
        de: a1 & 0x02 != 0,
        control: None,
        nlpid: None,
        ether_type: None,
        header_len: 0,
        payload_len: 0,
    };
    let (header_len, next) = if rest.first() == Some(&CONTROL_UI) {
        fr.control = Some(CONTROL_UI);
        let mut at = address_len + 1;
        if data.get(at) == Some(&nlpid::PAD) {
            at += 1;
        }
        let Some(&id) = data.get(at) else {
            return Err(DecodeError::truncated(
                "Frame Relay NLPID",
                at + 1,
                data.len(),
            ));
        };
        fr.nlpid = Some(id);
        at += 1;
        match id {
            nlpid::IPV4 => (at, Some(ProtoId::Ipv4)),
            nlpid::IPV6 => (at, Some(ProtoId::Ipv6)),
            nlpid::SNAP => {
                let Some(&[o0, o1, o2, p0, p1]) = data.get(at..at + 5) else {
                    return Err(DecodeError::truncated(
                        "Frame Relay SNAP header",
                        at + 5,
                        data.len(),
                    ));
                };
                let oui = u32::from_be_bytes([0, o0, o1, o2]);
                let pid = u16::from_be_bytes([p0, p1]);
                fr.ether_type = Some(EtherType(pid));
                let next = match oui {
                    0 => by_ethertype(EtherType(pid)),
                    // Bridged Ethernet with (0x0001) or without (0x0007) its FCS.
                    OUI_BRIDGED if pid == 0x0001 || pid == 0x0007 => Some(ProtoId::Ethernet),
                    _ => None,
                };
                (at + 5, next)
            }
            _ => (at, None),
        }
    } else {
        let Some(t) = rest.first_chunk::<2>() else {
            return Err(DecodeError::truncated(
                "Frame Relay Cisco header",
                address_len + 2,
                data.len(),
            ));
        };
        let ether_type = EtherType(u16::from_be_bytes(*t));
        fr.ether_type = Some(ether_type);
        (address_len + 2, by_ethertype(ether_type))
    };
    let payload_len = data.len() - header_len;
    fr.header_len = header_len as u32;
    fr.payload_len = payload_len as u32;
    Ok(Decoded {
        layer: Layer::FrameRelay(fr),
        header_len,
        payload_len,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr_of(d: &Decoded) -> &FrameRelay {
        let Layer::FrameRelay(f) = &d.layer else {
            panic!("not Frame Relay")
        };
        f
    }

    #[test]
    fn cisco_encapsulation() {
        // arkime__icmp-frame-relay.pcap frame 1: address 0x1861 (DLCI 102), Ethertype IPv4.
        let f = [0x18, 0x61, 0x08, 0x00, 0x45];
        let d = decode(&f).unwrap();
        assert_eq!(
            *fr_of(&d),
            FrameRelay {
                dlci: 102,
                cr: false,
                fecn: false,
                becn: false,
                de: false,
                control: None,
                nlpid: None,
                ether_type: Some(EtherType::IPV4),
                header_len: 4,
                payload_len: 1,
            }
        );
        assert_eq!(d.next, Some(ProtoId::Ipv4));
    }

    #[test]
    fn rfc_2427_encapsulations() {
        // Flags: C/R, FECN, BECN, DE all set.
        let d = decode(&[0x1a, 0x6f, 0x03, 0xcc, 0x45]).unwrap();
        let f = fr_of(&d);
        assert!(f.cr && f.fecn && f.becn && f.de);
        assert_eq!((f.control, f.nlpid), (Some(3), Some(0xcc)));
        assert_eq!((d.header_len, d.next), (4, Some(ProtoId::Ipv4)));
        // Pad byte, then IPv6.
        let d = decode(&[0x18, 0x61, 0x03, 0x00, 0x8e, 0x60]).unwrap();
        assert_eq!((d.header_len, d.next), (5, Some(ProtoId::Ipv6)));
        // SNAP: RFC 1042 Ethertype, bridged Ethernet, something else.
        let d = decode(&[0x18, 0x61, 0x03, 0x80, 0, 0, 0, 0x08, 0x06]).unwrap();
        assert_eq!((d.header_len, d.next), (9, Some(ProtoId::Arp)));
        let d = decode(&[0x18, 0x61, 0x03, 0x80, 0x00, 0x80, 0xc2, 0x00, 0x07]).unwrap();
        assert_eq!(d.next, Some(ProtoId::Ethernet));
        let d = decode(&[0x18, 0x61, 0x03, 0x80, 0x00, 0x80, 0xc2, 0x00, 0x0e]).unwrap();
        assert_eq!(d.next, None);
        // Q.933 (NLPID 0x08): no next.
        assert_eq!(decode(&[0x18, 0x61, 0x03, 0x08, 0]).unwrap().next, None);
    }

    #[test]
    fn long_addresses() {
        // 3 bytes: DLCI 10 + 6 bits; 4 bytes: 10 + 7 + 6 bits.
        let d = decode(&[0xfc, 0xf0, 0xfd, 0x08, 0x00]).unwrap();
        assert_eq!((fr_of(&d).dlci, d.header_len), (0xffff, 5));
        let d = decode(&[0xfc, 0xf0, 0xfe, 0xfd, 0x08, 0x00]).unwrap();
        assert_eq!((fr_of(&d).dlci, d.header_len), (0x7f_ffff, 6));
    }

    #[test]
    fn bad_headers_are_errors() {
        assert!(decode(&[]).is_err());
        assert_eq!(
            decode(&[0x18]).err().unwrap().to_string(),
            "Frame Relay address needs 2 bytes, 1 captured"
        );
        assert!(decode(&[0x19, 0x61]).is_err());
        assert!(decode(&[0x18, 0x60, 0x00, 0x00, 0x01]).is_err());
        assert_eq!(
            decode(&[0x18, 0x61, 0x08]).err().unwrap().to_string(),
            "Frame Relay Cisco header needs 4 bytes, 3 captured"
        );
        assert!(decode(&[0x18, 0x61, 0x03]).is_err());
        assert!(decode(&[0x18, 0x61, 0x03, 0x80, 0, 0]).is_err());
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0107_0107_0107_0107u64;
        for _ in 0..200 {
            let bytes = super::super::test_random_bytes(&mut seed, 24);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len]);
            }
        }
    }
}
