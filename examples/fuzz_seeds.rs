//! Writes the seed corpora of the fuzz targets (`fuzz/`) from pcapkit's own builders:
//! `cargo run --example fuzz_seeds [DIR]` (default `fuzz/corpus`). Seeds are generated, never
//! committed.
//!
//! - `capture_reader/`: whole captures: classic pcap (µs and ns, both byte orders, Kuznetzov's
//!   modified format) and pcapng (both byte orders; EPB, SPB, obsolete PB, options, two
//!   sections, an unknown block).
//! - `dissect/` and `dump/`: one frame each, prefixed with the byte that selects its link type
//!   (`fuzz/fuzz_targets/link_types.rs`): the sample conversation on Ethernet, raw IP, Linux
//!   SLL and BSD Null, and hand-built frames of the newer decoders (Radiotap, PPI, 802.11, Frame
//!   Relay, Cisco HDLC, IPoIB, ARCNET, PPP; MPLS, VXLAN, GENEVE, GRE/ERSPAN, Teredo, GTP-U, PIM,
//!   SCTP, DHCP, DHCPv6, NTP, DNS, TLS, QUIC, SIP, pipelined HTTP).
//! - `stages/`: the sample capture whole, and framed runs (`fuzz/fuzz_targets/stages.rs`) of IP
//!   fragments (out of order, overlapping, IPv6) and TCP streams (out of order, retransmitted,
//!   wrapping at 2^32, pipelined HTTP), UDP conversations.

#[path = "../tests/common/mod.rs"]
mod common;

#[path = "../fuzz/fuzz_targets/link_types.rs"]
mod link_types;

use common::{Ng, Pcap};
use pcapkit::model::{LinkType, MacAddr};
use pcapkit::synth::{self, Ipv4Fields, TcpFields};
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::write(dir.join(name), bytes)
}

fn main() -> std::io::Result<()> {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".to_owned()),
    );
    let frames = pcapkit::synth::sample_conversation();

    let reader = root.join("capture_reader");
    for (name, big_endian, nanos) in [
        ("us-le.pcap", false, false),
        ("ns-le.pcap", false, true),
        ("us-be.pcap", true, false),
        ("ns-be.pcap", true, true),
    ] {
        let mut pcap = Pcap::new(big_endian, nanos, 1, 65535);
        for f in &frames {
            pcap = pcap.record(f.timestamp.secs as u32, 7, f.orig_len, &f.data);
        }
        write(&reader, name, &pcap.bytes())?;
    }
    let mut modified = Pcap::modified(1, 65535);
    for f in frames.iter().take(4) {
        modified = modified.record(1, 2, f.orig_len, &f.data);
    }
    write(&reader, "modified.pcap", &modified.bytes())?;
    for (name, big_endian) in [("le.pcapng", false), ("be.pcapng", true)] {
        let mut ng = Ng::new(big_endian).idb(1, 0, &[Ng::tsresol(9)]);
        let offset = ng.tsoffset(-3);
        ng = ng.idb(101, 128, &[Ng::tsresol(0x86), offset]);
        for (i, f) in frames.iter().enumerate() {
            ng = ng.epb(
                0,
                i as u64 * 1000,
                f.orig_len,
                &f.data,
                &[(1, b"comment".to_vec())],
            );
        }
        let ip = frames
            .get(2)
            .map_or(&[][..], |f| f.data.get(14..).unwrap_or_default());
        ng = ng
            .epb(1, 5, ip.len() as u32, ip, &[])
            .spb(60, &frames[0].data)
            .opb(0, 9, 60, &frames[1].data)
            .block(0x0bad_cafe, b"unknown")
            .shb(!big_endian, 1, 0, &[(4, b"second section".to_vec())])
            .idb(1, 0, &[])
            .epb(0, 1, 60, &frames[0].data, &[]);
        write(&reader, name, &ng.bytes())?;
    }

    let mut all = common::generated_frames();
    all.extend(new_protocol_frames());
    for (i, (link_type, data)) in all.iter().enumerate() {
        let selector = link_types::selector(link_type.0).expect("a link type of the table");
        let mut seed = vec![selector];
        seed.extend_from_slice(data);
        for target in ["dissect", "dump"] {
            write(&root.join(target), &format!("frame-{i:03}"), &seed)?;
        }
    }

    let stages = root.join("stages");
    write(&stages, "sample.pcap", &fs::read("samples/sample.pcap")?)?;
    for (name, seed) in stage_runs() {
        write(&stages, name, &seed)?;
    }
    println!("wrote the seed corpora under {}", root.display());
    Ok(())
}

const A4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const A6: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
const B6: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 2);
const MAC_A: MacAddr = MacAddr([2, 0, 0, 0, 0, 1]);
const MAC_B: MacAddr = MacAddr([2, 0, 0, 0, 0, 2]);

fn ip4(proto: u8, payload: &[u8]) -> Vec<u8> {
    ip4_frag(proto, 1, false, 0, payload)
}

fn ip4_frag(proto: u8, id: u16, mf: bool, frag_offset: u16, payload: &[u8]) -> Vec<u8> {
    let fields = Ipv4Fields {
        src: A4,
        dst: B4,
        proto,
        id,
        ttl: 64,
        df: false,
        mf,
        frag_offset,
    };
    synth::ipv4(fields, payload)
}

fn udp4(src_port: u16, dst_port: u16, payload: &[u8]) -> Vec<u8> {
    ip4(
        17,
        &synth::udp(A4.into(), B4.into(), src_port, dst_port, payload),
    )
}

fn udp6(src_port: u16, dst_port: u16, payload: &[u8]) -> Vec<u8> {
    let udp = synth::udp(A6.into(), B6.into(), src_port, dst_port, payload);
    synth::ipv6(A6, B6, 17, 64, &udp)
}

fn tcp4(reverse: bool, src_port: u16, dst_port: u16, seq: u32, flags: u16, data: &[u8]) -> Vec<u8> {
    let (src, dst, sp, dp) = if reverse {
        (B4, A4, dst_port, src_port)
    } else {
        (A4, B4, src_port, dst_port)
    };
    let fields = TcpFields {
        src_port: sp,
        dst_port: dp,
        seq,
        ack: 1,
        flags,
        window: 65535,
    };
    let segment = synth::tcp(IpAddr::V4(src), IpAddr::V4(dst), fields, &[], data);
    let mut ip = ip4(6, &segment);
    if reverse {
        ip[12..16].copy_from_slice(&B4.octets());
        ip[16..20].copy_from_slice(&A4.octets());
        ip[10..12].copy_from_slice(&[0, 0]);
        let sum = synth::checksum(&[&ip[..20]]);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
    }
    ip
}

fn eth(ether_type: u16, payload: &[u8]) -> Vec<u8> {
    synth::ethernet(MAC_B, MAC_A, ether_type, payload)
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// An 802.11 data frame (to the AP) with an LLC/SNAP header around an IPv4 packet.
fn wlan_data(ip: &[u8]) -> Vec<u8> {
    let mut out = vec![0x08, 0x01, 0x2c, 0x00];
    out.extend_from_slice(&MAC_B.0);
    out.extend_from_slice(&MAC_A.0);
    out.extend_from_slice(&MAC_B.0);
    out.extend_from_slice(&[0x10, 0x00]);
    out.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
    out.extend_from_slice(ip);
    out
}

/// An 802.11 beacon with an SSID and a rates element.
fn wlan_beacon() -> Vec<u8> {
    let mut out = vec![0x80, 0x00, 0x00, 0x00];
    out.extend_from_slice(&[0xff; 6]);
    out.extend_from_slice(&MAC_A.0);
    out.extend_from_slice(&MAC_A.0);
    out.extend_from_slice(&[0x20, 0x00]);
    out.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 0x64, 0x00, 0x01, 0x04]);
    out.extend_from_slice(&[0, 4, b'f', b'u', b'z', b'z', 1, 2, 0x82, 0x84]);
    out
}

fn tls_client_hello() -> Vec<u8> {
    let sni = b"example.com";
    let mut sni_ext = vec![0, 0];
    let list_len = 3 + sni.len();
    sni_ext.extend_from_slice(&((list_len + 2) as u16).to_be_bytes());
    sni_ext.extend_from_slice(&(list_len as u16).to_be_bytes());
    sni_ext.push(0);
    sni_ext.extend_from_slice(&(sni.len() as u16).to_be_bytes());
    sni_ext.extend_from_slice(sni);
    let alpn = [0, 16, 0, 5, 0, 3, 2, b'h', b'2'];
    let mut body = vec![3, 3];
    body.extend_from_slice(&[7; 32]);
    body.push(0);
    body.extend_from_slice(&[0, 4, 0x13, 0x01, 0xc0, 0x2f, 1, 0]);
    let ext_len = sni_ext.len() + alpn.len();
    body.extend_from_slice(&(ext_len as u16).to_be_bytes());
    body.extend_from_slice(&sni_ext);
    body.extend_from_slice(&alpn);
    let mut hs = vec![1, 0];
    hs.extend_from_slice(&(body.len() as u16).to_be_bytes());
    hs.extend_from_slice(&body);
    let mut record = vec![0x16, 3, 1];
    record.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    record.extend_from_slice(&hs);
    record
}

fn quic_initial() -> Vec<u8> {
    let mut out = vec![0xc3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0];
    let payload_len = 1200 - out.len() - 2;
    out.extend_from_slice(&(0x4000 | payload_len as u16).to_be_bytes());
    out.resize(1200, 0x5a);
    out
}

fn dhcp_discover() -> Vec<u8> {
    let mut out = vec![1, 1, 6, 0, 0x39, 0x03, 0xf3, 0x26];
    out.resize(28, 0);
    out.extend_from_slice(&MAC_A.0);
    out.resize(236, 0);
    out.extend_from_slice(&[
        0x63, 0x82, 0x53, 0x63, 53, 1, 1, 12, 4, b'h', b'o', b's', b't',
    ]);
    out.extend_from_slice(&[55, 3, 1, 3, 6, 255]);
    out
}

fn sctp() -> Vec<u8> {
    let mut out = vec![0x0b, 0x59, 0x0b, 0x59, 0, 0, 0, 0, 0, 0, 0, 0];
    // INIT
    out.extend_from_slice(&[
        1, 0, 0, 20, 0, 0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 1,
    ]);
    // DATA, 4 bytes of user data
    out.extend_from_slice(&[
        0, 3, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, b'd', b'a', b't', b'a',
    ]);
    out
}

fn sip() -> Vec<u8> {
    b"INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n\
From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: 1@10.0.0.1\r\n\
CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n"
        .to_vec()
}

fn dns_query() -> Vec<u8> {
    let mut out = vec![0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    out.extend_from_slice(b"\x07example\x03com\x00\x00\x01\x00\x01");
    out
}

/// Frames of the decoders that came after the first fuzz runs.
fn new_protocol_frames() -> Vec<(LinkType, Vec<u8>)> {
    let udp_ip = udp4(1234, 5678, b"payload");
    let inner = eth(0x0800, &udp_ip);
    let wlan = wlan_data(&udp_ip);
    let mut out = vec![
        (LinkType(127), cat(&[&[0, 0, 8, 0, 0, 0, 0, 0], &wlan])),
        // Radiotap with flags, rate, channel and antenna signal present.
        (
            LinkType(127),
            cat(&[
                &[0, 0, 16, 0, 0x2e, 0, 0, 0, 0x10, 0x02, 0x6c, 0x09, 0xa0, 0x00, 0xc4, 0x00],
                &wlan,
            ]),
        ),
        (LinkType(127), cat(&[&[0, 0, 8, 0, 0, 0, 0, 0], &wlan_beacon()])),
        (LinkType(192), cat(&[&[0, 0, 8, 0, 105, 0, 0, 0], &wlan])),
        (LinkType(105), wlan.clone()),
        (LinkType(105), wlan_beacon()),
        (LinkType(107), cat(&[&[0x18, 0x41, 0x03, 0xcc], &udp_ip])),
        (LinkType(104), cat(&[&[0x0f, 0x00, 0x08, 0x00], &udp_ip])),
        (LinkType(242), cat(&[&[0x08, 0x00, 0x00, 0x00], &udp_ip])),
        (LinkType(129), cat(&[&[0x01, 0x02, 0xd4], &udp_ip])),
        (LinkType(129), cat(&[&[0x01, 0x02, 0x00, 0x00, 0xd4, 0x00, 0x00, 0x00], &udp_ip])),
        (LinkType(9), cat(&[&[0xff, 0x03, 0x00, 0x21], &udp_ip])),
        (LinkType(50), cat(&[&[0xff, 0x03, 0x00, 0x21], &udp_ip])),
        // MPLS, two labels.
        (
            LinkType::ETHERNET,
            eth(0x8847, &cat(&[&[0, 0x06, 0x40, 0x40, 0, 0x06, 0x51, 0x40], &udp_ip])),
        ),
        (
            LinkType::ETHERNET,
            eth(0x0800, &udp4(4789, 4789, &cat(&[&[8, 0, 0, 0, 0, 0, 42, 0], &inner]))),
        ),
        (
            LinkType::ETHERNET,
            eth(
                0x0800,
                &udp4(6081, 6081, &cat(&[&[1, 0, 0x65, 0x58, 0, 0, 42, 0, 0x01, 0x02, 0x80, 1, 1, 2, 3, 4], &inner])),
            ),
        ),
        // GRE (sequence) with ERSPAN type II.
        (
            LinkType::ETHERNET,
            eth(
                0x0800,
                &ip4(47, &cat(&[&[0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0x64, 0x00, 0x07, 0, 0, 0, 5], &inner])),
            ),
        ),
        // GRE carrying IPv4.
        (
            LinkType::ETHERNET,
            eth(0x0800, &ip4(47, &cat(&[&[0x00, 0x00, 0x08, 0x00], &udp_ip]))),
        ),
        (
            LinkType::ETHERNET,
            eth(0x0800, &udp4(3544, 3544, &udp6(1, 2, b"teredo"))),
        ),
        (
            LinkType::ETHERNET,
            eth(
                0x0800,
                &udp4(2152, 2152, &cat(&[&[0x30, 0xff], &(udp_ip.len() as u16).to_be_bytes(), &[0, 0, 0, 9], &udp_ip])),
            ),
        ),
        // PIM register around an IPv4 packet, and a PIM hello.
        (LinkType::ETHERNET, eth(0x0800, &ip4(103, &cat(&[&[0x21, 0, 0, 0, 0, 0, 0, 0], &udp_ip])))),
        (LinkType::ETHERNET, eth(0x0800, &ip4(103, &[0x20, 0, 0, 0, 0, 1, 0, 2, 0, 105]))),
        (LinkType::ETHERNET, eth(0x0800, &ip4(132, &sctp()))),
        (LinkType::ETHERNET, eth(0x0800, &udp4(68, 67, &dhcp_discover()))),
        (
            LinkType::ETHERNET,
            eth(0x86dd, &udp6(546, 547, &[1, 0, 0, 1, 0, 1, 0, 10, 0, 3, 0, 1, 2, 0, 0, 0, 0, 1, 0, 6, 0, 2, 0, 23, 0, 24])),
        ),
        (
            LinkType::ETHERNET,
            eth(0x0800, &udp4(123, 123, &cat(&[&[0x23, 2, 6, 0xec], &[0; 44]]))),
        ),
        (LinkType::ETHERNET, eth(0x0800, &udp4(5353, 53, &dns_query()))),
        (LinkType::ETHERNET, eth(0x0800, &tcp4(false, 50000, 443, 1, 0x18, &tls_client_hello()))),
        (LinkType::ETHERNET, eth(0x0800, &udp4(50000, 443, &quic_initial()))),
        (LinkType::ETHERNET, eth(0x0800, &udp4(5060, 5060, &sip()))),
        (
            LinkType::ETHERNET,
            eth(
                0x0800,
                &tcp4(false, 50001, 80, 1, 0x18, b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"),
            ),
        ),
        (
            LinkType::ETHERNET,
            eth(
                0x0800,
                &tcp4(true, 50001, 80, 1, 0x18, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
            ),
        ),
        // Prism (type 0x41 codes, little-endian, header only then 802.11 data).
        (LinkType(119), cat(&[&prism_header(), &wlan])),
        // Solaris IPNET carrying IPv4.
        (
            LinkType(226),
            cat(&[&[1, 2, 0, 2], &(udp_ip.len() as u32).to_be_bytes(), &[0; 16], &udp_ip]),
        ),
        // Arista AVSP (64-bit timestamp) carrying IPv4.
        (
            LinkType::ETHERNET,
            eth(0xd28b, &cat(&[&[0, 1, 0, 0x10, 0x5c, 0xef, 0, 0, 0, 0, 0x03, 0xe7, 0x08, 0x00], &udp_ip])),
        ),
        // MPLS after PPP, MPLS in IPv4 (protocol 137), ESP in UDP 4500, MH as protocol 62.
        (LinkType(9), cat(&[&[0xff, 0x03, 0x02, 0x81, 0x00, 0x01, 0x01, 0x40], &udp_ip])),
        (LinkType::ETHERNET, eth(0x0800, &ip4(137, &cat(&[&[0x00, 0x01, 0x01, 0x40], &udp_ip])))),
        (
            LinkType::ETHERNET,
            eth(0x0800, &udp4(4500, 4500, &[1, 2, 3, 4, 0, 0, 0, 5, 9, 9, 9, 9, 9, 9, 9, 9])),
        ),
        (LinkType::IPV6, ipv6_mh62()),
    ];
    // The same IP packets on the raw-IP and IPv4 link types.
    out.push((
        LinkType::RAW,
        udp4(4789, 4789, &cat(&[&[8, 0, 0, 0, 0, 0, 42, 0], &inner])),
    ));
    out.push((LinkType::IPV4, ip4(132, &sctp())));
    out.push((LinkType::IPV6, udp6(546, 547, &[1, 0, 0, 1])));
    out
}

/// A Prism header (link type 119): message code 0x41, length 144, device name, ten items.
fn prism_header() -> Vec<u8> {
    let mut h = cat(&[
        &0x41u32.to_le_bytes(),
        &144u32.to_le_bytes(),
        b"wlan0\0\0\0\0\0\0\0\0\0\0\0",
    ]);
    for i in 1u32..=10 {
        h.extend(((i << 12) | 0x41).to_le_bytes());
        h.extend([0, 0, 4, 0]);
        h.extend((i * 10).to_le_bytes());
    }
    h
}

/// IPv6 with next header 62 (the Mobility Header's draft number): a Binding Refresh Request.
fn ipv6_mh62() -> Vec<u8> {
    let mut p = vec![0x60, 0, 0, 0, 0, 8, 62, 64];
    p.extend([0u8; 32]);
    p.extend([59, 0, 0, 0, 0, 0, 0, 0]);
    p
}

/// A `stages` seed: link type selector, option flags, then `[delta][len][bytes]` frames.
fn run(link_type: LinkType, flags: u8, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![
        link_types::selector(link_type.0).expect("a link type of the table"),
        flags,
    ];
    for frame in frames {
        out.push(1);
        out.extend_from_slice(&(frame.len() as u16).to_be_bytes());
        out.extend_from_slice(frame);
    }
    out
}

/// An IPv6 fragment (fragment header by hand) of a UDP datagram.
fn ip6_frag(id: u32, offset: u16, more: bool, data: &[u8]) -> Vec<u8> {
    let mut header = vec![17, 0];
    header.extend_from_slice(&(offset | u16::from(more)).to_be_bytes());
    header.extend_from_slice(&id.to_be_bytes());
    header.extend_from_slice(data);
    synth::ipv6(A6, B6, 44, 64, &header)
}

fn stage_runs() -> Vec<(&'static str, Vec<u8>)> {
    let body: Vec<u8> = (0..64u8).collect();
    let udp = synth::udp(A4.into(), B4.into(), 1000, 2000, &body);
    let frag = |id, mf, off: u16| {
        ip4_frag(
            17,
            id,
            mf,
            off,
            &udp[off as usize..(off as usize + 24).min(udp.len())],
        )
    };
    let ip_frags = vec![
        frag(7, true, 24),
        frag(7, true, 0),
        // An overlapping fragment, then the last one, then a duplicate.
        ip4_frag(17, 7, true, 16, &udp[16..40]),
        frag(7, false, 48),
        frag(7, true, 24),
        // A second datagram that never completes.
        frag(8, true, 24),
    ];
    let udp6 = synth::udp(A6.into(), B6.into(), 1000, 2000, &body);
    let ip6_frags = vec![
        ip6_frag(9, 40, false, &udp6[40..]),
        ip6_frag(9, 0, true, &udp6[..24]),
        ip6_frag(9, 16, true, &udp6[16..40]),
    ];
    let isn = u32::MAX - 20;
    let client = |off: u32, data: &[u8]| tcp4(false, 40000, 80, isn.wrapping_add(off), 0x18, data);
    let request = b"GET / HTTP/1.1\r\n";
    let tcp = vec![
        tcp4(false, 40000, 80, isn, 0x02, b""),
        tcp4(true, 40000, 80, 5000, 0x12, b""),
        // Out of order: the second segment first; the stream wraps past 2^32.
        client(17, b"Host: example\r\n\r\n"),
        client(1, request),
        // A retransmission, and an overlapping one.
        client(1, request),
        client(9, b"HTTP/1.1\r\nHost"),
        tcp4(
            true,
            40000,
            80,
            5001,
            0x18,
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        ),
        tcp4(false, 40000, 80, isn.wrapping_add(35), 0x11, b""),
        tcp4(true, 40000, 80, 5001 + 43, 0x11, b""),
        // A new connection reusing the ports, with a RST.
        tcp4(false, 40000, 80, 77, 0x02, b""),
        tcp4(true, 40000, 80, 0, 0x04, b""),
    ];
    let udp_flows: Vec<Vec<u8>> = (0..6u16)
        .map(|i| udp4(3000 + i % 3, 53, &dns_query()))
        .collect();
    let ethernet = |frames: &[Vec<u8>]| -> Vec<Vec<u8>> {
        frames
            .iter()
            .map(|f| eth(if f[0] >> 4 == 6 { 0x86dd } else { 0x0800 }, f))
            .collect()
    };
    let mut mixed = ip_frags.clone();
    mixed.extend(tcp.iter().cloned());
    mixed.extend(ip6_frags.iter().cloned());
    vec![
        ("ipv4-fragments", run(LinkType::RAW, 0, &ip_frags)),
        ("ipv4-fragments-tiny", run(LinkType::RAW, 1, &ip_frags)),
        ("ipv6-fragments", run(LinkType::RAW, 0, &ip6_frags)),
        ("tcp-stream", run(LinkType::RAW, 0, &tcp)),
        ("tcp-stream-strict", run(LinkType::RAW, 2, &tcp)),
        ("tcp-stream-tiny", run(LinkType::RAW, 5, &tcp)),
        ("tcp-ethernet", run(LinkType::ETHERNET, 0, &ethernet(&tcp))),
        ("udp-flows", run(LinkType::IPV4, 4, &udp_flows)),
        (
            "mixed-ethernet",
            run(LinkType::ETHERNET, 0, &ethernet(&mixed)),
        ),
        ("mixed-tiny", run(LinkType::RAW, 7, &mixed)),
    ]
}
