//! What the three crate adapters (etherparse, pnet, pdu) share: turning the values a crate
//! parsed into pcapkit's [`Layer`] records with the same lengths, next-protocol choice and
//! error rules as the native dissector.
//!
//! An adapter reads each field from its crate and calls one of these builders; the builders
//! never read the frame themselves except to structure bytes the crate handed over (an options
//! area, an ICMP message), which is still the crate's view of the packet.
//!
//! Each adapter uses its own subset of the builders: a build with only some of the adapter
//! features leaves the others' builders unused, which is expected.
#![cfg_attr(
    not(all(feature = "etherparse", feature = "pnet", feature = "pdu")),
    allow(dead_code, unused_imports)
)]

use super::native::{DecodeError, DecodeResult, Decoded, by_ethertype, by_ip_proto};
use super::native::{
    app, gre as ngre, icmp as nicmp, ipv4 as nipv4, ipv6_ext as next, tcp as ntcp,
};
use crate::model::{
    Ah, AnyAddr, Arp, Esp, EtherType, Ethernet, Gre, HexBytes, Icmp, Ipv4, Ipv6, Ipv6Frag,
    Ipv6Options, Ipv6Route, Layer, MacAddr, ProtoId, Sll, Sll2, SllPacketType, Tcp, TcpFlags,
    TcpOption, Udp, Vlan,
};
use std::net::{Ipv4Addr, Ipv6Addr};

/// `usize` to `u32`, saturating.
pub(crate) fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An error with the crate's own message.
pub(crate) fn crate_error(
    crate_name: &str,
    what: &str,
    err: impl std::fmt::Display,
) -> DecodeError {
    DecodeError::other(format!("{what}: {err} ({crate_name})"))
}

/// The first Ethertype that is a length (802.3): such frames are handed to native (LLC).
const MIN_ETHERTYPE: u16 = 0x0600;

/// An Ethernet II header; `None` for 802.3 frames (length field), which native decodes.
pub(crate) fn ethernet(
    src: [u8; 6],
    dst: [u8; 6],
    ether_type: u16,
    captured: usize,
) -> Option<DecodeResult> {
    if ether_type < MIN_ETHERTYPE {
        return None;
    }
    let payload_len = captured.saturating_sub(14);
    let ether_type = EtherType(ether_type);
    Some(Ok(Decoded {
        layer: Layer::Ethernet(Ethernet {
            src: MacAddr(src),
            dst: MacAddr(dst),
            ether_type,
            header_len: 14,
            payload_len: u32_of(payload_len),
        }),
        header_len: 14,
        payload_len,
        next: by_ethertype(ether_type),
    }))
}

/// One 802.1Q tag from its TCI and the Ethertype that follows.
pub(crate) fn vlan(tci: u16, ether_type: u16, captured: usize) -> DecodeResult {
    let ether_type = EtherType(ether_type);
    let payload_len = super::native::vlan::payload_len(ether_type, captured.saturating_sub(4));
    Ok(Decoded {
        layer: Layer::Vlan(Vlan {
            tci,
            pcp: (tci >> 13) as u8,
            dei: tci & 0x1000 != 0,
            vid: tci & 0x0fff,
            ether_type,
            header_len: 4,
            payload_len: u32_of(payload_len),
        }),
        header_len: 4,
        payload_len,
        next: by_ethertype(ether_type),
    })
}

/// The fields of a Linux cooked capture header (v1 or v2) as a crate read them.
pub(crate) struct SllFields<'b> {
    /// Packet type.
    pub packet_type: u16,
    /// ARPHRD_ device type.
    pub hatype: u16,
    /// The 8-byte address field.
    pub addr_field: &'b [u8],
    /// Address length as carried (the first `min(halen, 8)` bytes are the address).
    pub halen: usize,
    /// Protocol (an Ethertype for most device types).
    pub protocol: u16,
    /// Interface index (v2 only).
    pub interface_index: Option<u32>,
}

/// A Linux cooked capture header: v2 when `interface_index` is given. As in native, Netlink
/// devices and protocol values below 0x0600 (Linux pseudo-types) name no next protocol.
pub(crate) fn sll(f: SllFields<'_>, captured: usize) -> DecodeResult {
    let header_len = if f.interface_index.is_some() { 20 } else { 16 };
    let payload_len = captured.saturating_sub(header_len);
    let addr = AnyAddr(
        f.addr_field
            .get(..f.halen.min(8))
            .unwrap_or_default()
            .to_vec(),
    );
    let ether_type = EtherType(f.protocol);
    let next = if f.hatype == 824 || f.protocol < MIN_ETHERTYPE {
        None
    } else {
        by_ethertype(ether_type)
    };
    let (hl, pl) = (u32_of(header_len), u32_of(payload_len));
    let layer = match f.interface_index {
        Some(interface_index) => Layer::Sll2(Sll2 {
            ether_type,
            interface_index,
            hatype: f.hatype,
            packet_type: SllPacketType(f.packet_type),
            addr,
            header_len: hl,
            payload_len: pl,
        }),
        None => Layer::Sll(Sll {
            packet_type: SllPacketType(f.packet_type),
            hatype: f.hatype,
            addr,
            ether_type,
            header_len: hl,
            payload_len: pl,
        }),
    };
    Ok(Decoded {
        layer,
        header_len,
        payload_len,
        next,
    })
}

/// The fields of an ARP packet as a crate read them.
pub(crate) struct ArpFields<'b> {
    /// Hardware type.
    pub htype: u16,
    /// Protocol type.
    pub ptype: u16,
    /// Operation.
    pub opcode: u16,
    /// Sender hardware, sender protocol, target hardware, target protocol addresses.
    pub addrs: [&'b [u8]; 4],
}

/// An ARP (or RARP, by `proto`) packet.
pub(crate) fn arp(proto: ProtoId, f: ArpFields<'_>) -> DecodeResult {
    let [sha, spa, tha, tpa] = f.addrs;
    let header_len = 8 + 2 * sha.len() + 2 * spa.len();
    let record = Arp {
        htype: f.htype,
        ptype: EtherType(f.ptype),
        hlen: sha.len() as u8,
        plen: spa.len() as u8,
        opcode: f.opcode,
        sha: AnyAddr(sha.to_vec()),
        spa: AnyAddr(spa.to_vec()),
        tha: AnyAddr(tha.to_vec()),
        tpa: AnyAddr(tpa.to_vec()),
        header_len: u32_of(header_len),
        payload_len: 0,
    };
    Ok(Decoded {
        layer: if proto == ProtoId::Rarp {
            Layer::Rarp(Box::new(record))
        } else {
            Layer::Arp(Box::new(record))
        },
        header_len,
        payload_len: 0,
        next: None,
    })
}

/// The fields of an IPv4 header as a crate read them.
pub(crate) struct Ipv4Fields<'b> {
    /// IHL in 32-bit words.
    pub ihl: u8,
    /// TOS byte.
    pub tos: u8,
    /// Total length.
    pub total_len: u16,
    /// Identification.
    pub id: u16,
    /// DF flag.
    pub df: bool,
    /// MF flag.
    pub mf: bool,
    /// Fragment offset in bytes.
    pub frag_offset: u16,
    /// TTL.
    pub ttl: u8,
    /// Protocol number.
    pub proto: u8,
    /// Header checksum.
    pub checksum: u16,
    /// Source address.
    pub src: [u8; 4],
    /// Destination address.
    pub dst: [u8; 4],
    /// The options area.
    pub options: &'b [u8],
}

/// The checks pnet and pdu leave to the caller (etherparse makes them itself): IHL ≥ 5, the
/// whole header captured, total length (when not 0) at least the header.
pub(crate) fn check_ipv4(ihl: u8, total_len: u16, captured: usize) -> Result<(), DecodeError> {
    if ihl < 5 {
        return Err(DecodeError::other(format!("IPv4 IHL {ihl} < 5")));
    }
    let header_len = usize::from(ihl) * 4;
    if captured < header_len {
        return Err(DecodeError::truncated("IPv4 header", header_len, captured));
    }
    if total_len != 0 && usize::from(total_len) < header_len {
        return Err(DecodeError::other(format!(
            "IPv4 total length {total_len} < header length {header_len}"
        )));
    }
    Ok(())
}

/// An IPv4 header (already checked with [`check_ipv4`] or by the crate).
pub(crate) fn ipv4(f: Ipv4Fields<'_>, captured: usize) -> DecodeResult {
    let header_len = usize::from(f.ihl) * 4;
    let payload_len = if f.total_len == 0 {
        captured.saturating_sub(header_len)
    } else {
        usize::from(f.total_len).saturating_sub(header_len)
    };
    let next = if f.frag_offset == 0 {
        by_ip_proto(f.proto)
    } else {
        None
    };
    Ok(Decoded {
        layer: Layer::Ipv4(Ipv4 {
            version: 4,
            ihl: f.ihl,
            tos: f.tos,
            total_len: f.total_len,
            id: f.id,
            df: f.df,
            mf: f.mf,
            frag_offset: f.frag_offset,
            ttl: f.ttl,
            proto: f.proto,
            checksum: f.checksum,
            src: Ipv4Addr::from(f.src),
            dst: Ipv4Addr::from(f.dst),
            options: nipv4::parse_options(f.options),
            header_len: u32_of(header_len),
            payload_len: u32_of(payload_len),
        }),
        header_len,
        payload_len,
        next,
    })
}

/// The fields of an IPv6 fixed header as a crate read them.
pub(crate) struct Ipv6Fields {
    /// Traffic class.
    pub traffic_class: u8,
    /// Flow label.
    pub flow_label: u32,
    /// Payload length as carried.
    pub payload_len: u16,
    /// Next header.
    pub next_header: u8,
    /// Hop limit.
    pub hop_limit: u8,
    /// Source address.
    pub src: [u8; 16],
    /// Destination address.
    pub dst: [u8; 16],
}

/// An IPv6 fixed header (a jumbogram's payload is the captured rest, as in native).
pub(crate) fn ipv6(f: Ipv6Fields, captured: usize) -> DecodeResult {
    let payload_len = if f.payload_len == 0 && f.next_header == 0 {
        captured.saturating_sub(40)
    } else {
        usize::from(f.payload_len)
    };
    Ok(Decoded {
        layer: Layer::Ipv6(Ipv6 {
            version: 6,
            traffic_class: f.traffic_class,
            flow_label: f.flow_label,
            payload_len: u32_of(payload_len),
            next_header: f.next_header,
            hop_limit: f.hop_limit,
            src: Ipv6Addr::from(f.src),
            dst: Ipv6Addr::from(f.dst),
            header_len: 40,
        }),
        header_len: 40,
        payload_len,
        next: by_ip_proto(f.next_header),
    })
}

/// An IPv6 extension header from the whole header as the crate sliced it (`header`, its
/// length checked by the crate); `declared` is the length the IPv6 header leaves for it.
pub(crate) fn ipv6_ext(proto: ProtoId, header: &[u8], declared: usize) -> Option<DecodeResult> {
    let next_header = *header.first()?;
    let header_len = header.len();
    let payload_len = declared.saturating_sub(header_len);
    let (hl, pl) = (u32_of(header_len), u32_of(payload_len));
    let mut next = by_ip_proto(next_header);
    let layer = match proto {
        ProtoId::Ipv6Route => {
            let routing_type = *header.get(2)?;
            let addrs = header.get(8..).unwrap_or_default().chunks_exact(16);
            let take = match routing_type {
                0 => usize::MAX,
                2 => 1,
                4 => usize::from(*header.get(4)?) + 1,
                _ => 0,
            };
            let addresses = addrs
                .take(take)
                .filter_map(|c| <[u8; 16]>::try_from(c).ok().map(Ipv6Addr::from))
                .collect();
            Layer::Ipv6Route(Ipv6Route {
                next_header,
                routing_type,
                segments_left: *header.get(3)?,
                addresses,
                header_len: hl,
                payload_len: pl,
            })
        }
        ProtoId::Ipv6Frag => {
            let word = u16::from_be_bytes([*header.get(2)?, *header.get(3)?]);
            let id = u32::from_be_bytes(header.get(4..8)?.try_into().ok()?);
            let frag_offset = word & 0xfff8;
            if frag_offset != 0 {
                next = None;
            }
            Layer::Ipv6Frag(Ipv6Frag {
                next_header,
                frag_offset,
                mf: word & 1 != 0,
                id,
                header_len: hl,
                payload_len: pl,
            })
        }
        ProtoId::HopOpt | ProtoId::Ipv6Opts => {
            let record = Ipv6Options {
                next_header,
                options: next::parse_options(header.get(2..).unwrap_or_default()),
                header_len: hl,
                payload_len: pl,
            };
            if proto == ProtoId::HopOpt {
                Layer::HopOpt(record)
            } else {
                Layer::Ipv6Opts(record)
            }
        }
        _ => return None,
    };
    Some(Ok(Decoded {
        layer,
        header_len,
        payload_len,
        next,
    }))
}

/// The fields of a TCP header as a crate read them.
pub(crate) struct TcpFields {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Data offset in words.
    pub data_offset: u8,
    /// The nine flag bits.
    pub flags: u16,
    /// Window.
    pub window: u16,
    /// Checksum.
    pub checksum: u16,
    /// Urgent pointer.
    pub urgent: u16,
}

/// The TCP checks of native: data offset ≥ 5, not past the declared segment, header captured.
pub(crate) fn check_tcp(
    data_offset: u8,
    declared: usize,
    captured: usize,
) -> Result<(), DecodeError> {
    let header_len = usize::from(data_offset) * 4;
    if header_len < 20 {
        return Err(DecodeError::other(format!(
            "TCP data offset {data_offset} < 5"
        )));
    }
    if declared >= 20 && header_len > declared {
        return Err(DecodeError::other(format!(
            "TCP data offset {data_offset} ({header_len} bytes) past the segment ({declared} bytes)"
        )));
    }
    if captured < header_len {
        return Err(DecodeError::truncated("TCP header", header_len, captured));
    }
    Ok(())
}

/// TCP options from the crate's options area, structured like native's.
pub(crate) fn tcp_options(bytes: &[u8]) -> Vec<TcpOption> {
    ntcp::parse_options(bytes)
}

/// A TCP header (already checked with [`check_tcp`]); `data` is the segment from its header.
pub(crate) fn tcp(
    f: TcpFields,
    options: Vec<TcpOption>,
    data: &[u8],
    declared: usize,
) -> DecodeResult {
    let header_len = usize::from(f.data_offset) * 4;
    let payload_len = declared.saturating_sub(header_len);
    let end = header_len.saturating_add(payload_len).min(data.len());
    let payload = data.get(header_len..end).unwrap_or_default();
    Ok(Decoded {
        layer: Layer::Tcp(Tcp {
            src_port: f.src_port,
            dst_port: f.dst_port,
            seq: f.seq,
            ack: f.ack,
            data_offset: f.data_offset,
            flags: TcpFlags(f.flags),
            window: f.window,
            checksum: f.checksum,
            urgent: f.urgent,
            options,
            header_len: u32_of(header_len),
            payload_len: u32_of(payload_len),
        }),
        header_len,
        payload_len,
        next: app::after(ProtoId::Tcp, f.src_port, f.dst_port, payload, payload_len),
    })
}

/// A UDP header; `data` is the datagram from its header (at least 8 bytes).
pub(crate) fn udp(
    src_port: u16,
    dst_port: u16,
    len: u16,
    checksum: u16,
    data: &[u8],
) -> DecodeResult {
    if len < 8 {
        return Err(DecodeError::other(format!(
            "UDP length {len} < 8 (the header alone)"
        )));
    }
    let payload_len = usize::from(len) - 8;
    let end = usize::from(len).min(data.len());
    let payload = data.get(8..end).unwrap_or_default();
    Ok(Decoded {
        layer: Layer::Udp(Udp {
            src_port,
            dst_port,
            len,
            checksum,
            header_len: 8,
            payload_len: u32_of(payload_len),
        }),
        header_len: 8,
        payload_len,
        next: app::after(ProtoId::Udp, src_port, dst_port, payload, payload_len),
    })
}

/// The fields of an IP Authentication Header as a crate read them.
pub(crate) struct AhFields<'b> {
    /// Next header.
    pub next_header: u8,
    /// Payload length field (header length in 32-bit words, minus 2).
    pub len: u8,
    /// Reserved field.
    pub reserved: u16,
    /// Security parameters index.
    pub spi: u32,
    /// Sequence number.
    pub seq: u32,
    /// Integrity check value.
    pub icv: &'b [u8],
}

/// An IP Authentication Header; its length is the crate's (`(len + 2) · 4`, checked by it).
pub(crate) fn ah(f: AhFields<'_>, declared: usize) -> DecodeResult {
    let header_len = (usize::from(f.len) + 2) * 4;
    let payload_len = declared.saturating_sub(header_len);
    Ok(Decoded {
        layer: Layer::Ah(Ah {
            next_header: f.next_header,
            len: f.len,
            reserved: f.reserved,
            spi: f.spi,
            seq: f.seq,
            icv: HexBytes(f.icv.to_vec()),
            header_len: u32_of(header_len),
            payload_len: u32_of(payload_len),
        }),
        header_len,
        payload_len,
        next: by_ip_proto(f.next_header),
    })
}

/// An ESP header (SPI and sequence number; the rest is encrypted).
pub(crate) fn esp(spi: u32, seq: u32, declared: usize) -> DecodeResult {
    let payload_len = declared.saturating_sub(8);
    Ok(Decoded {
        layer: Layer::Esp(Esp {
            spi,
            seq,
            header_len: 8,
            payload_len: u32_of(payload_len),
        }),
        header_len: 8,
        payload_len,
        next: None,
    })
}

/// The fields of a GRE version 0 header without routing (RFC 2784/2890) as a crate read them.
pub(crate) struct GreFields {
    /// The flags-and-version word.
    pub flags: u16,
    /// Protocol type.
    pub ether_type: u16,
    /// Checksum and the reserved/offset word after it, when the C bit is set.
    pub checksum: Option<(u16, u16)>,
    /// Key, when the K bit is set.
    pub key: Option<u32>,
    /// Sequence number, when the S bit is set.
    pub seq: Option<u32>,
    /// Header length.
    pub header_len: usize,
}

/// A GRE version 0 header without routing; the payload is the captured rest, as in native.
pub(crate) fn gre(f: GreFields, captured: usize) -> DecodeResult {
    let payload_len = captured.saturating_sub(f.header_len);
    Ok(Decoded {
        layer: Layer::Gre(Gre {
            flags: f.flags,
            version: (f.flags & 0x0007) as u8,
            ether_type: EtherType(f.ether_type),
            checksum: f.checksum.map(|c| c.0),
            offset: f.checksum.map(|c| c.1),
            key: f.key,
            call_id: None,
            seq: f.seq,
            ack: None,
            header_len: u32_of(f.header_len),
            payload_len: u32_of(payload_len),
        }),
        header_len: f.header_len,
        payload_len,
        next: ngre::payload_protocol(f.ether_type, f.seq.is_some()),
    })
}

/// An ICMP (or ICMPv6) echo-like message from the type, code and checksum the crate read and
/// the message bytes it sliced (`msg`, at least 8 bytes); `None` for other types.
///
/// Native's ICMP records carry per-type bodies (timestamps, router entries, NDP options, MLD
/// records) and name the datagram quoted by error messages as the next protocol; the crates
/// give none of that (etherparse and pnet stop at bytes 5–8, pdu at the checksum), so only
/// echo request/reply and information request/reply, whose record is type, code, checksum,
/// `id` and `seq`, are decoded by the adapters; other types go to native.
pub(crate) fn icmp(
    v6: bool,
    kind: u8,
    code: u8,
    checksum: u16,
    msg: &[u8],
    declared: usize,
) -> Option<DecodeResult> {
    let echo = if v6 {
        matches!(kind, 128 | 129)
    } else {
        matches!(kind, 0 | 8 | 15 | 16)
    };
    if !echo {
        return None;
    }
    let be16 = |at: usize| {
        msg.get(at..)
            .and_then(|b| b.first_chunk())
            .map(|&b| u16::from_be_bytes(b))
    };
    let record = Icmp {
        kind,
        code,
        checksum,
        type_name: if v6 {
            nicmp::type_name_v6(kind)
        } else {
            nicmp::type_name_v4(kind)
        },
        id: be16(4),
        seq: be16(6),
        mtu: None,
        gateway: None,
        target: None,
        body: None,
        header_len: u32_of(msg.len().min(8)),
        payload_len: u32_of(declared.saturating_sub(8)),
    };
    Some(Ok(Decoded {
        layer: if v6 {
            Layer::Icmpv6(record)
        } else {
            Layer::Icmp(record)
        },
        header_len: 8,
        payload_len: declared.saturating_sub(8),
        next: None,
    }))
}

/// Test support: proof that an adapter decodes protocols itself (not through native).
#[cfg(test)]
pub(crate) mod testing {
    use crate::capture::RawFrame;
    use crate::engine::native::{LayerDecoder, NativeDissector};
    use crate::engine::{DissectOptions, Dissector};
    use crate::model::{Layer, LinkType, ProtoId};
    use std::collections::BTreeMap;

    /// The generated frames plus one with a VLAN tag and IPv4 options (all Ethernet).
    pub(crate) fn frames() -> Vec<(LinkType, Vec<u8>)> {
        let mut frames: Vec<Vec<u8>> = crate::synth::sample_conversation()
            .into_iter()
            .map(|f| f.data)
            .collect();
        frames.push(vlan_ipv4_options_udp());
        frames
            .into_iter()
            .map(|f| (LinkType::ETHERNET, f))
            .collect()
    }

    /// Every frame of every capture in `../shared/captures` (none when it is absent).
    pub(crate) fn capture_frames() -> Vec<(LinkType, Vec<u8>)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/captures");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        paths.retain(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".pcap") || name.ends_with(".pcapng")
        });
        paths.sort();
        let mut out = Vec::new();
        for path in paths {
            let Ok(mut reader) = crate::capture::CaptureReader::open(&path) else {
                continue;
            };
            while let Some(raw) = reader.next_frame() {
                out.push((raw.link_type, raw.data.to_vec()));
            }
        }
        out
    }

    /// Walks native's layers of every frame and asks `make()`'s decoder for each at the same
    /// place: wherever the adapter answers, its record must equal native's. Returns, per
    /// protocol, (layers the adapter decoded itself, layers native decoded).
    pub(crate) fn self_decoded<'f, D: LayerDecoder<'f>>(
        make: impl Fn() -> D,
        frames: &'f [(LinkType, Vec<u8>)],
    ) -> BTreeMap<ProtoId, (usize, usize)> {
        let mut seen = BTreeMap::new();
        for (link_type, data) in frames {
            let raw = RawFrame {
                number: 1,
                timestamp: None,
                len: data.len() as u32,
                link_type: *link_type,
                interface: None,
                data,
            };
            let native = NativeDissector.dissect(&raw, &DissectOptions::default());
            let mut decoder = make();
            let (mut rest, mut declared, mut offset): (&'f [u8], usize, usize) =
                (data, data.len(), 0);
            for layer in &native.layers {
                let proto = layer.proto();
                // Raw bytes, or a header cut short (the crates reject it; native keeps it).
                if proto == ProtoId::Raw || matches!(layer, Layer::Partial(_)) {
                    break;
                }
                let count = seen.entry(proto).or_insert((0, 0));
                count.1 += 1;
                if let Some(result) = decoder.decode(proto, rest, declared, offset) {
                    let decoded = result.unwrap_or_else(|e| panic!("{proto}: {e}"));
                    assert_eq!(&decoded.layer, layer, "{proto} at {offset}");
                    count.0 += 1;
                }
                let v = serde_json::to_value(layer).expect("serializes");
                let hl = v["header_len"].as_u64().unwrap_or(0) as usize;
                let pl = v["payload_len"].as_u64().unwrap_or(0) as usize;
                let start = hl.min(rest.len());
                let end = hl.saturating_add(pl).min(rest.len()).max(start);
                rest = &rest[start..end];
                declared = pl;
                offset += start;
            }
        }
        seen
    }

    /// Asserts that the adapter decoded every protocol of `expected` itself at least once
    /// in the generated frames, and at least `min_percent` of the IPv4, IPv6, TCP and UDP
    /// layers of the shared captures (when present). A macro: the decoder's lifetime is the
    /// frames', which live in the expansion.
    macro_rules! assert_coverage {
        ($name:expr, $make:expr, $expected:expr, $min_percent:expr $(,)?) => {{
            use $crate::engine::adapter::testing::{capture_frames, frames, self_decoded};
            let synth = frames();
            let seen = self_decoded($make, &synth);
            for proto in $expected {
                let (own, _) = seen.get(proto).copied().unwrap_or_default();
                assert!(own > 0, "{proto} not decoded by {}: {seen:?}", $name);
            }
            let captures = capture_frames();
            let seen = self_decoded($make, &captures);
            for proto in [ProtoId::Ipv4, ProtoId::Ipv6, ProtoId::Tcp, ProtoId::Udp] {
                let (own, all) = seen.get(&proto).copied().unwrap_or_default();
                eprintln!("{}: {proto} {own}/{all} decoded by the crate", $name);
                assert!(
                    own * 100 >= all * $min_percent,
                    "{}: {proto} {own}/{all}",
                    $name
                );
            }
        }};
    }
    pub(crate) use assert_coverage;

    /// An Ethernet frame: 802.1Q tag, IPv4 with a Router Alert option, UDP, 4 bytes of data.
    pub(crate) fn vlan_ipv4_options_udp() -> Vec<u8> {
        let mut f = vec![
            2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0x20, 0x0a, 0x08, 0x00,
        ];
        f.extend_from_slice(&[
            0x46, 0, 0, 36, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 148, 4, 0, 0,
        ]);
        f.extend_from_slice(&[0x30, 0x39, 0x00, 0x35, 0, 12, 0, 0, 1, 2, 3, 4]);
        f.extend_from_slice(&[0; 6]); // Ethernet padding
        f
    }
}
