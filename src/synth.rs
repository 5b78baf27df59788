//! Building frames from scratch: Ethernet, VLAN, ARP, IPv4, IPv6, TCP, UDP and ICMP with
//! correct lengths and checksums. Used to generate the repository's sample capture, test
//! inputs and benchmark inputs (so none of them is copied from elsewhere).

use crate::capture::PcapWriter;
use crate::model::{LinkType, MacAddr, Timestamp};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Ethertype numbers used by the builders.
pub mod ethertype {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// ARP.
    pub const ARP: u16 = 0x0806;
    /// 802.1Q VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// IPv6.
    pub const IPV6: u16 = 0x86dd;
}

/// An Ethernet II frame around `payload`, padded to the 60-byte minimum like a real NIC.
pub fn ethernet(dst: MacAddr, src: MacAddr, ether_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(14 + payload.len().max(46));
    frame.extend_from_slice(&dst.0);
    frame.extend_from_slice(&src.0);
    frame.extend_from_slice(&ether_type.to_be_bytes());
    frame.extend_from_slice(payload);
    if frame.len() < 60 {
        frame.resize(60, 0);
    }
    frame
}

/// An 802.1Q tag (priority `pcp`, VLAN `vid`) in front of a payload of `ether_type`.
pub fn vlan_tag(pcp: u8, vid: u16, ether_type: u16, payload: &[u8]) -> Vec<u8> {
    let tci = (u16::from(pcp & 7) << 13) | (vid & 0x0fff);
    let mut out = Vec::with_capacity(4 + payload.len());
    out.extend_from_slice(&tci.to_be_bytes());
    out.extend_from_slice(&ether_type.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// An Ethernet/IPv4 ARP packet (`opcode` 1 request, 2 reply).
pub fn arp(opcode: u16, sha: MacAddr, spa: Ipv4Addr, tha: MacAddr, tpa: Ipv4Addr) -> Vec<u8> {
    let mut out = Vec::with_capacity(28);
    out.extend_from_slice(&[0, 1, 8, 0, 6, 4]);
    out.extend_from_slice(&opcode.to_be_bytes());
    out.extend_from_slice(&sha.0);
    out.extend_from_slice(&spa.octets());
    out.extend_from_slice(&tha.0);
    out.extend_from_slice(&tpa.octets());
    out
}

/// Fields of an IPv4 header that the builder does not derive.
#[derive(Clone, Copy, Debug)]
pub struct Ipv4Fields {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Protocol number of the payload.
    pub proto: u8,
    /// Identification.
    pub id: u16,
    /// Time to live.
    pub ttl: u8,
    /// Don't Fragment.
    pub df: bool,
    /// More Fragments.
    pub mf: bool,
    /// Fragment offset in bytes (a multiple of 8).
    pub frag_offset: u16,
}

impl Ipv4Fields {
    /// A whole datagram (no fragment) with Don't Fragment set and a TTL of 64.
    pub fn unfragmented(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, id: u16) -> Ipv4Fields {
        Ipv4Fields {
            src,
            dst,
            proto,
            id,
            ttl: 64,
            df: true,
            mf: false,
            frag_offset: 0,
        }
    }
}

/// An IPv4 datagram (20-byte header with checksum) around `payload`.
pub fn ipv4(fields: Ipv4Fields, payload: &[u8]) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let flags = (u16::from(fields.df) << 14) | (u16::from(fields.mf) << 13);
    let mut out = Vec::with_capacity(total as usize);
    out.extend_from_slice(&[0x45, 0]);
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&fields.id.to_be_bytes());
    out.extend_from_slice(&(flags | (fields.frag_offset / 8)).to_be_bytes());
    out.extend_from_slice(&[fields.ttl, fields.proto, 0, 0]);
    out.extend_from_slice(&fields.src.octets());
    out.extend_from_slice(&fields.dst.octets());
    let sum = checksum(&[&out]);
    out[10..12].copy_from_slice(&sum.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// An IPv6 packet around `payload`; `next_header` names the payload's first header.
pub fn ipv6(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    next_header: u8,
    hop_limit: u8,
    payload: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(40 + payload.len());
    out.extend_from_slice(&0x6000_0000u32.to_be_bytes());
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(&[next_header, hop_limit]);
    out.extend_from_slice(&src.octets());
    out.extend_from_slice(&dst.octets());
    out.extend_from_slice(payload);
    out
}

/// An IPv6 Hop-by-Hop Options header (router alert + padding) in front of `next_header`.
pub fn ipv6_hop_by_hop(next_header: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![next_header, 0, 5, 2, 0, 0, 1, 0];
    out.extend_from_slice(payload);
    out
}

/// A TCP segment header's fields.
#[derive(Clone, Copy, Debug)]
pub struct TcpFields {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flag bits (as in [`crate::model::TcpFlags`]).
    pub flags: u16,
    /// Window.
    pub window: u16,
}

/// A TCP segment with `options` (padded to 4 bytes) and a checksum over the pseudo-header.
pub fn tcp(src: IpAddr, dst: IpAddr, fields: TcpFields, options: &[u8], payload: &[u8]) -> Vec<u8> {
    let options_len = options.len().div_ceil(4) * 4;
    let header_len = 20 + options_len;
    let mut out = Vec::with_capacity(header_len + payload.len());
    out.extend_from_slice(&fields.src_port.to_be_bytes());
    out.extend_from_slice(&fields.dst_port.to_be_bytes());
    out.extend_from_slice(&fields.seq.to_be_bytes());
    out.extend_from_slice(&fields.ack.to_be_bytes());
    let offset_flags = ((header_len as u16 / 4) << 12) | (fields.flags & 0x01ff);
    out.extend_from_slice(&offset_flags.to_be_bytes());
    out.extend_from_slice(&fields.window.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(options);
    out.resize(header_len, 0);
    out.extend_from_slice(payload);
    let sum = transport_checksum(src, dst, 6, &out);
    out[16..18].copy_from_slice(&sum.to_be_bytes());
    out
}

/// A UDP datagram with its checksum.
pub fn udp(src: IpAddr, dst: IpAddr, src_port: u16, dst_port: u16, payload: &[u8]) -> Vec<u8> {
    let len = (8 + payload.len()) as u16;
    let mut out = Vec::with_capacity(len as usize);
    out.extend_from_slice(&src_port.to_be_bytes());
    out.extend_from_slice(&dst_port.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(payload);
    let sum = match transport_checksum(src, dst, 17, &out) {
        0 => 0xffff,
        sum => sum,
    };
    out[6..8].copy_from_slice(&sum.to_be_bytes());
    out
}

/// An Ethernet frame (02:.. → 04:..) carrying an unfragmented IPv4/UDP datagram from
/// `from` to `to` (address, port) with `payload`, checksums filled in.
pub fn ethernet_ipv4_udp(from: (Ipv4Addr, u16), to: (Ipv4Addr, u16), payload: &[u8]) -> Vec<u8> {
    let udp = udp(IpAddr::V4(from.0), IpAddr::V4(to.0), from.1, to.1, payload);
    let fields = Ipv4Fields::unfragmented(from.0, to.0, 17, 1);
    ethernet(
        MacAddr([2; 6]),
        MacAddr([4; 6]),
        0x0800,
        &ipv4(fields, &udp),
    )
}

/// An ICMP (`v6 = false`) or ICMPv6 echo message; `reply` selects reply over request.
pub fn icmp_echo(src: IpAddr, dst: IpAddr, reply: bool, id: u16, seq: u16, data: &[u8]) -> Vec<u8> {
    let v6 = src.is_ipv6();
    let kind = match (v6, reply) {
        (false, false) => 8,
        (false, true) => 0,
        (true, false) => 128,
        (true, true) => 129,
    };
    let mut out = vec![kind, 0, 0, 0];
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(data);
    let sum = if v6 {
        transport_checksum(src, dst, 58, &out)
    } else {
        checksum(&[&out])
    };
    out[2..4].copy_from_slice(&sum.to_be_bytes());
    out
}

/// The Internet checksum (RFC 1071) over the concatenation of `parts`.
pub fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum = 0u64;
    let mut odd: Option<u8> = None;
    for part in parts {
        for &byte in *part {
            match odd.take() {
                Some(high) => sum += u64::from(u16::from_be_bytes([high, byte])),
                None => odd = Some(byte),
            }
        }
    }
    if let Some(high) = odd {
        sum += u64::from(u16::from_be_bytes([high, 0]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// TCP/UDP/ICMPv6 checksum over the IPv4 or IPv6 pseudo-header and `segment`.
fn transport_checksum(src: IpAddr, dst: IpAddr, proto: u8, segment: &[u8]) -> u16 {
    let len = segment.len() as u32;
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let mut pseudo = [0u8; 12];
            pseudo[..4].copy_from_slice(&s.octets());
            pseudo[4..8].copy_from_slice(&d.octets());
            pseudo[9] = proto;
            pseudo[10..].copy_from_slice(&(len as u16).to_be_bytes());
            checksum(&[&pseudo, segment])
        }
        _ => {
            let octets = |a: IpAddr| match a {
                IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
                IpAddr::V6(a) => a.octets(),
            };
            let mut pseudo = [0u8; 40];
            pseudo[..16].copy_from_slice(&octets(src));
            pseudo[16..32].copy_from_slice(&octets(dst));
            pseudo[32..36].copy_from_slice(&len.to_be_bytes());
            pseudo[39] = proto;
            checksum(&[&pseudo, segment])
        }
    }
}

/// One frame of a generated capture.
#[derive(Clone, Debug)]
pub struct SynthFrame {
    /// Capture time.
    pub timestamp: Timestamp,
    /// Length on the wire (larger than `data` when the snap length cut the frame).
    pub orig_len: u32,
    /// Captured bytes.
    pub data: Vec<u8>,
}

/// The repository's sample capture: a small LAN conversation touching every protocol the
/// native dissector decodes (ARP, VLAN, IPv4 with a fragment pair, IPv6 with a hop-by-hop
/// header, TCP handshake, HTTP request and a response over two segments, UDP, ICMP, ICMPv6)
/// and one frame cut by the snap length.
pub fn sample_conversation() -> Vec<SynthFrame> {
    let client_mac = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
    let server_mac = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x02]);
    let broadcast = MacAddr([0xff; 6]);
    let client = Ipv4Addr::new(192, 168, 1, 10);
    let server = Ipv4Addr::new(192, 168, 1, 80);
    let client6: Ipv6Addr = "2001:db8::10".parse().unwrap_or(Ipv6Addr::LOCALHOST);
    let server6: Ipv6Addr = "2001:db8::80".parse().unwrap_or(Ipv6Addr::LOCALHOST);
    let (c, s) = (IpAddr::V4(client), IpAddr::V4(server));
    let v4 = |src: Ipv4Addr, dst: Ipv4Addr, proto: u8, id: u16, payload: &[u8]| {
        ipv4(Ipv4Fields::unfragmented(src, dst, proto, id), payload)
    };
    let to_server = |payload: &[u8]| ethernet(server_mac, client_mac, ethertype::IPV4, payload);
    let to_client = |payload: &[u8]| ethernet(client_mac, server_mac, ethertype::IPV4, payload);
    let seg = |src_port, dst_port, seq, ack, flags| TcpFields {
        src_port,
        dst_port,
        seq,
        ack,
        flags,
        window: 64240,
    };
    const SYN: u16 = 0x02;
    const ACK: u16 = 0x10;
    const PSH_ACK: u16 = 0x18;
    const FIN_ACK: u16 = 0x11;
    let syn_options = [
        2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
    ];
    let request = b"GET /index.html HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: pcapkit-sample/1.0\r\nAccept: */*\r\n\r\n";
    let body = b"<html><body><h1>pcapkit sample</h1><p>".repeat(20);
    let response_head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
        body.len() + 16
    );
    let mut response = response_head.into_bytes();
    response.extend_from_slice(&body);
    response.extend_from_slice(b"</p></body></html>"[..16].as_ref());
    let (first, second) = response.split_at(600);
    let dns_query = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07example\x04test\x00\x00\x01\x00\x01";

    let mut frames: Vec<Vec<u8>> = vec![
        ethernet(
            broadcast,
            client_mac,
            ethertype::ARP,
            &arp(1, client_mac, client, MacAddr([0; 6]), server),
        ),
        ethernet(
            client_mac,
            server_mac,
            ethertype::ARP,
            &arp(2, server_mac, server, client_mac, client),
        ),
        to_server(&v4(client, server, 17, 1, &udp(c, s, 53001, 53, dns_query))),
        to_server(&v4(
            client,
            server,
            6,
            2,
            &tcp(c, s, seg(49152, 80, 1000, 0, SYN), &syn_options, &[]),
        )),
        to_client(&v4(
            server,
            client,
            6,
            7,
            &tcp(
                s,
                c,
                seg(80, 49152, 5000, 1001, SYN | ACK),
                &syn_options,
                &[],
            ),
        )),
        to_server(&v4(
            client,
            server,
            6,
            3,
            &tcp(c, s, seg(49152, 80, 1001, 5001, ACK), &[], &[]),
        )),
        to_server(&v4(
            client,
            server,
            6,
            4,
            &tcp(c, s, seg(49152, 80, 1001, 5001, PSH_ACK), &[], request),
        )),
        to_client(&v4(
            server,
            client,
            6,
            8,
            &tcp(
                s,
                c,
                seg(80, 49152, 5001, 1001 + request.len() as u32, ACK),
                &[],
                first,
            ),
        )),
        to_client(&v4(
            server,
            client,
            6,
            9,
            &tcp(
                s,
                c,
                seg(80, 49152, 5601, 1001 + request.len() as u32, PSH_ACK),
                &[],
                second,
            ),
        )),
        to_server(&v4(
            client,
            server,
            6,
            5,
            &tcp(
                c,
                s,
                seg(
                    49152,
                    80,
                    1001 + request.len() as u32,
                    5001 + response.len() as u32,
                    FIN_ACK,
                ),
                &[],
                &[],
            ),
        )),
        to_server(&v4(
            client,
            server,
            1,
            6,
            &icmp_echo(c, s, false, 0x4242, 1, b"pcapkit ping"),
        )),
        to_client(&v4(
            server,
            client,
            1,
            10,
            &icmp_echo(s, c, true, 0x4242, 1, b"pcapkit ping"),
        )),
    ];
    // A VLAN-tagged UDP datagram.
    let tagged = vlan_tag(
        3,
        100,
        ethertype::IPV4,
        &v4(client, server, 17, 11, &udp(c, s, 40000, 9999, b"tagged")),
    );
    frames.push(ethernet(server_mac, client_mac, ethertype::VLAN, &tagged));
    // An IPv4 UDP datagram in two fragments.
    let big = udp(c, s, 40001, 9999, &[0x5a; 1600]);
    let (head, tail) = big.split_at(1480);
    for (offset, part, mf) in [(0u16, head, true), (1480, tail, false)] {
        let fields = Ipv4Fields {
            src: client,
            dst: server,
            proto: 17,
            id: 0x7777,
            ttl: 64,
            df: false,
            mf,
            frag_offset: offset,
        };
        frames.push(to_server(&ipv4(fields, part)));
    }
    // IPv6: hop-by-hop header then ICMPv6 echo; then TCP SYN.
    let (c6, s6) = (IpAddr::V6(client6), IpAddr::V6(server6));
    let echo6 = icmp_echo(c6, s6, false, 7, 1, b"pcapkit ping6");
    frames.push(ethernet(
        server_mac,
        client_mac,
        ethertype::IPV6,
        &ipv6(client6, server6, 0, 64, &ipv6_hop_by_hop(58, &echo6)),
    ));
    let syn6 = tcp(c6, s6, seg(49153, 8080, 77, 0, SYN), &syn_options, &[]);
    frames.push(ethernet(
        server_mac,
        client_mac,
        ethertype::IPV6,
        &ipv6(client6, server6, 6, 64, &syn6),
    ));

    let mut out: Vec<SynthFrame> = frames
        .into_iter()
        .enumerate()
        .map(|(i, data)| SynthFrame {
            timestamp: Timestamp::new(
                1_700_000_000 + i as i64 / 4,
                (i as u64 % 4) * 250_000_000 + 123_000,
            ),
            orig_len: data.len() as u32,
            data,
        })
        .collect();
    // The last frame as a 64-byte snap length would have captured it: TCP header cut.
    if let Some(last) = out.last().cloned() {
        let mut cut = last;
        cut.timestamp = Timestamp::new(cut.timestamp.secs + 1, 0);
        cut.data.truncate(64);
        out.push(cut);
    }
    out
}

/// [`sample_conversation`] as the bytes of a classic pcap (Ethernet, µs, snap length 65535).
pub fn sample_pcap() -> io::Result<Vec<u8>> {
    let mut writer = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 65535, false)?;
    for frame in sample_conversation() {
        writer.write_frame(frame.timestamp, frame.orig_len, &frame.data)?;
    }
    Ok(writer.into_inner())
}
