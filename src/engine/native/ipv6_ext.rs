//! IPv6 extension headers (RFC 8200): Hop-by-Hop Options, Destination Options, Routing
//! (types 0, 2 and 4 with their addresses) and Fragment.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, by_ip_proto, read};
use crate::model::{
    FieldValue, HexBytes, IpOption, Ipv6Frag, Ipv6Options, Ipv6Route, Layer, ProtoId,
};
use std::net::Ipv6Addr;

/// Field offsets shared by the extension headers.
mod field {
    pub const NEXT_HEADER: usize = 0;
    pub const HDR_EXT_LEN: usize = 1;
    /// Options area of Hop-by-Hop and Destination Options headers.
    pub const OPTIONS: usize = 2;
    /// Routing header: routing type.
    pub const ROUTING_TYPE: usize = 2;
    /// Routing header: segments left.
    pub const SEGMENTS_LEFT: usize = 3;
    /// Segment Routing header: index of the last entry of the segment list.
    pub const LAST_ENTRY: usize = 4;
    /// Routing header: first address (types 0, 2 and 4).
    pub const ADDRESSES: usize = 8;
    /// Fragment header: offset (13 bits), 2 reserved bits, M flag.
    pub const FRAG_OFFSET_FLAGS: usize = 2;
    /// Fragment header: identification.
    pub const FRAG_IDENT: usize = 4;
}

/// The smallest extension header (and the size of the Fragment header).
pub const MIN_HEADER_LEN: usize = 8;

/// A view over an IPv6 extension header whose whole length is captured.
pub struct Header<'a> {
    /// The first 8 bytes, which every extension header has.
    fixed: &'a [u8; MIN_HEADER_LEN],
    /// The whole header.
    buffer: &'a [u8],
}

impl<'a> Header<'a> {
    /// Wraps `buffer` after checking that it holds the whole header: 8·(hdr_ext_len + 1)
    /// bytes, or 8 for the Fragment header (`fixed`). `what` names the header in errors.
    pub fn new_checked(
        what: &str,
        buffer: &'a [u8],
        fixed: bool,
    ) -> Result<Header<'a>, DecodeError> {
        let Some(first) = buffer.first_chunk::<MIN_HEADER_LEN>() else {
            return Err(DecodeError::truncated(what, MIN_HEADER_LEN, buffer.len()));
        };
        let len = if fixed {
            MIN_HEADER_LEN
        } else {
            (usize::from(first[field::HDR_EXT_LEN]) + 1) * 8
        };
        let Some(whole) = buffer.get(..len) else {
            return Err(DecodeError::truncated(what, len, buffer.len()));
        };
        Ok(Header {
            fixed: first,
            buffer: whole,
        })
    }

    /// Header length in bytes.
    pub fn header_len(&self) -> usize {
        self.buffer.len()
    }

    /// Protocol number of the next header.
    pub fn next_header(&self) -> u8 {
        self.fixed[field::NEXT_HEADER]
    }

    /// The options area of a Hop-by-Hop or Destination Options header.
    pub fn options(&self) -> &'a [u8] {
        self.buffer.get(field::OPTIONS..).unwrap_or_default()
    }

    /// Routing type of a Routing header.
    pub fn routing_type(&self) -> u8 {
        self.fixed[field::ROUTING_TYPE]
    }

    /// Segments left of a Routing header.
    pub fn segments_left(&self) -> u8 {
        self.fixed[field::SEGMENTS_LEFT]
    }

    /// Index of the last segment-list entry of a Segment Routing header.
    pub fn last_entry(&self) -> u8 {
        self.fixed[field::LAST_ENTRY]
    }

    /// Up to `max` 16-byte addresses from offset 8, as many as the header holds.
    pub fn addresses(&self, max: usize) -> Vec<Ipv6Addr> {
        self.buffer
            .get(field::ADDRESSES..)
            .unwrap_or_default()
            .as_chunks::<16>()
            .0
            .iter()
            .take(max)
            .map(|&chunk| Ipv6Addr::from(chunk))
            .collect()
    }

    fn frag_word(&self) -> u16 {
        read::be16(self.fixed, field::FRAG_OFFSET_FLAGS).unwrap_or(0)
    }

    /// Fragment offset in bytes (the 13-bit field times 8) of a Fragment header.
    pub fn frag_offset(&self) -> u16 {
        self.frag_word() & 0xfff8
    }

    /// More Fragments flag of a Fragment header.
    pub fn more_fragments(&self) -> bool {
        self.frag_word() & 1 != 0
    }

    /// Identification of a Fragment header.
    pub fn ident(&self) -> u32 {
        read::be32(self.fixed, field::FRAG_IDENT).unwrap_or(0)
    }
}

/// The short name of an IPv6 Hop-by-Hop / Destination option type, or `Unknown`.
pub fn option_name(kind: u8) -> &'static str {
    match kind {
        0x00 => "Pad1",
        0x01 => "PadN",
        0x04 => "TunnelEncapLimit",
        0x05 => "RouterAlert",
        0x07 => "CALIPSO",
        0x08 => "SMF_DPD",
        0x0f => "PDM",
        0x11 | 0x31 => "IOAM",
        0x23 | 0x63 => "RPL",
        0x26 => "QuickStart",
        0x30 => "MinPMTU",
        0x6d => "MPL",
        0x8b => "ILNP",
        0x8c => "LineID",
        0xc2 => "Jumbo",
        0xc9 => "HomeAddress",
        0xee => "IP_DFF",
        _ => "Unknown",
    }
}

/// Parses the options area of a Hop-by-Hop or Destination Options header, padding included.
///
/// `len` of each option counts its type and length bytes. An option whose
/// length runs past the header ends the list without failing the header.
pub fn parse_options(bytes: &[u8]) -> Vec<IpOption> {
    let mut options = Vec::new();
    let mut at = 0usize;
    while let Some(&kind) = bytes.get(at) {
        if kind == 0 {
            options.push(IpOption {
                kind,
                name: option_name(kind),
                len: 1,
                data: HexBytes::default(),
            });
            at += 1;
            continue;
        }
        let Some(&data_len) = bytes.get(at + 1) else {
            break;
        };
        let end = at + 2 + usize::from(data_len);
        let Some(data) = bytes.get(at + 2..end) else {
            break;
        };
        options.push(IpOption {
            kind,
            name: option_name(kind),
            len: u16::from(data_len) + 2,
            data: HexBytes(data.to_vec()),
        });
        at = end;
    }
    options
}

/// Decodes the IPv6 extension header `proto` (Hop-by-Hop, Destination Options, Routing or
/// Fragment) at the start of `data`; `declared` is the length the IPv6 header leaves for it.
/// A header cut short is a partial layer with the fields tshark shows of it ([`cut`]); `note`
/// says where it was cut.
pub fn decode(
    proto: ProtoId,
    data: &[u8],
    declared: usize,
    note: &mut Option<DecodeError>,
) -> DecodeResult {
    let (what, fixed) = match proto {
        ProtoId::HopOpt => ("IPv6 Hop-by-Hop Options header", false),
        ProtoId::Ipv6Opts => ("IPv6 Destination Options header", false),
        ProtoId::Ipv6Route => ("IPv6 Routing header", false),
        ProtoId::Ipv6Frag => ("IPv6 Fragment header", true),
        other => {
            return Err(DecodeError::other(format!(
                "{} is not an IPv6 extension header",
                other.name()
            )));
        }
    };
    let header = match Header::new_checked(what, data, fixed) {
        Ok(header) => header,
        Err(why) => {
            let (fields, payload_len) = cut(proto, data, declared);
            return Ok(partial::keep(proto, data, fields, payload_len, why, note));
        }
    };
    let header_len = header.header_len();
    let payload_len = declared.saturating_sub(header_len);
    let next_header = header.next_header();
    let mut next = by_ip_proto(next_header);
    let (hl, pl) = (
        header_len as u32,
        u32::try_from(payload_len).unwrap_or(u32::MAX),
    );
    let layer = match proto {
        ProtoId::Ipv6Route => {
            let routing_type = header.routing_type();
            let addresses = match routing_type {
                0 => header.addresses(usize::MAX),
                2 => header.addresses(1),
                4 => header.addresses(usize::from(header.last_entry()) + 1),
                _ => Vec::new(),
            };
            Layer::Ipv6Route(Ipv6Route {
                next_header,
                routing_type,
                segments_left: header.segments_left(),
                addresses,
                header_len: hl,
                payload_len: pl,
            })
        }
        ProtoId::Ipv6Frag => {
            let frag_offset = header.frag_offset();
            if frag_offset != 0 {
                next = None;
            }
            Layer::Ipv6Frag(Ipv6Frag {
                next_header,
                frag_offset,
                mf: header.more_fragments(),
                id: header.ident(),
                header_len: hl,
                payload_len: pl,
            })
        }
        _ => {
            let record = Ipv6Options {
                next_header,
                options: parse_options(header.options()),
                header_len: hl,
                payload_len: pl,
            };
            if proto == ProtoId::HopOpt {
                Layer::HopOpt(record)
            } else {
                Layer::Ipv6Opts(record)
            }
        }
    };
    Ok(Decoded {
        layer,
        header_len,
        payload_len,
        next,
    })
}

/// The fields tshark 4.0 shows of an extension header cut short, and the payload length its
/// captured length field declares. Hop-by-Hop and Destination Options: the next header once
/// the first 2 bytes are captured (it adds it with the length), then every option whose type
/// and length bytes are captured (its data as far as captured: tshark lists the option, its
/// value only when whole). Routing: next header, routing type and segments left each once
/// captured, a type 0 header's addresses each once whole. Fragment: no field until whole.
pub(crate) fn cut(proto: ProtoId, data: &[u8], declared: usize) -> (Fields, usize) {
    let mut fields = Fields::with_capacity(4);
    let payload_len = match data.get(field::HDR_EXT_LEN) {
        Some(&len) if proto != ProtoId::Ipv6Frag => {
            declared.saturating_sub((usize::from(len) + 1) * 8)
        }
        _ => 0,
    };
    match proto {
        ProtoId::HopOpt | ProtoId::Ipv6Opts => {
            if let Some(&[next_header, _]) = data.first_chunk::<2>() {
                fields.push(("next_header", FieldValue::U8(next_header)));
                let options = cut_options(data.get(field::OPTIONS..).unwrap_or_default());
                fields.push(("options", FieldValue::IpOptions(options)));
            }
        }
        ProtoId::Ipv6Route => {
            if let Some(&next_header) = data.get(field::NEXT_HEADER) {
                fields.push(("next_header", FieldValue::U8(next_header)));
            }
            let routing_type = data.get(field::ROUTING_TYPE).copied();
            if let Some(value) = routing_type {
                fields.push(("routing_type", FieldValue::U8(value)));
            }
            if let Some(&value) = data.get(field::SEGMENTS_LEFT) {
                fields.push(("segments_left", FieldValue::U8(value)));
            }
            let addresses = data.get(field::ADDRESSES..).unwrap_or_default();
            let (whole, _) = addresses.as_chunks::<16>();
            if routing_type == Some(0) && !whole.is_empty() {
                let list = whole.iter().map(|&a| Ipv6Addr::from(a)).collect();
                fields.push(("addresses", FieldValue::Ipv6List(list)));
            }
        }
        _ => {}
    }
    (fields, payload_len)
}

/// The options of a cut options area: those captured whole, then one whose type and length
/// bytes are captured, with its data as far as captured.
fn cut_options(bytes: &[u8]) -> Vec<IpOption> {
    let mut options = parse_options(bytes);
    let used: usize = options.iter().map(|o| usize::from(o.len)).sum();
    if let Some(&[kind, data_len]) = bytes.get(used..).and_then(|b| b.first_chunk::<2>()) {
        options.push(IpOption {
            kind,
            name: option_name(kind),
            len: u16::from(data_len) + 2,
            data: HexBytes(bytes.get(used + 2..).unwrap_or_default().to_vec()),
        });
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(kind: u8, name: &'static str, len: u16, data: &[u8]) -> IpOption {
        IpOption {
            kind,
            name,
            len,
            data: HexBytes(data.to_vec()),
        }
    }

    /// pcpp__ipv6_options.pcapng frame 1, Hop-by-Hop header: nxt 60, Router Alert (MLD),
    /// PadN with no data. tshark: hopopts.len 0 (8 bytes).
    const HOP_BY_HOP: [u8; 8] = [0x3c, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00];

    #[test]
    fn hop_by_hop_from_capture() {
        let d = decode(ProtoId::HopOpt, &HOP_BY_HOP, 104, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::HopOpt(Ipv6Options {
                next_header: 60,
                options: vec![opt(5, "RouterAlert", 4, &[0, 0]), opt(1, "PadN", 2, &[]),],
                header_len: 8,
                payload_len: 96,
            })
        );
        assert_eq!((d.header_len, d.payload_len), (8, 96));
        assert_eq!(d.next, Some(ProtoId::Ipv6Opts));
    }

    /// pcpp__ipv6_options.pcapng frame 6, Destination Options header: nxt 17, an unknown
    /// option 0x0b with one byte, PadN with one byte. IPv6 plen 26.
    #[test]
    fn destination_options_from_capture() {
        let bytes = [0x11, 0x00, 0x0b, 0x01, 0x09, 0x01, 0x01, 0x00];
        let d = decode(ProtoId::Ipv6Opts, &bytes, 26, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::Ipv6Opts(Ipv6Options {
                next_header: 17,
                options: vec![opt(0x0b, "Unknown", 3, &[0x09]), opt(1, "PadN", 3, &[0x00]),],
                header_len: 8,
                payload_len: 18,
            })
        );
        assert_eq!((d.header_len, d.payload_len), (8, 18));
        assert_eq!(d.next, Some(ProtoId::Udp));
    }

    #[test]
    fn pad1_jumbo_and_names() {
        // Pad1, Pad1, Jumbo payload length 0x00012345, then 16 bytes in all.
        let bytes = [
            0x3a, 0x01, 0x00, 0x00, 0xc2, 0x04, 0x00, 0x01, 0x23, 0x45, 0xc9, 0x02, 0xaa, 0xbb,
            0x00, 0x00,
        ];
        let d = decode(ProtoId::HopOpt, &bytes, 70000, &mut None).unwrap();
        let Layer::HopOpt(rec) = d.layer else {
            panic!("not HOPOPT")
        };
        assert_eq!(
            rec.options,
            vec![
                opt(0, "Pad1", 1, &[]),
                opt(0, "Pad1", 1, &[]),
                opt(0xc2, "Jumbo", 6, &[0x00, 0x01, 0x23, 0x45]),
                opt(0xc9, "HomeAddress", 4, &[0xaa, 0xbb]),
                opt(0, "Pad1", 1, &[]),
                opt(0, "Pad1", 1, &[]),
            ]
        );
        assert_eq!(
            (rec.next_header, rec.header_len, rec.payload_len),
            (58, 16, 69984)
        );
        assert_eq!(d.next, Some(ProtoId::Icmpv6));
        let names: Vec<_> = [0u8, 1, 0xc2, 5, 4, 0xc9, 7, 0x26, 0x63, 0x0b]
            .into_iter()
            .map(option_name)
            .collect();
        assert_eq!(
            names,
            [
                "Pad1",
                "PadN",
                "Jumbo",
                "RouterAlert",
                "TunnelEncapLimit",
                "HomeAddress",
                "CALIPSO",
                "QuickStart",
                "RPL",
                "Unknown"
            ]
        );
    }

    #[test]
    fn option_past_the_end_stops_options_not_header() {
        // PadN claiming 9 data bytes in a 6-byte options area.
        let bytes = [0x11, 0x00, 0x01, 0x00, 0x01, 0x09, 0x00, 0x00];
        let d = decode(ProtoId::Ipv6Opts, &bytes, 8, &mut None).unwrap();
        let Layer::Ipv6Opts(rec) = d.layer else {
            panic!("not IPv6-Opts")
        };
        assert_eq!(rec.options, vec![opt(1, "PadN", 2, &[])]);
        assert_eq!((d.header_len, d.payload_len), (8, 0));
        // A type byte with no length byte.
        assert_eq!(parse_options(&[0, 5]).len(), 1);
        // A 255-byte option is 257 bytes long with its type and length bytes.
        let mut long = vec![0x1e, 0xff];
        long.resize(257, 0);
        assert_eq!(parse_options(&long)[0].len, 257);
        assert_eq!(parse_options(&long)[0].data.0.len(), 255);
    }

    /// pcpp__ipv6_options.pcapng frame 2: type 0 routing header, len 4 (40 bytes), nxt 58,
    /// segments left 2, two addresses (tshark's JSON keeps only the last, 2200::240:2:0:0:4).
    #[test]
    fn routing_type_0_from_capture() {
        let bytes: [u8; 40] = [
            0x3a, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, // header
            0x22, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x10, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x04, // 2200::210:2:0:0:4
            0x22, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x40, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x04, // 2200::240:2:0:0:4
        ];
        let d = decode(ProtoId::Ipv6Route, &bytes, 48, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::Ipv6Route(Ipv6Route {
                next_header: 58,
                routing_type: 0,
                segments_left: 2,
                addresses: vec![
                    "2200::210:2:0:0:4".parse().unwrap(),
                    "2200::240:2:0:0:4".parse().unwrap(),
                ],
                header_len: 40,
                payload_len: 8,
            })
        );
        assert_eq!((d.header_len, d.payload_len), (40, 8));
        assert_eq!(d.next, Some(ProtoId::Icmpv6));
    }

    #[test]
    fn routing_type_2_and_4_and_3() {
        let mut bytes = [0u8; 56];
        bytes[..4].copy_from_slice(&[0x06, 0x02, 0x02, 0x01]);
        bytes[8] = 0x20;
        bytes[23] = 0x01;
        let d = decode(ProtoId::Ipv6Route, &bytes[..24], 100, &mut None).unwrap();
        let Layer::Ipv6Route(rec) = d.layer else {
            panic!("not IPv6-Route")
        };
        assert_eq!((rec.routing_type, rec.segments_left), (2, 1));
        assert_eq!(rec.addresses, vec!["2000::1".parse::<Ipv6Addr>().unwrap()]);
        assert_eq!((d.header_len, d.payload_len), (24, 76));
        assert_eq!(d.next, Some(ProtoId::Tcp));

        // SRH: 56 bytes (len 6), last entry 1: two segments, then 16 bytes of TLV.
        bytes[..8].copy_from_slice(&[0x29, 0x06, 0x04, 0x01, 0x01, 0x00, 0x00, 0x00]);
        bytes[24] = 0xfc;
        bytes[39] = 0x02;
        bytes[40] = 0xff; // TLV area: not an address
        let d = decode(ProtoId::Ipv6Route, &bytes, 56, &mut None).unwrap();
        let Layer::Ipv6Route(rec) = d.layer else {
            panic!("not IPv6-Route")
        };
        assert_eq!(
            (rec.next_header, rec.routing_type, rec.segments_left),
            (41, 4, 1)
        );
        assert_eq!(
            rec.addresses,
            vec![
                "2000::1".parse::<Ipv6Addr>().unwrap(),
                "fc00::2".parse().unwrap()
            ]
        );
        assert_eq!((d.header_len, d.payload_len), (56, 0));
        assert_eq!(d.next, Some(ProtoId::Ipv6)); // IPv6-in-IPv6 (SRv6)

        // SRH whose last entry claims more segments than the header holds.
        bytes[4] = 200;
        let d = decode(ProtoId::Ipv6Route, &bytes, 56, &mut None).unwrap();
        let Layer::Ipv6Route(rec) = d.layer else {
            panic!("not IPv6-Route")
        };
        assert_eq!(rec.addresses.len(), 3);

        // RPL (type 3): compressed addresses are not listed.
        bytes[2] = 3;
        let d = decode(ProtoId::Ipv6Route, &bytes, 56, &mut None).unwrap();
        let Layer::Ipv6Route(rec) = d.layer else {
            panic!("not IPv6-Route")
        };
        assert!(rec.addresses.is_empty());
    }

    /// pcpp__ip6_fragments.pcap frames 1 and 2: nxt 17, offset 0 then 15 (·8 = 120 bytes),
    /// more fragments, ident 0x002c5323; IPv6 plen 128.
    #[test]
    fn fragments_from_capture() {
        let first = [0x11, 0x00, 0x00, 0x01, 0x00, 0x2c, 0x53, 0x23];
        let d = decode(ProtoId::Ipv6Frag, &first, 128, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::Ipv6Frag(Ipv6Frag {
                next_header: 17,
                frag_offset: 0,
                mf: true,
                id: 0x002c_5323,
                header_len: 8,
                payload_len: 120,
            })
        );
        assert_eq!((d.header_len, d.payload_len), (8, 120));
        assert_eq!(d.next, Some(ProtoId::Udp));

        let second = [0x11, 0x00, 0x00, 0x79, 0x00, 0x2c, 0x53, 0x23];
        let d = decode(ProtoId::Ipv6Frag, &second, 128, &mut None).unwrap();
        assert_eq!(
            d.layer,
            Layer::Ipv6Frag(Ipv6Frag {
                next_header: 17,
                frag_offset: 120,
                mf: true,
                id: 0x002c_5323,
                header_len: 8,
                payload_len: 120,
            })
        );
        assert_eq!(d.next, None);

        // Last fragment, largest offset; the length byte is reserved and ignored.
        let last = [0x06, 0xff, 0xff, 0xf8, 0xff, 0xff, 0xff, 0xff];
        let d = decode(ProtoId::Ipv6Frag, &last, 4, &mut None).unwrap();
        let Layer::Ipv6Frag(rec) = d.layer else {
            panic!("not IPv6-Frag")
        };
        assert_eq!((rec.frag_offset, rec.mf, rec.id), (0xfff8, false, u32::MAX));
        assert_eq!((d.header_len, d.payload_len), (8, 0));
    }

    /// The partial record of a cut header and the walker's note.
    fn cut_short(proto: ProtoId, data: &[u8]) -> (crate::model::Partial, String) {
        let mut note = None;
        let d = decode(proto, data, 104, &mut note).unwrap();
        let Layer::Partial(cut) = d.layer else {
            panic!("not partial: {:?}", d.layer)
        };
        (*cut, note.unwrap().to_string())
    }

    #[test]
    fn cut_headers_are_partial_layers() {
        // Hop-by-Hop cut after the Router Alert's type and length: next header, that option
        // with no data, and the payload length its length field declares.
        let (cut, note) = cut_short(ProtoId::HopOpt, &HOP_BY_HOP[..4]);
        assert_eq!(
            note,
            "IPv6 Hop-by-Hop Options header needs 8 bytes, 4 captured"
        );
        assert_eq!(
            cut.fields,
            [
                ("next_header", FieldValue::U8(60)),
                (
                    "options",
                    FieldValue::IpOptions(vec![opt(5, "RouterAlert", 4, &[])])
                ),
            ]
        );
        assert_eq!((cut.header_len, cut.payload_len), (4, 96));
        // One byte: nothing (tshark adds the next header with the length).
        assert!(
            cut_short(ProtoId::HopOpt, &HOP_BY_HOP[..1])
                .0
                .fields
                .is_empty()
        );
        let mut long = [0u8; 16];
        long[1] = 2; // 24 bytes
        let (cut, note) = cut_short(ProtoId::Ipv6Opts, &long);
        assert_eq!(
            note,
            "IPv6 Destination Options header needs 24 bytes, 16 captured"
        );
        assert_eq!(
            cut.field("options"),
            Some(&FieldValue::IpOptions(vec![opt(0, "Pad1", 1, &[]); 14]))
        );
        // Routing type 0: each address once whole.
        let (cut, note) = cut_short(ProtoId::Ipv6Route, &long);
        assert_eq!(note, "IPv6 Routing header needs 24 bytes, 16 captured");
        assert_eq!(
            cut.fields.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            ["next_header", "routing_type", "segments_left"]
        );
        let mut route = [0u8; 40];
        route[1] = 4;
        route[8..10].copy_from_slice(&[0x20, 0x01]);
        let (cut, _) = cut_short(ProtoId::Ipv6Route, &route[..30]);
        assert_eq!(
            cut.field("addresses"),
            Some(&FieldValue::Ipv6List(vec!["2001::".parse().unwrap()]))
        );
        // Fragment: no field until whole.
        let (cut, note) = cut_short(ProtoId::Ipv6Frag, &long[..5]);
        assert_eq!(note, "IPv6 Fragment header needs 8 bytes, 5 captured");
        assert!(cut.fields.is_empty());
        assert_eq!(
            decode(ProtoId::Tcp, &long, 100, &mut None)
                .err()
                .unwrap()
                .to_string(),
            "TCP is not an IPv6 extension header"
        );
    }

    #[test]
    fn header_extra_bytes_are_not_consumed() {
        // A 16-byte capture of an 8-byte header: the rest is payload.
        let mut bytes = [0u8; 16];
        bytes[0] = 59;
        let d = decode(ProtoId::HopOpt, &bytes, 16, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 8, None));
        let Layer::HopOpt(rec) = d.layer else {
            panic!("not HOPOPT")
        };
        assert_eq!(rec.options.len(), 6); // six Pad1
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut bytes = [0xffu8; 64];
        for b1 in [0u8, 1, 6, 7, 0xff] {
            bytes[1] = b1;
            for proto in [
                ProtoId::HopOpt,
                ProtoId::Ipv6Opts,
                ProtoId::Ipv6Route,
                ProtoId::Ipv6Frag,
            ] {
                for rt in [0u8, 2, 3, 4] {
                    bytes[2] = rt;
                    for len in 0..=bytes.len() {
                        let _ = decode(proto, &bytes[..len], len.saturating_sub(3), &mut None);
                    }
                }
            }
        }
    }

    /// Through the walker: IPv6 → Hop-by-Hop → Fragment (later fragment) → Raw, payloads
    /// trimmed to the IPv6 payload length (the 2 trailing bytes are not part of it).
    #[test]
    fn walker_chains_extension_headers() {
        use crate::capture::RawFrame;
        use crate::engine::native::NativeDissector;
        use crate::engine::{DissectOptions, Dissector};
        use crate::model::{LinkType, Raw};

        let mut p = [0u8; 40 + 8 + 8 + 4 + 2];
        p[0] = 0x60;
        p[4..6].copy_from_slice(&20u16.to_be_bytes());
        p[6] = 0; // Hop-by-Hop
        p[7] = 64;
        p[40] = 44; // next: Fragment
        p[48..56].copy_from_slice(&[0x11, 0x00, 0x00, 0x19, 0x00, 0x00, 0x00, 0x07]);
        let dissect = |bytes: &[u8]| {
            let raw = RawFrame {
                number: 1,
                timestamp: None,
                len: bytes.len() as u32,
                link_type: LinkType::IPV6,
                interface: None,
                data: bytes,
            };
            NativeDissector.dissect(&raw, &DissectOptions::default())
        };
        let frame = dissect(&p);
        assert_eq!(frame.error, None);
        let protos: Vec<_> = frame.layers.iter().map(Layer::proto).collect();
        assert_eq!(
            protos,
            [
                ProtoId::Ipv6,
                ProtoId::HopOpt,
                ProtoId::Ipv6Frag,
                ProtoId::Raw
            ]
        );
        let Layer::Ipv6Frag(frag) = &frame.layers[2] else {
            panic!("not IPv6-Frag")
        };
        assert_eq!((frag.frag_offset, frag.mf, frag.id), (24, true, 7));
        assert_eq!((frag.header_len, frag.payload_len), (8, 4));
        assert_eq!(
            frame.layers[3],
            Layer::Raw(Raw {
                header_len: 0,
                payload_len: 4
            })
        );

        // The Fragment header cut by the IPv6 payload length: a partial layer (no field) and
        // an error at offset 48.
        p[4..6].copy_from_slice(&12u16.to_be_bytes());
        let frame = dissect(&p);
        assert_eq!(frame.layers.len(), 3);
        assert!(matches!(&frame.layers[2], Layer::Partial(cut) if cut.fields.is_empty()));
        let error = frame.error.unwrap();
        assert_eq!((error.layer, error.offset), (ProtoId::Ipv6Frag, 48));
        assert_eq!(
            error.reason,
            "IPv6 Fragment header needs 8 bytes, 4 captured"
        );
    }

    /// An IPv6 packet with `n` 8-byte Destination Options headers, then an empty UDP header.
    fn chain_of_options(n: usize) -> Vec<u8> {
        let payload = n * 8 + 8;
        let mut p = vec![0x60, 0, 0, 0];
        p.extend((payload as u16).to_be_bytes());
        p.extend([60, 64]);
        p.extend([0u8; 32]);
        for i in 0..n {
            let next = if i + 1 == n { 17 } else { 60 };
            p.extend([next, 0, 1, 4, 0, 0, 0, 0]);
        }
        p.extend([0x04, 0xd2, 0x16, 0x2e, 0x00, 0x08, 0x00, 0x00]);
        p
    }

    fn dissect_raw(data: &[u8]) -> crate::model::Frame {
        use crate::capture::RawFrame;
        use crate::engine::native::NativeDissector;
        use crate::engine::{DissectOptions, Dissector};
        let raw = RawFrame {
            number: 1,
            timestamp: None,
            len: data.len() as u32,
            link_type: crate::model::LinkType::RAW,
            interface: None,
            data,
        };
        NativeDissector.dissect(&raw, &DissectOptions::default())
    }

    #[test]
    fn long_extension_chains_are_not_capped_as_tunnels() {
        // 40 extension headers (more than the 32-layer tunnel cap) reach UDP.
        let f = dissect_raw(&chain_of_options(40));
        assert_eq!(f.error, None);
        assert_eq!(f.layers.len(), 42);
        assert_eq!(f.layers.last().map(|l| l.proto()), Some(ProtoId::Udp));
        // Past 256 the walk stops with an error.
        let f = dissect_raw(&chain_of_options(300));
        assert_eq!(f.layers.len(), 257);
        assert_eq!(
            f.error.unwrap().reason,
            "more than 256 IPv6 extension headers: dissection stopped"
        );
    }
}
