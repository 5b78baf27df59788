//! Deterministic bench inputs beyond the mixed capture, built with `pcapkit::synth` and written
//! once into the target directory (nothing large is committed):
//!
//! - `http`: HTTP/1.1 keep-alive conversations over many TCP flows (handshake, GET and POST
//!   requests with realistic headers, responses whose bodies span several segments, teardown).
//! - `fragments`: UDP and ICMP datagrams of 2–4 kB split into IPv4 fragments, and UDP over IPv6
//!   Fragment headers.
//! - `pcapng2`: a pcapng with two interfaces: Ethernet (microsecond times) and raw IPv4
//!   (`LINKTYPE_RAW`, nanosecond times via `if_tsresol`), frames alternating between them.
//!
//! Each is a pure function of its frame count.

use pcapkit::capture::PcapWriter;
use pcapkit::model::{LinkType, MacAddr, Timestamp};
use pcapkit::synth::{self, Ipv4Fields, TcpFields, ethertype};
use std::io::{self, BufWriter, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

/// Frames in each generated input.
pub const FRAMES: usize = 50_000;

/// One of the generated inputs.
#[derive(Clone, Copy, Debug)]
pub enum Input {
    /// HTTP-heavy capture.
    Http,
    /// Fragment-heavy capture.
    Fragments,
    /// pcapng with two interfaces.
    Pcapng2,
}

impl Input {
    /// Every generated input.
    pub const ALL: &'static [Input] = &[Input::Http, Input::Fragments, Input::Pcapng2];

    /// Short name, used in bench ids and file names.
    pub fn name(self) -> &'static str {
        match self {
            Input::Http => "http",
            Input::Fragments => "fragments",
            Input::Pcapng2 => "pcapng2",
        }
    }

    /// The capture's path, generated on first use.
    pub fn path(self) -> io::Result<PathBuf> {
        let dir = super::common::target_dir();
        std::fs::create_dir_all(&dir)?;
        let ext = match self {
            Input::Pcapng2 => "pcapng",
            _ => "pcap",
        };
        let path = dir.join(format!("bench-{}-{}k.{ext}", self.name(), FRAMES / 1000));
        if !path.is_file() {
            let partial = path.with_extension("tmp");
            match self {
                Input::Http => write_pcap(&partial, &http_frames(FRAMES))?,
                Input::Fragments => write_pcap(&partial, &fragment_frames(FRAMES))?,
                Input::Pcapng2 => write_pcapng2(&partial, &http_frames(FRAMES))?,
            }
            std::fs::rename(&partial, &path)?;
        }
        Ok(path)
    }
}

const CLIENT_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0x10, 0x01]);
const SERVER_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0x20, 0x02]);
const SYN: u16 = 0x02;
const ACK: u16 = 0x10;
const PSH_ACK: u16 = 0x18;
const FIN_ACK: u16 = 0x11;

/// A frame's time: 100 µs apart from 2023-11-14T22:13:20Z.
fn time_of(i: usize) -> Timestamp {
    let micros = i as u64 * 100;
    Timestamp {
        secs: 1_700_000_000 + (micros / 1_000_000) as i64,
        nanos: ((micros % 1_000_000) * 1000) as u32,
    }
}

fn v4(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, id: u16, payload: &[u8]) -> Vec<u8> {
    synth::ipv4(Ipv4Fields::unfragmented(src, dst, proto, id), payload)
}

/// Ethernet frames of HTTP/1.1 keep-alive conversations until `count` frames.
pub fn http_frames(count: usize) -> Vec<Vec<u8>> {
    let mut frames = Vec::with_capacity(count + 32);
    let server = Ipv4Addr::new(10, 2, 0, 80);
    let mut flow = 0u32;
    while frames.len() < count {
        let client = Ipv4Addr::new(10, 1, (flow / 250 % 250) as u8, (flow % 250) as u8 + 1);
        let (c, s) = (IpAddr::V4(client), IpAddr::V4(server));
        let cport = 40_000 + (flow % 20_000) as u16;
        let mut cseq = flow.wrapping_mul(2_654_435_761) % 0x8000_0000;
        let mut sseq = flow.wrapping_mul(40_503) % 0x8000_0000 + 7;
        let mut id = (flow as u16).wrapping_mul(31);
        let mut push =
            |frames: &mut Vec<Vec<u8>>, to_server: bool, flags, seq, ack, payload: &[u8]| {
                let (src, dst, sa, da, sp, dp, smac, dmac) = if to_server {
                    (client, server, c, s, cport, 80, CLIENT_MAC, SERVER_MAC)
                } else {
                    (server, client, s, c, 80, cport, SERVER_MAC, CLIENT_MAC)
                };
                let options: &[u8] = if flags == SYN || flags == SYN | ACK {
                    &[
                        2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
                    ]
                } else {
                    &[1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1]
                };
                let fields = TcpFields {
                    src_port: sp,
                    dst_port: dp,
                    seq,
                    ack,
                    flags,
                    window: 64_240,
                };
                id = id.wrapping_add(1);
                let segment = synth::tcp(sa, da, fields, options, payload);
                let packet = v4(src, dst, 6, id, &segment);
                frames.push(synth::ethernet(dmac, smac, ethertype::IPV4, &packet));
            };
        push(&mut frames, true, SYN, cseq, 0, &[]);
        push(&mut frames, false, SYN | ACK, sseq, cseq + 1, &[]);
        cseq += 1;
        sseq += 1;
        push(&mut frames, true, ACK, cseq, sseq, &[]);
        for request in 0..2u32 {
            let path = format!("/api/v{}/items/{}", request + 1, flow % 997);
            let head = if request == 0 {
                format!(
                    "GET {path} HTTP/1.1\r\nHost: shop{}.example.test\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) pcapkit-bench/1.0\r\nAccept: text/html,application/json;q=0.9,*/*;q=0.8\r\nAccept-Encoding: gzip, deflate\r\nCookie: session={:016x}\r\nConnection: keep-alive\r\n\r\n",
                    flow % 7,
                    u64::from(flow) * 0x9e37_79b9
                )
            } else {
                format!(
                    "POST {path} HTTP/1.1\r\nHost: shop{}.example.test\r\nContent-Type: application/json\r\nContent-Length: 48\r\nConnection: keep-alive\r\n\r\n{{\"item\":{},\"quantity\":{},\"note\":\"pcapkit bench\"}}",
                    flow % 7,
                    flow % 997,
                    request + 1
                )
            };
            push(&mut frames, true, PSH_ACK, cseq, sseq, head.as_bytes());
            cseq += head.len() as u32;
            let body_len = 600 + (flow as usize * 613 + request as usize * 1_777) % 3_000;
            let mut response = format!(
                "HTTP/1.1 200 OK\r\nServer: pcapkit-bench\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body_len}\r\nCache-Control: no-cache\r\n\r\n"
            )
            .into_bytes();
            response.extend((0..body_len).map(|i| b"<p>pcapkit bench body</p>\n"[i % 26]));
            for chunk in response.chunks(1_448) {
                push(&mut frames, false, PSH_ACK, sseq, cseq, chunk);
                sseq += chunk.len() as u32;
            }
            push(&mut frames, true, ACK, cseq, sseq, &[]);
        }
        push(&mut frames, true, FIN_ACK, cseq, sseq, &[]);
        push(&mut frames, false, FIN_ACK, sseq, cseq + 1, &[]);
        push(&mut frames, true, ACK, cseq + 1, sseq + 1, &[]);
        flow += 1;
    }
    frames.truncate(count);
    frames
}

/// Ethernet frames of fragmented datagrams (IPv4 UDP and ICMP, IPv6 UDP) until `count` frames.
pub fn fragment_frames(count: usize) -> Vec<Vec<u8>> {
    let mut frames = Vec::with_capacity(count + 4);
    let (a4, b4) = (Ipv4Addr::new(172, 16, 0, 1), Ipv4Addr::new(172, 16, 9, 9));
    let a6: Ipv6Addr = "2001:db8:f::1".parse().expect("a valid IPv6 literal");
    let b6: Ipv6Addr = "2001:db8:f::9".parse().expect("a valid IPv6 literal");
    let mut k = 0u32;
    while frames.len() < count {
        let size = 2_000 + (k as usize * 397) % 2_000;
        let data: Vec<u8> = (0..size).map(|i| (i as u32 ^ k) as u8).collect();
        match k % 4 {
            // IPv6: UDP over Fragment headers (offsets in 8-byte units).
            3 => {
                let datagram = synth::udp(IpAddr::V6(a6), IpAddr::V6(b6), 5_000, 6_000, &data);
                let pieces: Vec<&[u8]> = datagram.chunks(1_448).collect();
                for (n, piece) in pieces.iter().enumerate() {
                    let offset = (n * 1_448) as u16;
                    let more = u16::from(n + 1 < pieces.len());
                    let mut payload = vec![17, 0];
                    payload.extend_from_slice(&(offset | more).to_be_bytes());
                    payload.extend_from_slice(&(0x1000_0000 + k).to_be_bytes());
                    payload.extend_from_slice(piece);
                    let packet = synth::ipv6(a6, b6, 44, 64, &payload);
                    frames.push(synth::ethernet(
                        SERVER_MAC,
                        CLIENT_MAC,
                        ethertype::IPV6,
                        &packet,
                    ));
                }
            }
            // IPv4: UDP (k even) or ICMP echo (k odd), split at 1,480 bytes.
            _ => {
                let (proto, datagram) = if k.is_multiple_of(2) {
                    (
                        17,
                        synth::udp(IpAddr::V4(a4), IpAddr::V4(b4), 5_000, 7_000, &data),
                    )
                } else {
                    (
                        1,
                        synth::icmp_echo(IpAddr::V4(a4), IpAddr::V4(b4), false, 7, k as u16, &data),
                    )
                };
                let pieces: Vec<&[u8]> = datagram.chunks(1_480).collect();
                for (n, piece) in pieces.iter().enumerate() {
                    let fields = Ipv4Fields {
                        src: a4,
                        dst: b4,
                        proto,
                        id: k as u16,
                        ttl: 64,
                        df: false,
                        mf: n + 1 < pieces.len(),
                        frag_offset: (n * 1_480) as u16,
                    };
                    let packet = synth::ipv4(fields, piece);
                    frames.push(synth::ethernet(
                        SERVER_MAC,
                        CLIENT_MAC,
                        ethertype::IPV4,
                        &packet,
                    ));
                }
            }
        }
        k += 1;
    }
    frames.truncate(count);
    frames
}

/// Writes Ethernet frames as a classic pcap, 100 µs apart.
fn write_pcap(path: &Path, frames: &[Vec<u8>]) -> io::Result<()> {
    let file = BufWriter::new(std::fs::File::create(path)?);
    let mut writer = PcapWriter::new(file, LinkType::ETHERNET, 65_535, false)?;
    for (i, frame) in frames.iter().enumerate() {
        writer.write_frame(time_of(i), frame.len() as u32, frame)?;
    }
    writer.into_inner().flush()
}

/// Writes a pcapng block: type, total length, body padded to 4 bytes, total length.
fn block(out: &mut impl Write, kind: u32, body: &[u8]) -> io::Result<()> {
    let padded = body.len().div_ceil(4) * 4;
    let total = (12 + padded) as u32;
    out.write_all(&kind.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(body)?;
    out.write_all(&[0; 3][..padded - body.len()])?;
    out.write_all(&total.to_le_bytes())
}

/// Writes frames alternating between interface 0 (Ethernet, µs) and interface 1 (raw IPv4:
/// the Ethernet header removed, ns) as a little-endian pcapng.
fn write_pcapng2(path: &Path, frames: &[Vec<u8>]) -> io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    // Section Header Block: byte-order magic, version 1.0, section length unknown.
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&(-1i64).to_le_bytes());
    block(&mut out, 0x0a0d_0d0a, &shb)?;
    // Interface Description Blocks: link type, reserved, snap length, options.
    let idb = |link: LinkType, options: &[u8]| {
        let mut body = Vec::new();
        body.extend_from_slice(&link.0.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&65_535u32.to_le_bytes());
        body.extend_from_slice(options);
        body
    };
    block(&mut out, 1, &idb(LinkType::ETHERNET, &[]))?;
    // if_tsresol (code 9, length 1) = 9: nanoseconds; then opt_endofopt.
    let tsresol_ns = [9, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0];
    block(&mut out, 1, &idb(LinkType::RAW, &tsresol_ns))?;
    for (i, frame) in frames.iter().enumerate() {
        let time = time_of(i);
        let (interface, data, units) = if i.is_multiple_of(2) {
            let micros = time.secs as u64 * 1_000_000 + u64::from(time.nanos / 1000);
            (0u32, &frame[..], micros)
        } else {
            let nanos = time.secs as u64 * 1_000_000_000 + u64::from(time.nanos) + 123;
            (1u32, &frame[14..], nanos)
        };
        let mut epb = Vec::with_capacity(20 + data.len());
        epb.extend_from_slice(&interface.to_le_bytes());
        epb.extend_from_slice(&((units >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(units as u32).to_le_bytes());
        epb.extend_from_slice(&(data.len() as u32).to_le_bytes());
        epb.extend_from_slice(&(data.len() as u32).to_le_bytes());
        epb.extend_from_slice(data);
        block(&mut out, 6, &epb)?;
    }
    out.flush()
}
