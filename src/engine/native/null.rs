//! BSD null/loopback header (link types NULL and LOOP): a 4-byte address family.
//!
//! The family is written in the byte order of the capturing host (NULL) or in network order
//! (LOOP); neither file says which. Like Wireshark, pcapkit reads it little-endian and then
//! repairs the byte order from the value itself: BSD address families are small numbers, so
//! nonzero upper bytes mean the other order (or an IRIX/UNICOS 16-bit family in the upper half).
//! A value above 1500 is an Ethertype, as some capture tools write one there.

use super::{DecodeError, DecodeResult, Decoded, by_ethertype};
use crate::model::{EtherType, Layer, Null, ProtoId};

/// Length of the null/loopback header.
pub const HEADER_LEN: usize = 4;

/// BSD `AF_INET`.
const AF_INET: u32 = 2;
/// `AF_INET6` on NetBSD, OpenBSD and BSD/OS.
const AF_INET6_BSD: u32 = 24;
/// `AF_INET6` on FreeBSD and DragonFly.
const AF_INET6_FREEBSD: u32 = 28;
/// `AF_INET6` on macOS.
const AF_INET6_DARWIN: u32 = 30;
/// Values above the largest IEEE 802.3 length are Ethertypes, not address families.
const MAX_802_3_LEN: u32 = 1500;

/// A view over a null/loopback header known to be complete.
pub struct Packet<'a> {
    header: &'a [u8; HEADER_LEN],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        match buffer.first_chunk() {
            Some(header) => Ok(Packet { header }),
            None => Err(DecodeError::truncated(
                "Null header",
                HEADER_LEN,
                buffer.len(),
            )),
        }
    }

    /// The four header bytes read little-endian, as stored.
    pub fn raw_le(&self) -> u32 {
        u32::from_le_bytes(*self.header)
    }

    /// The address family (or Ethertype, when above 1500) with its byte order repaired.
    pub fn family(&self) -> u32 {
        let v = self.raw_le();
        if v & 0xffff_0000 != 0 {
            if v & 0xff00_0000 == 0 && v & 0x00ff_0000 < 0x0006_0000 {
                // IRIX / UNICOS snoop: a 16-bit family in the upper half.
                v >> 16
            } else {
                v.swap_bytes()
            }
        } else if v & 0x0000_00ff == 0 && v & 0x0000_ff00 < 0x0000_0600 {
            // A 16-bit family in the other byte order.
            u32::from((v as u16).swap_bytes())
        } else {
            v
        }
    }
}

/// The protocol that follows a null header carrying `family`.
fn next_protocol(family: u32) -> Option<ProtoId> {
    match family {
        AF_INET => Some(ProtoId::Ipv4),
        AF_INET6_BSD | AF_INET6_FREEBSD | AF_INET6_DARWIN => Some(ProtoId::Ipv6),
        // Wireshark hands the low 16 bits to the Ethertype table.
        f if f > MAX_802_3_LEN => by_ethertype(EtherType(f as u16)),
        _ => None,
    }
}

/// Decodes a null/loopback header; the payload runs to the end of the captured bytes.
///
/// `family` holds the repaired value; when it is above 1500 the header held an Ethertype and
/// `family` is that Ethertype (its low 16 bits, as Wireshark's `null.type`).
pub fn decode(data: &[u8]) -> DecodeResult {
    let packet = Packet::new_checked(data)?;
    let mut family = packet.family();
    if family > MAX_802_3_LEN {
        family &= 0xffff;
    }
    let payload_len = data.len() - HEADER_LEN;
    Ok(Decoded {
        layer: Layer::Null(Null {
            family,
            header_len: HEADER_LEN as u32,
            payload_len: payload_len as u32,
        }),
        header_len: HEADER_LEN,
        payload_len,
        next: next_protocol(family),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `header` followed by two payload bytes; returns (family, next).
    fn family_of(header: [u8; 4]) -> (u32, Option<ProtoId>) {
        let mut frame = [0u8; 6];
        frame[..4].copy_from_slice(&header);
        let d = decode(&frame).unwrap();
        let Layer::Null(null) = d.layer else {
            panic!("not Null")
        };
        (null.family, d.next)
    }

    #[test]
    fn decodes_every_field() {
        // pcpp__null_loopback.pcap frame 1: family 30 (tshark null.family 30), IPv6 follows.
        let frame = [0x1e, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x01, 0xb3];
        let d = decode(&frame).unwrap();
        assert_eq!((d.header_len, d.payload_len), (4, 6));
        assert_eq!(d.next, Some(ProtoId::Ipv6));
        assert_eq!(
            d.layer,
            Layer::Null(Null {
                family: 30,
                header_len: 4,
                payload_len: 6,
            })
        );
    }

    #[test]
    fn both_byte_orders() {
        // pcpp__null_loopback.pcap frame 2: little-endian AF_INET.
        assert_eq!(family_of([2, 0, 0, 0]), (2, Some(ProtoId::Ipv4)));
        // LOOP and big-endian hosts.
        assert_eq!(family_of([0, 0, 0, 2]), (2, Some(ProtoId::Ipv4)));
        assert_eq!(family_of([0, 0, 0, 24]), (24, Some(ProtoId::Ipv6)));
        assert_eq!(family_of([28, 0, 0, 0]), (28, Some(ProtoId::Ipv6)));
        assert_eq!(family_of([0, 0, 0, 30]), (30, Some(ProtoId::Ipv6)));
        // IRIX / UNICOS: a 16-bit family in the first two bytes, either order.
        assert_eq!(family_of([0, 0, 2, 0]), (2, Some(ProtoId::Ipv4)));
        assert_eq!(family_of([0, 2, 0, 0]), (2, Some(ProtoId::Ipv4)));
    }

    #[test]
    fn ethertype_in_the_header() {
        // pcpp__null_loopback.pcap frame 3: 0f 00 08 00, tshark: null.type 0x0800 → IPv4.
        assert_eq!(
            family_of([0x0f, 0x00, 0x08, 0x00]),
            (0x0800, Some(ProtoId::Ipv4))
        );
        assert_eq!(
            family_of([0x00, 0x00, 0x86, 0xdd]),
            (0x86dd, Some(ProtoId::Ipv6))
        );
        assert_eq!(family_of([0x00, 0x00, 0x88, 0xcc]), (0x88cc, None));
    }

    #[test]
    fn unknown_families_have_no_next() {
        // Windows AF_INET6 (23) and anything else is not dissected further.
        assert_eq!(family_of([23, 0, 0, 0]), (23, None));
        assert_eq!(family_of([0, 0, 0, 0]), (0, None));
        assert_eq!(family_of([7, 0, 0, 0]), (7, None));
    }

    #[test]
    fn short_header_is_an_error() {
        assert_eq!(
            decode(&[2, 0, 0]).err().unwrap().to_string(),
            "Null header needs 4 bytes, 3 captured"
        );
        assert!(decode(&[]).is_err());
    }
}
