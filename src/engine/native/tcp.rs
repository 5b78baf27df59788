//! TCP header (RFC 9293) with its options.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, app};
use crate::model::{FieldValue, HexBytes, Layer, ProtoId, Tcp, TcpFlags, TcpOption};

/// Field offsets of the fixed TCP header.
mod field {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const SEQ: usize = 4;
    pub const ACK: usize = 8;
    /// Data offset (high nibble) and the NS flag (low bit).
    pub const OFFSET: usize = 12;
    pub const FLAGS: usize = 13;
    pub const WINDOW: usize = 14;
    pub const CHECKSUM: usize = 16;
    pub const URGENT: usize = 18;
    /// Options start after the fixed header.
    pub const OPTIONS: usize = 20;
}

/// Length of the fixed TCP header (data offset 5).
pub const MIN_HEADER_LEN: usize = 20;

/// Option kinds with their own [`TcpOption`] variant.
mod kind {
    pub const EOL: u8 = 0;
    pub const NOP: u8 = 1;
    pub const MSS: u8 = 2;
    pub const WS: u8 = 3;
    pub const SACK_PERM: u8 = 4;
    pub const SACK: u8 = 5;
    pub const TS: u8 = 8;
}

/// A view over a TCP segment whose header, options included, is known to be captured.
pub struct Packet<'a> {
    /// The fixed header.
    fixed: &'a [u8; MIN_HEADER_LEN],
    /// The whole captured segment.
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking the data offset and that the whole header is captured.
    ///
    /// `declared` is the segment length by the IP header; when it is at least 20, a header that
    /// claims more than the segment is an error.
    pub fn new_checked(buffer: &'a [u8], declared: usize) -> Result<Packet<'a>, DecodeError> {
        let Some(fixed) = buffer.first_chunk::<MIN_HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "TCP header",
                MIN_HEADER_LEN,
                buffer.len(),
            ));
        };
        let packet = Packet { fixed, buffer };
        let offset = packet.data_offset();
        let header_len = packet.header_len();
        if header_len < MIN_HEADER_LEN {
            return Err(DecodeError::other(format!("TCP data offset {offset} < 5")));
        }
        if declared >= MIN_HEADER_LEN && header_len > declared {
            return Err(DecodeError::other(format!(
                "TCP data offset {offset} ({header_len} bytes) past the segment ({declared} bytes)"
            )));
        }
        if buffer.len() < header_len {
            return Err(DecodeError::truncated(
                "TCP header",
                header_len,
                buffer.len(),
            ));
        }
        Ok(packet)
    }

    /// Big-endian u16 at `at` of the fixed header.
    fn be16(&self, at: usize) -> u16 {
        partial::be16(self.fixed, at).unwrap_or_default()
    }

    /// Big-endian u32 at `at` of the fixed header.
    fn be32(&self, at: usize) -> u32 {
        partial::be32(self.fixed, at).unwrap_or_default()
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        self.be16(field::SRC_PORT)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        self.be16(field::DST_PORT)
    }

    /// Sequence number.
    pub fn seq(&self) -> u32 {
        self.be32(field::SEQ)
    }

    /// Acknowledgement number.
    pub fn ack(&self) -> u32 {
        self.be32(field::ACK)
    }

    /// Data offset in 32-bit words.
    pub fn data_offset(&self) -> u8 {
        self.fixed[field::OFFSET] >> 4
    }

    /// Header length in bytes (4·data offset, at most 60).
    pub fn header_len(&self) -> usize {
        usize::from(self.data_offset()) * 4
    }

    /// The nine flag bits, NS included (the three reserved bits are dropped).
    pub fn flags(&self) -> TcpFlags {
        flags(self.fixed[field::OFFSET], self.fixed[field::FLAGS])
    }

    /// Window (unscaled).
    pub fn window(&self) -> u16 {
        self.be16(field::WINDOW)
    }

    /// Checksum as carried.
    pub fn checksum(&self) -> u16 {
        self.be16(field::CHECKSUM)
    }

    /// Urgent pointer.
    pub fn urgent(&self) -> u16 {
        self.be16(field::URGENT)
    }

    /// The option bytes (empty when the data offset is 5).
    pub fn options(&self) -> &'a [u8] {
        self.buffer
            .get(field::OPTIONS..self.header_len())
            .unwrap_or_default()
    }
}

/// The nine flag bits from the data-offset byte (NS, its low bit) and the flags byte.
fn flags(offset_byte: u8, flags_byte: u8) -> TcpFlags {
    TcpFlags((u16::from(offset_byte & 0x01) << 8) | u16::from(flags_byte))
}

/// The name of an option kind without its own variant (or one whose length is wrong).
fn option_name(number: u8) -> &'static str {
    match number {
        kind::MSS => "MSS",
        kind::WS => "WS",
        kind::SACK_PERM => "SACK_PERM",
        kind::SACK => "SACK",
        kind::TS => "TS",
        19 => "MD5",
        28 => "UTO",
        29 => "AO",
        30 => "MPTCP",
        34 => "TFO",
        _ => "Unknown",
    }
}

/// Big-endian u32 at `at` of `bytes` (0 past the end: the callers have checked the length).
fn be32_at(bytes: &[u8], at: usize) -> u32 {
    partial::be32(bytes, at).unwrap_or_default()
}

/// Parses the option bytes of a header.
///
/// EOL ends the list (what follows is padding). A length byte that is missing, below 2 or
/// past the end of the options stops parsing; the options before it are kept. A known kind
/// with the wrong length becomes [`TcpOption::Other`] under its name.
pub fn parse_options(opts: &[u8]) -> Vec<TcpOption> {
    if opts.is_empty() {
        return Vec::new();
    }
    // The memory of a list an earlier frame handed back, when the engine recycles.
    let mut out = crate::model::recycle::tcp_options(opts.len().div_ceil(3));
    // Most segments of a connection that agreed on timestamps: all three in one append.
    if let &[
        kind::NOP,
        kind::NOP,
        kind::TS,
        10,
        v0,
        v1,
        v2,
        v3,
        e0,
        e1,
        e2,
        e3,
    ] = opts
    {
        out.extend([
            TcpOption::Nop,
            TcpOption::Nop,
            TcpOption::Timestamps {
                tsval: u32::from_be_bytes([v0, v1, v2, v3]),
                tsecr: u32::from_be_bytes([e0, e1, e2, e3]),
            },
        ]);
        return out;
    }
    let mut i = 0;
    while let Some(&number) = opts.get(i) {
        match number {
            kind::EOL => {
                out.push(TcpOption::EndOfList);
                break;
            }
            kind::NOP => {
                out.push(TcpOption::Nop);
                i += 1;
                continue;
            }
            _ => {}
        }
        let Some(&len) = opts.get(i + 1) else { break };
        let len = usize::from(len);
        let Some(body) = opts.get(i + 2..i + len).filter(|_| len >= 2) else {
            break;
        };
        out.push(match (number, len) {
            (kind::MSS, 4) => TcpOption::Mss {
                value: partial::be16(body, 0).unwrap_or_default(),
            },
            (kind::WS, 3) => TcpOption::WindowScale {
                shift: body.first().copied().unwrap_or_default(),
            },
            (kind::SACK_PERM, 2) => TcpOption::SackPermitted,
            (kind::SACK, _) if body.len() % 8 == 0 => TcpOption::Sack {
                blocks: body
                    .chunks_exact(8)
                    .map(|b| (be32_at(b, 0), be32_at(b, 4)))
                    .collect(),
            },
            (kind::TS, 10) => TcpOption::Timestamps {
                tsval: be32_at(body, 0),
                tsecr: be32_at(body, 4),
            },
            _ => TcpOption::Other {
                number,
                name: option_name(number),
                data: HexBytes(body.to_vec()),
            },
        });
        i += len;
    }
    out
}

/// The options of a header cut in its options, as tshark 4.0 lists them: those captured whole,
/// then one whose kind and length bytes are captured but not all its body, as
/// [`TcpOption::Other`] under its name with the body bytes captured.
fn cut_options(opts: &[u8]) -> Vec<TcpOption> {
    let mut options = parse_options(opts);
    let used: usize = options
        .iter()
        .map(|o| match o {
            TcpOption::EndOfList | TcpOption::Nop => 1,
            TcpOption::Mss { .. } => 4,
            TcpOption::WindowScale { .. } => 3,
            TcpOption::SackPermitted => 2,
            TcpOption::Sack { blocks } => 2 + 8 * blocks.len(),
            TcpOption::Timestamps { .. } => 10,
            TcpOption::Other { data, .. } => 2 + data.0.len(),
        })
        .sum();
    if options.last() != Some(&TcpOption::EndOfList)
        && let Some(&[number, len]) = opts.get(used..).and_then(|o| o.first_chunk::<2>())
        && usize::from(len) >= 2
    {
        options.push(TcpOption::Other {
            number,
            name: option_name(number),
            data: HexBytes(opts.get(used + 2..).unwrap_or_default().to_vec()),
        });
    }
    options
}

/// Decodes a TCP header; `declared` is the segment length by the IP header.
///
/// The payload length is `declared − header_len`; HTTP follows when the captured payload
/// starts with an HTTP request or status line.
///
/// A header cut by the snap length is a partial layer with the fields tshark shows of it
/// (`note` says where it was cut); a data offset below 5 or past the segment stays an error.
pub fn decode(data: &[u8], declared: usize, note: &mut Option<DecodeError>) -> DecodeResult {
    if let Some((fields, why)) = bogus_offset(data) {
        let head = data.get(..=field::OFFSET).unwrap_or(data);
        return Ok(partial::keep(ProtoId::Tcp, head, fields, 0, why, note));
    }
    let packet = match Packet::new_checked(data, declared) {
        Ok(packet) => packet,
        Err(why @ DecodeError::Truncated { .. }) => {
            let (fields, payload_len) = cut(data, declared);
            return Ok(partial::keep(
                ProtoId::Tcp,
                data,
                fields,
                payload_len,
                why,
                note,
            ));
        }
        Err(err) => return Err(err),
    };
    let header_len = packet.header_len();
    let payload_len = declared.saturating_sub(header_len);
    let captured_end = header_len.saturating_add(payload_len).min(data.len());
    let payload = data.get(header_len..captured_end).unwrap_or_default();
    let next = app::after(
        ProtoId::Tcp,
        packet.src_port(),
        packet.dst_port(),
        payload,
        payload_len,
    );
    Ok(Decoded {
        layer: Layer::Tcp(Tcp {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            seq: packet.seq(),
            ack: packet.ack(),
            data_offset: packet.data_offset(),
            flags: packet.flags(),
            window: packet.window(),
            checksum: packet.checksum(),
            urgent: packet.urgent(),
            options: parse_options(packet.options()),
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        }),
        header_len,
        payload_len,
        next,
    })
}

/// The fields of a header cut short, as tshark 4.0 shows them: the ports after 4 bytes; the
/// sequence and acknowledgement numbers, data offset, flags and window together after 16 (it
/// reads them before adding any); the checksum after 18, the urgent pointer after 20, then the
/// options ([`cut_options`]). Also the payload length the data offset declares.
/// A data offset below 5, once captured: what tshark 4.0 shows before it stops (the ports, the
/// sequence number and the data offset) and the reason.
fn bogus_offset(data: &[u8]) -> Option<(Fields, DecodeError)> {
    use FieldValue::{U8, U16, U32};
    let offset = data.get(field::OFFSET)? >> 4;
    if offset >= 5 {
        return None;
    }
    let fields = vec![
        ("src_port", U16(partial::be16(data, field::SRC_PORT)?)),
        ("dst_port", U16(partial::be16(data, field::DST_PORT)?)),
        ("seq", U32(partial::be32(data, field::SEQ)?)),
        ("data_offset", U8(offset)),
    ];
    Some((
        fields,
        DecodeError::other(format!("TCP data offset {offset} < 5")),
    ))
}

fn cut(data: &[u8], declared: usize) -> (Fields, usize) {
    use FieldValue::{U8, U16, U32};
    let mut fields = Fields::with_capacity(10);
    let mut payload_len = 0;
    let (Some(src_port), Some(dst_port)) = (
        partial::be16(data, field::SRC_PORT),
        partial::be16(data, field::DST_PORT),
    ) else {
        return (fields, payload_len);
    };
    fields.push(("src_port", U16(src_port)));
    fields.push(("dst_port", U16(dst_port)));
    if let Some(&[s0, s1, s2, s3, a0, a1, a2, a3, offset, flag_bits, w0, w1]) =
        data.get(field::SEQ..field::CHECKSUM)
    {
        let data_offset = offset >> 4;
        payload_len = declared.saturating_sub(usize::from(data_offset) * 4);
        fields.push(("seq", U32(u32::from_be_bytes([s0, s1, s2, s3]))));
        fields.push(("ack", U32(u32::from_be_bytes([a0, a1, a2, a3]))));
        fields.push(("data_offset", U8(data_offset)));
        fields.push(("flags", FieldValue::TcpFlags(flags(offset, flag_bits))));
        fields.push(("window", U16(u16::from_be_bytes([w0, w1]))));
    }
    if let Some(checksum) = partial::be16(data, field::CHECKSUM) {
        fields.push(("checksum", U16(checksum)));
    }
    if let Some(urgent) = partial::be16(data, field::URGENT) {
        fields.push(("urgent", U16(urgent)));
    }
    if let Some(options) = data.get(field::OPTIONS..).filter(|o| !o.is_empty()) {
        fields.push(("options", FieldValue::TcpOptions(cut_options(options))));
    }
    (fields, payload_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// pcpp__TcpPacketWithOptions.pcap frame 1 from the TCP header: 44147 → 80, seq_raw
    /// 777047406, ack_raw 3761117865, hdr_len 32, flags 0x018 (PSH, ACK), window 913,
    /// checksum 0xac20, options NOP NOP TS(195102, 3555729271), then the first 34 of the
    /// 803 payload bytes (`GET / HTTP/1.1` ...). The IP header declares 835 bytes.
    const SEGMENT: [u8; 66] = [
        0xac, 0x73, 0x00, 0x50, 0x2e, 0x50, 0xcd, 0x6e, 0xe0, 0x2e, 0x1a, 0xa9, 0x80, 0x18, 0x03,
        0x91, 0xac, 0x20, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x02, 0xfa, 0x1e, 0xd3, 0xf0,
        0x1f, 0x77, 0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e,
        0x31, 0x0d, 0x0a, 0x48, 0x6f, 0x73, 0x74, 0x3a, 0x20, 0x77, 0x77, 0x77, 0x2e, 0x79, 0x6e,
        0x65, 0x74, 0x2e, 0x63, 0x6f, 0x2e,
    ];

    /// tcpdump__tcp-handshake-nano.pcap frame 1 from the TCP header: a SYN 46656 → 80,
    /// seq_raw 797190859, hdr_len 40, window 27200, checksum 0x50c4, options MSS 1360,
    /// SACK_PERM, TS(1131021154, 0), NOP, WS 7.
    const SYN: [u8; 40] = [
        0xb6, 0x40, 0x00, 0x50, 0x2f, 0x84, 0x2a, 0xcb, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0x6a,
        0x40, 0x50, 0xc4, 0x00, 0x00, 0x02, 0x04, 0x05, 0x50, 0x04, 0x02, 0x08, 0x0a, 0x43, 0x6a,
        0x03, 0x62, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];

    fn tcp_of(d: &Decoded) -> &Tcp {
        let Layer::Tcp(tcp) = &d.layer else {
            panic!("not TCP")
        };
        tcp
    }

    /// A 20-byte header (data offset 5) with `options` appended and the data offset set.
    fn with_options(options: &[u8]) -> Vec<u8> {
        assert_eq!(options.len() % 4, 0);
        let mut seg = SYN[..20].to_vec();
        seg[12] = ((20 + options.len()) / 4) as u8 * 16;
        seg.extend_from_slice(options);
        seg
    }

    #[test]
    fn decodes_every_field() {
        let d = decode(&SEGMENT, 835, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (32, 803));
        assert_eq!(d.next, Some(ProtoId::Http));
        assert_eq!(
            *tcp_of(&d),
            Tcp {
                src_port: 44147,
                dst_port: 80,
                seq: 777047406,
                ack: 3761117865,
                data_offset: 8,
                flags: TcpFlags(TcpFlags::PSH | TcpFlags::ACK),
                window: 913,
                checksum: 0xac20,
                urgent: 0,
                options: vec![
                    TcpOption::Nop,
                    TcpOption::Nop,
                    TcpOption::Timestamps {
                        tsval: 195102,
                        tsecr: 3555729271,
                    },
                ],
                header_len: 32,
                payload_len: 803,
            }
        );
        assert_eq!(tcp_of(&d).flags.to_string(), "ACK,PSH");
    }

    #[test]
    fn syn_options() {
        let d = decode(&SYN, 40, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (40, 0, None));
        assert_eq!(
            *tcp_of(&d),
            Tcp {
                src_port: 46656,
                dst_port: 80,
                seq: 797190859,
                ack: 0,
                data_offset: 10,
                flags: TcpFlags(TcpFlags::SYN),
                window: 27200,
                checksum: 0x50c4,
                urgent: 0,
                options: vec![
                    TcpOption::Mss { value: 1360 },
                    TcpOption::SackPermitted,
                    TcpOption::Timestamps {
                        tsval: 1131021154,
                        tsecr: 0,
                    },
                    TcpOption::Nop,
                    TcpOption::WindowScale { shift: 7 },
                ],
                header_len: 40,
                payload_len: 0,
            }
        );
    }

    #[test]
    fn all_nine_flags() {
        let mut seg = SYN;
        seg[12] |= 0x01;
        seg[13] = 0xff;
        let d = decode(&seg, 40, &mut None).unwrap();
        assert_eq!(tcp_of(&d).flags, TcpFlags(0x1ff));
        assert_eq!(
            tcp_of(&d).flags.to_string(),
            "SYN,ACK,FIN,RST,PSH,URG,ECE,CWR,NS"
        );
        // The three reserved bits are not flags.
        seg[12] = 0xae;
        seg[13] = 0x10;
        assert_eq!(
            tcp_of(&decode(&seg, 40, &mut None).unwrap()).flags,
            TcpFlags(TcpFlags::ACK)
        );
    }

    #[test]
    fn nop_nop_timestamps_as_the_general_parse() {
        let ts = [1, 1, 8, 10, 0, 0, 1, 2, 0xff, 0, 0, 3];
        let expected = vec![
            TcpOption::Nop,
            TcpOption::Nop,
            TcpOption::Timestamps {
                tsval: 0x0102,
                tsecr: 0xff00_0003,
            },
        ];
        assert_eq!(parse_options(&ts), expected);
        // With an EOL after them the list takes the general loop: the same three first.
        let mut longer = ts.to_vec();
        longer.push(0);
        let general = parse_options(&longer);
        assert_eq!(general[..3], expected[..]);
        assert_eq!(general[3..], [TcpOption::EndOfList]);
    }

    #[test]
    fn sack_blocks_and_named_options() {
        let seg = with_options(&[
            0x01, 0x01, 0x05, 0x12, // NOP NOP SACK (2 blocks)
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // block 1..2
            0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, // block
            0x13, 0x04, 0xab, 0xcd, // MD5 (length shortened for the test)
            0x1c, 0x04, 0x80, 0x10, // UTO
            0x1d, 0x02, 0x1e, 0x03, 0x01, 0x22, 0x02, // AO, MPTCP, TFO (empty cookie)
            0xfd, 0x02, 0x00, 0x00, 0x00, // experimental (253): Unknown; EOL; padding
        ]);
        let d = decode(&seg, seg.len(), &mut None).unwrap();
        assert_eq!(d.header_len, 60);
        assert_eq!(
            tcp_of(&d).options,
            vec![
                TcpOption::Nop,
                TcpOption::Nop,
                TcpOption::Sack {
                    blocks: vec![(1, 2), (0xffff_fffe, 0xffff_ffff)],
                },
                TcpOption::Other {
                    number: 19,
                    name: "MD5",
                    data: HexBytes(vec![0xab, 0xcd]),
                },
                TcpOption::Other {
                    number: 28,
                    name: "UTO",
                    data: HexBytes(vec![0x80, 0x10]),
                },
                TcpOption::Other {
                    number: 29,
                    name: "AO",
                    data: HexBytes(vec![]),
                },
                TcpOption::Other {
                    number: 30,
                    name: "MPTCP",
                    data: HexBytes(vec![0x01]),
                },
                TcpOption::Other {
                    number: 34,
                    name: "TFO",
                    data: HexBytes(vec![]),
                },
                TcpOption::Other {
                    number: 253,
                    name: "Unknown",
                    data: HexBytes(vec![]),
                },
                TcpOption::EndOfList,
            ]
        );
    }

    #[test]
    fn eol_ends_the_list() {
        let seg = with_options(&[0x01, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x00, 0x00]);
        let d = decode(&seg, 28, &mut None).unwrap();
        assert_eq!(
            tcp_of(&d).options,
            vec![TcpOption::Nop, TcpOption::EndOfList]
        );
    }

    #[test]
    fn known_kinds_with_wrong_lengths_are_other() {
        let seg = with_options(&[
            0x02, 0x03, 0x05, // MSS with length 3
            0x03, 0x02, // WS with length 2
            0x04, 0x03, 0x00, // SACK_PERM with length 3
            0x05, 0x05, 0x01, 0x02, 0x03, // SACK with a partial block
            0x08, 0x02, // TS with length 2
            0x01, // NOP
        ]);
        let d = decode(&seg, seg.len(), &mut None).unwrap();
        let other = |number: u8, name: &'static str, data: &[u8]| TcpOption::Other {
            number,
            name,
            data: HexBytes(data.to_vec()),
        };
        assert_eq!(
            tcp_of(&d).options,
            vec![
                other(2, "MSS", &[0x05]),
                other(3, "WS", &[]),
                other(4, "SACK_PERM", &[0x00]),
                other(5, "SACK", &[0x01, 0x02, 0x03]),
                other(8, "TS", &[]),
                TcpOption::Nop,
            ]
        );
    }

    #[test]
    fn malformed_option_lengths_stop_parsing() {
        // Length 0, length 1, past the end of the options, and no length byte at all: the
        // options before are kept and the header still decodes.
        for (options, kept) in [
            (&[0x01, 0x02, 0x00, 0x00][..], 1),
            (&[0x01, 0x01, 0x13, 0x01][..], 2),
            (&[0x01, 0x08, 0x0a, 0x00][..], 1),
            (&[0x01, 0x01, 0x01, 0x02][..], 3),
        ] {
            let seg = with_options(options);
            let d = decode(&seg, 24, &mut None).unwrap();
            assert_eq!((d.header_len, d.payload_len), (24, 0));
            assert_eq!(
                tcp_of(&d).options,
                vec![TcpOption::Nop; kept],
                "{options:02x?}"
            );
        }
        // tcpdump__heapoverflow-tcp_print.pcap: one option (kind 48) filling all 40 bytes.
        let mut opts = vec![0x30, 0x28];
        opts.resize(40, 0x30);
        let seg = with_options(&opts);
        let d = decode(&seg, 60, &mut None).unwrap();
        assert_eq!(
            tcp_of(&d).options,
            vec![TcpOption::Other {
                number: 48,
                name: "Unknown",
                data: HexBytes(vec![0x30; 38]),
            }]
        );
    }

    #[test]
    fn payload_length_comes_from_the_ip_header() {
        // Cut by the snap length: the declared length still counts, HTTP is still seen.
        let d = decode(&SEGMENT[..40], 835, &mut None).unwrap();
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (32, 803, Some(ProtoId::Http))
        );
        // Bytes past the declared segment (link padding) are not the payload.
        let d = decode(&SEGMENT, 32, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (32, 0, None));
        // A declared length below 20 (no IP length to check against) saturates to 0.
        let mut plain = SYN;
        plain[12] = 0x50;
        let d = decode(&plain[..20], 0, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (20, 0));
    }

    #[test]
    fn non_http_payload_has_no_next() {
        let mut seg = SEGMENT;
        seg[32..36].copy_from_slice(b"GETX");
        assert_eq!(decode(&seg, 835, &mut None).unwrap().next, None);
        seg[32..36].copy_from_slice(&[0x16, 0x03, 0x01, 0x02]);
        assert_eq!(decode(&seg, 835, &mut None).unwrap().next, None);
    }

    /// tshark shows the ports, the sequence number and the bogus data offset, and stops.
    #[test]
    fn data_offset_below_five_keeps_what_tshark_shows() {
        let mut seg = SYN;
        for (byte, offset) in [(0x30, 3), (0x00, 0)] {
            seg[12] = byte;
            let mut note = None;
            let d = decode(&seg, 40, &mut note).unwrap();
            assert_eq!(
                note.unwrap().to_string(),
                format!("TCP data offset {offset} < 5")
            );
            assert_eq!((d.header_len, d.payload_len, d.next), (13, 0, None));
            assert_eq!(
                serde_json::to_value(&d.layer).unwrap(),
                serde_json::json!({"protocol": "TCP", "src_port": 46656, "dst_port": 80,
                    "seq": 797190859, "data_offset": offset, "truncated": true,
                    "header_len": 13, "payload_len": 0})
            );
        }
        // Fewer than 13 bytes: the data offset is not captured, the header is cut.
        assert!(bogus_offset(&seg[..12]).is_none());
    }

    #[test]
    fn data_offset_past_the_segment_is_an_error() {
        let mut seg = [0u8; 60];
        seg[..40].copy_from_slice(&SYN);
        seg[12] = 0xf0;
        assert_eq!(
            decode(&seg[..40], 40, &mut None).err().unwrap().to_string(),
            "TCP data offset 15 (60 bytes) past the segment (40 bytes)"
        );
        assert!(decode(&seg, 60, &mut None).is_ok());
    }

    /// The partial record of a cut header and the walker's note.
    fn cut_short(data: &[u8], declared: usize) -> (crate::model::Partial, String) {
        let mut note = None;
        let d = decode(data, declared, &mut note).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (data.len(), 0, None));
        let Layer::Partial(cut) = d.layer else {
            panic!("not partial: {:?}", d.layer)
        };
        assert_eq!(cut.proto, ProtoId::Tcp);
        (*cut, note.unwrap().to_string())
    }

    #[test]
    fn cut_headers_are_partial_layers() {
        let names = |len: usize| -> Vec<&str> {
            let (cut, _) = cut_short(&SYN[..len], 40);
            cut.fields.iter().map(|(n, _)| *n).collect()
        };
        assert!(names(3).is_empty());
        assert_eq!(names(4), ["src_port", "dst_port"]);
        assert_eq!(names(15), ["src_port", "dst_port"]);
        let fixed = [
            "src_port",
            "dst_port",
            "seq",
            "ack",
            "data_offset",
            "flags",
            "window",
        ];
        assert_eq!(names(16), fixed);
        assert_eq!(names(18)[7..], ["checksum"]);
        assert_eq!(names(20)[7..], ["checksum", "urgent"]);
        assert_eq!(names(21)[7..], ["checksum", "urgent", "options"]);
        let (cut, note) = cut_short(&SYN[..13], 40);
        assert_eq!(note, "TCP header needs 20 bytes, 13 captured");
        assert_eq!(cut.payload_len, 0);
        let (cut, note) = cut_short(&SYN[..30], 40);
        assert_eq!(note, "TCP header needs 40 bytes, 30 captured");
        assert_eq!(
            (cut.header_len, cut.payload_len, cut.field("seq")),
            (30, 0, Some(&FieldValue::U32(797190859)))
        );
        assert_eq!(
            cut.field("flags"),
            Some(&FieldValue::TcpFlags(TcpFlags(TcpFlags::SYN)))
        );
        // MSS and SACK_PERM fit whole; of the timestamps option (from byte 26) the kind, the
        // length and 2 bytes: listed (as tshark lists it) as Other with those 2 bytes.
        assert_eq!(
            cut.field("options"),
            Some(&FieldValue::TcpOptions(vec![
                TcpOption::Mss { value: 1360 },
                TcpOption::SackPermitted,
                TcpOption::Other {
                    number: 8,
                    name: "TS",
                    data: HexBytes(SYN[28..30].to_vec())
                }
            ]))
        );
        let (cut, _) = cut_short(&SEGMENT[..16], 835);
        assert_eq!(cut.payload_len, 803);
        assert!(cut_short(&[], 0).0.fields.is_empty());
    }
}
