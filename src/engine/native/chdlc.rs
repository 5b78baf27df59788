//! Cisco HDLC (link type 104) and IP over InfiniBand (RFC 4391, link type 242): both a
//! 4-byte header whose protocol field is an Ethertype. Link type 242 puts 40 bytes before
//! IPoIB's header, as Linux captures it and Wireshark reads it: the Global Route Header, or
//! (first two bytes zero) 20 zero bytes and the destination's 20-byte hardware address.

use super::{DecodeError, DecodeResult, Decoded, by_ethertype};
use crate::model::{Chdlc, EtherType, Ipoib, Layer};

/// Length of either header.
pub const HEADER_LEN: usize = 4;

/// The protocols Cisco HDLC hands on, as Wireshark's `chdlc.protocol` table does: IPv4, IPv6,
/// MPLS (unicast, multicast), IPX, bridged Ethernet. The others stay Raw: ARP, VLAN, PPP and
/// 0x8035, which is Cisco SLARP here, not RARP.
const CHDLC_NEXT: [u16; 6] = [0x0800, 0x86dd, 0x8847, 0x8848, 0x8137, 0x6558];

/// The protocols IPoIB hands on (RFC 4391's IPv4 and ARP, RFC 4391 §9's IPv6, and RARP), as
/// Wireshark does; the others stay Raw.
const IPOIB_NEXT: [u16; 4] = [0x0800, 0x86dd, 0x0806, 0x8035];

/// The protocol after a header whose protocol field is `ether_type`, when `table` has it.
fn next_of(ether_type: EtherType, table: &[u16]) -> Option<crate::model::ProtoId> {
    table
        .contains(&ether_type.0)
        .then(|| by_ethertype(ether_type))
        .flatten()
}

/// The GRH or destination pseudo-header before IPoIB's header at link type 242.
pub const IPOIB_PSEUDO_LEN: usize = 40;

/// Decodes a Cisco HDLC header (address, control, protocol).
pub fn decode_chdlc(data: &[u8]) -> DecodeResult {
    let Some(h) = data.first_chunk::<HEADER_LEN>() else {
        return Err(DecodeError::truncated(
            "Cisco HDLC header",
            HEADER_LEN,
            data.len(),
        ));
    };
    let ether_type = EtherType(u16::from_be_bytes([h[2], h[3]]));
    let payload_len = data.len() - HEADER_LEN;
    let next = next_of(ether_type, &CHDLC_NEXT);
    Ok(Decoded {
        layer: Layer::Chdlc(Chdlc {
            address: h[0],
            control: h[1],
            ether_type,
            header_len: HEADER_LEN as u32,
            payload_len: payload_len as u32,
        }),
        header_len: HEADER_LEN,
        payload_len,
        next,
    })
}

/// Decodes link type 242: the 40-byte GRH or pseudo-header, then IPoIB's header (protocol,
/// reserved).
pub fn decode_ipoib(data: &[u8]) -> DecodeResult {
    const LEN: usize = IPOIB_PSEUDO_LEN + HEADER_LEN;
    let Some(&[.., t0, t1, r0, r1]) = data.first_chunk::<LEN>() else {
        return Err(DecodeError::truncated("IPoIB header", LEN, data.len()));
    };
    let ether_type = EtherType(u16::from_be_bytes([t0, t1]));
    let payload_len = data.len() - LEN;
    Ok(Decoded {
        layer: Layer::Ipoib(Ipoib {
            ether_type,
            reserved: u16::from_be_bytes([r0, r1]),
            header_len: LEN as u32,
            payload_len: payload_len as u32,
        }),
        header_len: LEN,
        payload_len,
        next: next_of(ether_type, &IPOIB_NEXT),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProtoId;

    #[test]
    fn chdlc_decodes_every_field() {
        let d = decode_chdlc(&[0x0f, 0x00, 0x08, 0x00, 0x45]).unwrap();
        assert_eq!(
            d.layer,
            Layer::Chdlc(Chdlc {
                address: 0x0f,
                control: 0,
                ether_type: EtherType::IPV4,
                header_len: 4,
                payload_len: 1,
            })
        );
        assert_eq!(d.next, Some(ProtoId::Ipv4));
        assert_eq!(
            decode_chdlc(&[0x8f, 0, 0x86, 0xdd]).unwrap().next,
            Some(ProtoId::Ipv6)
        );
        for not_on in [0x8035u16, 0x0806, 0x8100, 0x0101] {
            let [hi, lo] = not_on.to_be_bytes();
            assert_eq!(decode_chdlc(&[0x8f, 0, hi, lo, 0]).unwrap().next, None);
        }
        assert_eq!(
            decode_chdlc(&[0x8f, 0, 0x88, 0x47]).unwrap().next,
            Some(ProtoId::Mpls)
        );
        assert_eq!(
            decode_chdlc(&[0x0f, 0, 0x08]).err().unwrap().to_string(),
            "Cisco HDLC header needs 4 bytes, 3 captured"
        );
    }

    #[test]
    fn ipoib_decodes_every_field() {
        // A GRH (version 6), then protocol IPv6 and reserved 1.
        let mut f = vec![0x60];
        f.resize(IPOIB_PSEUDO_LEN, 0xaa);
        f.extend_from_slice(&[0x86, 0xdd, 0x00, 0x01, 0x60]);
        let d = decode_ipoib(&f).unwrap();
        assert_eq!(
            d.layer,
            Layer::Ipoib(Ipoib {
                ether_type: EtherType::IPV6,
                reserved: 1,
                header_len: 44,
                payload_len: 1,
            })
        );
        assert_eq!((d.header_len, d.next), (44, Some(ProtoId::Ipv6)));
        f[IPOIB_PSEUDO_LEN..IPOIB_PSEUDO_LEN + 2].copy_from_slice(&[0x81, 0x00]);
        assert_eq!(decode_ipoib(&f).unwrap().next, None);
        assert_eq!(
            decode_ipoib(&f[..43]).err().unwrap().to_string(),
            "IPoIB header needs 44 bytes, 43 captured"
        );
        assert!(decode_ipoib(&[0x08]).is_err());
    }
}
