//! ARP and RARP packets (RFC 826, RFC 903): one layout, told apart by the Ethertype.
//!
//! The fixed part (8 bytes) gives the hardware and protocol address lengths; the four addresses
//! follow. Bytes after the packet are link-layer padding, so the packet reports no payload.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{AnyAddr, Arp, EtherType, FieldValue, Layer, ProtoId, recycle};

/// Field offsets of the fixed part.
mod field {
    pub const HTYPE: usize = 0;
    pub const PTYPE: usize = 2;
    pub const HLEN: usize = 4;
    pub const PLEN: usize = 5;
    pub const OPCODE: usize = 6;
}

/// Length of the fixed part, before the addresses.
pub const FIXED_LEN: usize = 8;

/// A view over an ARP packet whose fixed part and four addresses are known to be captured.
pub struct Packet<'a> {
    /// The fixed part.
    fixed: &'a [u8; FIXED_LEN],
    /// The bytes after it: the four addresses, then padding.
    addrs: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds the fixed part and all four addresses;
    /// `what` names the header in the error (`ARP header` or `RARP header`).
    pub fn new_checked(buffer: &'a [u8], what: &str) -> Result<Packet<'a>, DecodeError> {
        let Some((fixed, addrs)) = buffer.split_first_chunk::<FIXED_LEN>() else {
            return Err(DecodeError::truncated(what, FIXED_LEN, buffer.len()));
        };
        let packet = Packet { fixed, addrs };
        if buffer.len() < packet.total_len() {
            return Err(DecodeError::other(format!(
                "{what} with hlen {} and plen {} needs {} bytes, {} captured",
                packet.hlen(),
                packet.plen(),
                packet.total_len(),
                buffer.len()
            )));
        }
        Ok(packet)
    }

    fn be16(&self, at: usize) -> u16 {
        partial::be16(self.fixed, at).unwrap_or_default()
    }

    /// Hardware type (1 = Ethernet).
    pub fn htype(&self) -> u16 {
        self.be16(field::HTYPE)
    }

    /// Protocol type (an Ethertype).
    pub fn ptype(&self) -> u16 {
        self.be16(field::PTYPE)
    }

    /// Hardware address length.
    pub fn hlen(&self) -> u8 {
        self.fixed[field::HLEN]
    }

    /// Protocol address length.
    pub fn plen(&self) -> u8 {
        self.fixed[field::PLEN]
    }

    /// Operation code.
    pub fn opcode(&self) -> u16 {
        self.be16(field::OPCODE)
    }

    /// Length of the whole packet: 8 + 2·hlen + 2·plen (at most 1028).
    pub fn total_len(&self) -> usize {
        FIXED_LEN + 2 * usize::from(self.hlen()) + 2 * usize::from(self.plen())
    }

    /// The four addresses: sender hardware, sender protocol, target hardware, target protocol
    /// (empty where not captured, which [`Packet::new_checked`] has ruled out).
    pub fn addrs(&self) -> [&'a [u8]; 4] {
        let (sha, rest) = split(self.addrs, self.hlen());
        let (spa, rest) = split(rest, self.plen());
        let (tha, rest) = split(rest, self.hlen());
        let (tpa, _) = split(rest, self.plen());
        [sha, spa, tha, tpa]
    }
}

/// The first `len` bytes of `bytes` and the rest (all of it, and nothing, if shorter).
fn split(bytes: &[u8], len: u8) -> (&[u8], &[u8]) {
    bytes
        .split_at_checked(usize::from(len))
        .unwrap_or((bytes, &[]))
}

/// Decodes a RARP packet when `proto` is [`ProtoId::Rarp`], else an ARP packet.
///
/// `header_len` is the whole packet; `payload_len` is 0, so trailing padding is not reported.
/// A packet cut short is a partial layer with the fixed fields that fit and no addresses (tshark
/// shows them only once all four are captured); `note` says where it was cut.
pub fn decode(data: &[u8], proto: ProtoId, note: &mut Option<DecodeError>) -> DecodeResult {
    let rarp = proto == ProtoId::Rarp;
    let what = if rarp { "RARP header" } else { "ARP header" };
    let packet = match Packet::new_checked(data, what) {
        Ok(packet) => packet,
        Err(why) => return Ok(partial::keep(proto, data, cut(data), 0, why, note)),
    };
    let [sha, spa, tha, tpa] = packet.addrs();
    let header_len = packet.total_len();
    // The box and address vectors of a layer an earlier frame handed back, when the engine
    // recycles.
    let mut kept = recycle::arp();
    let mut addr = |bytes: &[u8], pick: fn(&mut Arp) -> &mut AnyAddr| match kept.as_deref_mut() {
        Some(old) => recycle::refill(pick(old), bytes),
        None => AnyAddr(bytes.to_vec()),
    };
    let arp = Arp {
        htype: packet.htype(),
        ptype: EtherType(packet.ptype()),
        hlen: packet.hlen(),
        plen: packet.plen(),
        opcode: packet.opcode(),
        sha: addr(sha, |a| &mut a.sha),
        spa: addr(spa, |a| &mut a.spa),
        tha: addr(tha, |a| &mut a.tha),
        tpa: addr(tpa, |a| &mut a.tpa),
        header_len: header_len as u32,
        payload_len: 0,
    };
    let arp = recycle::boxed(kept, arp);
    Ok(Decoded {
        layer: if rarp {
            Layer::Rarp(arp)
        } else {
            Layer::Arp(arp)
        },
        header_len,
        payload_len: 0,
        next: None,
    })
}

/// The fixed fields of a packet cut short, each once its bytes are captured.
fn cut(data: &[u8]) -> Fields {
    let mut fields = Fields::with_capacity(5);
    if let Some(htype) = partial::be16(data, field::HTYPE) {
        fields.push(("htype", FieldValue::U16(htype)));
    }
    if let Some(ptype) = partial::be16(data, field::PTYPE) {
        fields.push(("ptype", FieldValue::EtherType(EtherType(ptype))));
    }
    if let Some(&hlen) = data.get(field::HLEN) {
        fields.push(("hlen", FieldValue::U8(hlen)));
    }
    if let Some(&plen) = data.get(field::PLEN) {
        fields.push(("plen", FieldValue::U8(plen)));
    }
    if let Some(opcode) = partial::be16(data, field::OPCODE) {
        fields.push(("opcode", FieldValue::U16(opcode)));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    /// pcpp__ArpResponsePacket.pcap frame 1 after Ethernet: a reply 10.0.0.138 is at
    /// 30:46:9a:23:fb:fa (to 6c:f0:49:b2:de:6e / 10.0.0.1), then 18 bytes of padding.
    const REPLY: [u8; 46] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x30, 0x46, 0x9a, 0x23, 0xfb, 0xfa, 0x0a,
        0x00, 0x00, 0x8a, 0x6c, 0xf0, 0x49, 0xb2, 0xde, 0x6e, 0x0a, 0x00, 0x00, 0x01, 0x74, 0x20,
        0x66, 0x72, 0x6f, 0x6d, 0x20, 0x62, 0x72, 0x69, 0x64, 0x67, 0x65, 0x00, 0x37, 0x00, 0x3d,
        0x20,
    ];

    /// libpcap__rarp_req_reply.pcapng frame 2 after Ethernet: RARP reply (opcode 4).
    const RARP_REPLY: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x04, 0x00, 0x0c, 0x29, 0xc5, 0xf6, 0x9b, 0x0a,
        0x01, 0x01, 0x0a, 0x00, 0x0c, 0x29, 0x34, 0x0b, 0xde, 0x0a, 0x01, 0x01, 0x64,
    ];

    #[test]
    fn arp_decodes_every_field() {
        let d = decode(&REPLY, ProtoId::Arp, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (28, 0, None));
        let Layer::Arp(arp) = d.layer else {
            panic!("not ARP")
        };
        assert_eq!(
            *arp,
            Arp {
                htype: 1,
                ptype: EtherType::IPV4,
                hlen: 6,
                plen: 4,
                opcode: 2,
                sha: AnyAddr(vec![0x30, 0x46, 0x9a, 0x23, 0xfb, 0xfa]),
                spa: AnyAddr(vec![10, 0, 0, 138]),
                tha: AnyAddr(vec![0x6c, 0xf0, 0x49, 0xb2, 0xde, 0x6e]),
                tpa: AnyAddr(vec![10, 0, 0, 1]),
                header_len: 28,
                payload_len: 0,
            }
        );
        assert_eq!(arp.sha.to_string(), "30:46:9a:23:fb:fa");
        assert_eq!(arp.spa.to_string(), "10.0.0.138");
        assert_eq!(arp.tha.to_string(), "6c:f0:49:b2:de:6e");
        assert_eq!(arp.tpa.to_string(), "10.0.0.1");
    }

    /// Memory that earlier frames handed back (`recycle`) gives the same layers as fresh
    /// memory, in the box of the layer before: ARP, RARP, ARP.
    #[test]
    fn recycled_memory_gives_the_same_layers() {
        let cases = [(&REPLY[..], ProtoId::Arp), (&RARP_REPLY, ProtoId::Rarp)];
        crate::engine::native::assert_recycles(&[0, 1, 0], |i| {
            decode(cases[i].0, cases[i].1, &mut None).unwrap().layer
        });
    }

    #[test]
    fn rarp_decodes_every_field() {
        let d = decode(&RARP_REPLY, ProtoId::Rarp, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (28, 0, None));
        let Layer::Rarp(rarp) = d.layer else {
            panic!("not RARP")
        };
        assert_eq!(
            *rarp,
            Arp {
                htype: 1,
                ptype: EtherType::IPV4,
                hlen: 6,
                plen: 4,
                opcode: 4,
                sha: AnyAddr(vec![0x00, 0x0c, 0x29, 0xc5, 0xf6, 0x9b]),
                spa: AnyAddr(vec![10, 1, 1, 10]),
                tha: AnyAddr(vec![0x00, 0x0c, 0x29, 0x34, 0x0b, 0xde]),
                tpa: AnyAddr(vec![10, 1, 1, 100]),
                header_len: 28,
                payload_len: 0,
            }
        );
    }

    #[test]
    fn other_address_lengths() {
        // A made-up packet: 2-byte hardware and 16-byte protocol addresses.
        let mut pkt = vec![0x00, 0x20, 0x86, 0xdd, 2, 16, 0x00, 0x01];
        pkt.extend_from_slice(&[0xaa, 0xbb]);
        pkt.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        pkt.extend_from_slice(&[0xcc, 0xdd]);
        pkt.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        let d = decode(&pkt, ProtoId::Arp, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (44, 0));
        let Layer::Arp(arp) = d.layer else {
            panic!("not ARP")
        };
        assert_eq!(
            (arp.htype, arp.ptype, arp.hlen, arp.plen),
            (32, EtherType::IPV6, 2, 16)
        );
        assert_eq!(arp.sha.to_string(), "aa:bb");
        assert_eq!(arp.spa.to_string(), "2001:db8::1");
        assert_eq!(arp.tha.to_string(), "cc:dd");
        assert_eq!(arp.tpa.to_string(), "2001:db8::2");
        // Zero-length addresses are empty, not an error.
        let d = decode(&[0, 1, 8, 0, 0, 0, 0, 1], ProtoId::Arp, &mut None).unwrap();
        assert_eq!(d.header_len, 8);
        let Layer::Arp(arp) = d.layer else {
            panic!("not ARP")
        };
        assert!(arp.sha.0.is_empty() && arp.tpa.0.is_empty());
    }

    /// The partial record of a cut packet and the walker's note.
    fn cut_short(data: &[u8], proto: ProtoId) -> (crate::model::Partial, String) {
        let mut note = None;
        let d = decode(data, proto, &mut note).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (data.len(), 0, None));
        let Layer::Partial(cut) = d.layer else {
            panic!("not partial: {:?}", d.layer)
        };
        assert_eq!(cut.proto, proto);
        (*cut, note.unwrap().to_string())
    }

    #[test]
    fn cut_packets_are_partial_layers() {
        let (cut, note) = cut_short(&REPLY[..7], ProtoId::Arp);
        assert_eq!(note, "ARP header needs 8 bytes, 7 captured");
        assert_eq!(
            cut.fields,
            [
                ("htype", FieldValue::U16(1)),
                ("ptype", FieldValue::EtherType(EtherType::IPV4)),
                ("hlen", FieldValue::U8(6)),
                ("plen", FieldValue::U8(4)),
            ]
        );
        let names = |len: usize| -> Vec<&str> {
            let (cut, _) = cut_short(&REPLY[..len], ProtoId::Arp);
            cut.fields.iter().map(|(n, _)| *n).collect()
        };
        assert!(names(1).is_empty());
        assert_eq!(names(2), ["htype"]);
        assert_eq!(names(4), ["htype", "ptype"]);
        assert_eq!(names(5), ["htype", "ptype", "hlen"]);
        // From 8 bytes on, the fixed part is whole; the addresses are shown only all together.
        assert_eq!(names(8), ["htype", "ptype", "hlen", "plen", "opcode"]);
        assert_eq!(names(27), names(8));
        let (_, note) = cut_short(&REPLY[..27], ProtoId::Arp);
        assert_eq!(
            note,
            "ARP header with hlen 6 and plen 4 needs 28 bytes, 27 captured"
        );
        let (cut, note) = cut_short(&RARP_REPLY[..20], ProtoId::Rarp);
        assert_eq!(
            note,
            "RARP header with hlen 6 and plen 4 needs 28 bytes, 20 captured"
        );
        assert_eq!(cut.field("opcode"), Some(&FieldValue::U16(4)));
        // Hostile lengths: 255-byte addresses past the end.
        let mut pkt = REPLY;
        pkt[4] = 255;
        pkt[5] = 255;
        let (_, note) = cut_short(&pkt, ProtoId::Arp);
        assert_eq!(
            note,
            "ARP header with hlen 255 and plen 255 needs 1028 bytes, 46 captured"
        );
    }

    /// tshark 4.0.17 on generated ARP packets (`arp.src.hw_mac` / `arp.src.hw`,
    /// `arp.src.proto_ipv4` / `arp.src.proto`): a MAC address only for hardware type 1 or 6
    /// with 6-byte addresses, dotted IPv4 only for protocol type 0x0800 or 0xCC with 4-byte
    /// addresses, else the bytes in hex.
    #[test]
    fn addresses_are_written_as_wireshark_writes_them() {
        let cases: [(u16, u16, u8, u8, &str, &str); 9] = [
            (1, 0x0800, 6, 4, "11:12:13:14:15:16", "161.162.163.164"),
            (6, 0x0800, 6, 4, "11:12:13:14:15:16", "161.162.163.164"),
            (1, 0x00cc, 6, 4, "11:12:13:14:15:16", "161.162.163.164"),
            (24, 0x0800, 6, 4, "111213141516", "161.162.163.164"),
            (1, 0x0800, 8, 4, "1112131415161718", "161.162.163.164"),
            (
                1,
                0x86dd,
                6,
                16,
                "11:12:13:14:15:16",
                "a1a2a3a4a5a6a7a8a9aaabacadaeafb0",
            ),
            (1, 0x0806, 6, 4, "11:12:13:14:15:16", "a1a2a3a4"),
            (32, 0x0800, 2, 4, "1112", "161.162.163.164"),
            (1, 0x0800, 0, 4, "", "161.162.163.164"),
        ];
        for (htype, ptype, hlen, plen, sha, spa) in cases {
            let mut pkt = htype.to_be_bytes().to_vec();
            pkt.extend_from_slice(&ptype.to_be_bytes());
            pkt.extend_from_slice(&[hlen, plen, 0, 1]);
            for start in [0x11u8, 0xa1, 0x21, 0xb1] {
                let len = if start & 0x80 == 0 { hlen } else { plen };
                pkt.extend((0..len).map(|i| start + i));
            }
            let d = decode(&pkt, ProtoId::Arp, &mut None).unwrap();
            let json = serde_json::to_value(&d.layer).unwrap();
            assert_eq!(
                (json["sha"].as_str(), json["spa"].as_str()),
                (Some(sha), Some(spa)),
                "htype {htype} ptype {ptype:#06x} hlen {hlen} plen {plen}"
            );
        }
    }
}
