//! IPv4 header (RFC 791), options included.

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded, by_ip_proto};
use crate::model::{FieldValue, HexBytes, IpOption, Ipv4, Layer, Partial, ProtoId};
use std::net::Ipv4Addr;

/// Field offsets of the IPv4 header.
mod field {
    pub const VER_IHL: usize = 0;
    pub const TOS: usize = 1;
    pub const LENGTH: usize = 2;
    pub const IDENT: usize = 4;
    pub const FLAGS_FRAG: usize = 6;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: usize = 10;
    pub const SRC: usize = 12;
    pub const DST: usize = 16;
}

/// Length of the IPv4 header without options.
pub const MIN_HEADER_LEN: usize = 20;

/// A view over an IPv4 datagram whose version is 4, whose IHL is at least 5, whose whole header
/// (options included) is captured, and whose total length is 0 or covers the header.
pub struct Packet<'a> {
    /// The fixed header.
    fixed: &'a [u8; MIN_HEADER_LEN],
    /// The whole captured datagram.
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking the version, the IHL, the captured header and the total
    /// length.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(fixed) = buffer.first_chunk::<MIN_HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "IPv4 header",
                MIN_HEADER_LEN,
                buffer.len(),
            ));
        };
        let packet = Packet { fixed, buffer };
        let version = packet.version();
        if version != 4 {
            return Err(DecodeError::other(format!(
                "IPv4 version {version}, expected 4"
            )));
        }
        let ihl = packet.ihl();
        if ihl < 5 {
            return Err(DecodeError::other(format!("IPv4 IHL {ihl} < 5")));
        }
        let header_len = packet.header_len();
        if buffer.len() < header_len {
            return Err(DecodeError::truncated(
                "IPv4 header",
                header_len,
                buffer.len(),
            ));
        }
        let total_len = packet.total_len();
        if total_len != 0 && usize::from(total_len) < header_len {
            return Err(DecodeError::other(format!(
                "IPv4 total length {total_len} < header length {header_len}"
            )));
        }
        Ok(packet)
    }

    fn be16(&self, at: usize) -> u16 {
        partial::be16(self.fixed, at).unwrap_or_default()
    }

    fn addr(&self, at: usize) -> Ipv4Addr {
        Ipv4Addr::from(partial::be32(self.fixed, at).unwrap_or_default())
    }

    /// Version field (4 once checked).
    pub fn version(&self) -> u8 {
        self.fixed[field::VER_IHL] >> 4
    }

    /// Header length in 32-bit words.
    pub fn ihl(&self) -> u8 {
        self.fixed[field::VER_IHL] & 0x0f
    }

    /// Header length in bytes (4·IHL).
    pub fn header_len(&self) -> usize {
        usize::from(self.ihl()) * 4
    }

    /// Type of service (DSCP and ECN).
    pub fn tos(&self) -> u8 {
        self.fixed[field::TOS]
    }

    /// Total length of the datagram as carried (0 for TSO / BIG TCP captures).
    pub fn total_len(&self) -> u16 {
        self.be16(field::LENGTH)
    }

    /// Identification.
    pub fn ident(&self) -> u16 {
        self.be16(field::IDENT)
    }

    /// Don't Fragment flag.
    pub fn df(&self) -> bool {
        df(self.be16(field::FLAGS_FRAG))
    }

    /// More Fragments flag.
    pub fn mf(&self) -> bool {
        mf(self.be16(field::FLAGS_FRAG))
    }

    /// Fragment offset in bytes (the 13-bit field times 8; at most 65528).
    pub fn frag_offset(&self) -> u16 {
        frag_offset(self.be16(field::FLAGS_FRAG))
    }

    /// Time to live.
    pub fn ttl(&self) -> u8 {
        self.fixed[field::TTL]
    }

    /// Protocol number of the payload.
    pub fn protocol(&self) -> u8 {
        self.fixed[field::PROTOCOL]
    }

    /// Header checksum as carried.
    pub fn checksum(&self) -> u16 {
        self.be16(field::CHECKSUM)
    }

    /// Source address.
    pub fn src(&self) -> Ipv4Addr {
        self.addr(field::SRC)
    }

    /// Destination address.
    pub fn dst(&self) -> Ipv4Addr {
        self.addr(field::DST)
    }

    /// The option bytes between the fixed header and the end of the header.
    pub fn options(&self) -> &'a [u8] {
        self.buffer
            .get(MIN_HEADER_LEN..self.header_len())
            .unwrap_or_default()
    }
}

/// The Don't Fragment flag of the flags/offset word.
fn df(word: u16) -> bool {
    word & 0x4000 != 0
}

/// The More Fragments flag of the flags/offset word.
fn mf(word: u16) -> bool {
    word & 0x2000 != 0
}

/// The fragment offset in bytes of the flags/offset word.
fn frag_offset(word: u16) -> u16 {
    (word & 0x1fff) << 3
}

/// The short name of an IPv4 option type, or `Unknown`.
pub fn option_name(kind: u8) -> &'static str {
    match kind {
        0 => "EOL",
        1 => "NOP",
        7 => "RR",
        11 => "MTUP",
        12 => "MTUR",
        25 => "QS",
        68 => "TS",
        82 => "TR",
        130 => "SEC",
        131 => "LSRR",
        133 => "E-SEC",
        134 => "CIPSO",
        136 => "SID",
        137 => "SSRR",
        148 => "RouterAlert",
        _ => "Unknown",
    }
}

/// Parses the option bytes of an IPv4 header, in order.
///
/// End of Option List ends the list (it is included; the rest is padding). An option whose
/// length is below 2 or runs past the header ends the list without failing the header.
///
/// Inlined for the header without options (nearly every one): no call for an empty list.
#[inline]
pub fn parse_options(bytes: &[u8]) -> Vec<IpOption> {
    if bytes.is_empty() {
        return Vec::new();
    }
    parse_some_options(bytes)
}

/// [`parse_options`] of one or more option bytes.
#[inline(never)]
fn parse_some_options(bytes: &[u8]) -> Vec<IpOption> {
    let mut options = Vec::new();
    let mut at = 0usize;
    while let Some(&kind) = bytes.get(at) {
        if kind == 0 || kind == 1 {
            options.push(IpOption {
                kind,
                name: option_name(kind),
                len: 1,
                data: HexBytes::default(),
            });
            if kind == 0 {
                break;
            }
            at += 1;
            continue;
        }
        let Some(&len) = bytes.get(at + 1) else {
            break;
        };
        if len < 2 {
            break;
        }
        let end = at + usize::from(len);
        let Some(data) = bytes.get(at + 2..end) else {
            break;
        };
        options.push(IpOption {
            kind,
            name: option_name(kind),
            len: len.into(),
            data: HexBytes(data.to_vec()),
        });
        at = end;
    }
    options
}

/// Decodes an IPv4 header.
///
/// The payload is `total_len − header_len` bytes; a total length of 0 (TSO / BIG TCP captures,
/// whose datagrams exceed 65535 bytes) means the captured rest of the frame. Non-first fragments
/// name no next protocol, so their payload is reported as `Raw`.
///
/// A header cut by the snap length is a partial layer with the fixed fields that fit, no
/// options (as tshark shows it); `note` says where it was cut. A bogus header is a partial
/// layer too, with the fields tshark 4.0 shows before it stops ([`bogus`]); version 6 is
/// handed to IPv6, as Wireshark's IPv4 dissector does.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(err) => return not_whole(data, err, note),
    };
    let header_len = packet.header_len();
    let total_len = packet.total_len();
    let payload_len = if total_len == 0 {
        data.len().saturating_sub(header_len)
    } else {
        usize::from(total_len).saturating_sub(header_len)
    };
    let frag_offset = packet.frag_offset();
    let proto = packet.protocol();
    let next = if frag_offset == 0 {
        by_ip_proto(proto)
    } else {
        None
    };
    Ok(Decoded {
        layer: Layer::Ipv4(Ipv4 {
            version: packet.version(),
            ihl: packet.ihl(),
            tos: packet.tos(),
            total_len,
            id: packet.ident(),
            df: packet.df(),
            mf: packet.mf(),
            frag_offset,
            ttl: packet.ttl(),
            proto,
            checksum: packet.checksum(),
            src: packet.src(),
            dst: packet.dst(),
            options: parse_options(packet.options()),
            header_len: header_len as u32,
            payload_len: u32::try_from(payload_len).unwrap_or(u32::MAX),
        }),
        header_len,
        payload_len,
        next,
    })
}

/// A header [`Packet::new_checked`] refused, as tshark shows it: version 6 handed to IPv6, a
/// bogus header up to its bogus field, a cut one with the fixed fields that fit.
fn not_whole(
    data: &[u8],
    err: DecodeError,
    note: &mut Option<DecodeError>,
) -> Result<Decoded, DecodeError> {
    if data.first().is_some_and(|b| b >> 4 == 6) {
        return Ok(to_ipv6(data));
    }
    if let Some((shown, kept, why)) = bogus(data) {
        let head = data.get(..shown).unwrap_or(data);
        let (mut fields, _) = cut(head);
        fields.truncate(kept);
        return Ok(partial::keep(
            ProtoId::Ipv4,
            head,
            fields,
            0,
            DecodeError::other(why),
            note,
        ));
    }
    match err {
        why @ DecodeError::Truncated { .. } => {
            let (fields, payload_len) = cut(data);
            Ok(partial::keep(
                ProtoId::Ipv4,
                data,
                fields,
                payload_len,
                why,
                note,
            ))
        }
        other => Err(other),
    }
}

/// What tshark shows of a bogus header before it stops, in its order: the version alone when it
/// is not 4, version and IHL when the IHL is below 5, the first 4 bytes' fields when the total
/// length (not 0) is below the header length. The bytes shown, how many of their fields, and
/// the reason; `None` when the captured bytes hold no such field.
fn bogus(data: &[u8]) -> Option<(usize, usize, String)> {
    let &ver_ihl = data.first()?;
    let (version, ihl) = (ver_ihl >> 4, ver_ihl & 0x0f);
    if version != 4 {
        return Some((1, 1, format!("IPv4 version {version}, expected 4")));
    }
    if ihl < 5 {
        return Some((1, 2, format!("IPv4 IHL {ihl} < 5")));
    }
    let header_len = usize::from(ihl) * 4;
    let total_len = partial::be16(data, field::LENGTH)?;
    (total_len != 0 && usize::from(total_len) < header_len).then(|| {
        (
            4,
            4,
            format!("IPv4 total length {total_len} < header length {header_len}"),
        )
    })
}

/// Version 6 behind an IPv4 Ethertype or link type: Wireshark's IPv4 dissector shows the version
/// and hands the packet to IPv6, so this is a partial IPv4 layer of no bytes with IPv6 next.
fn to_ipv6(data: &[u8]) -> Decoded {
    Decoded {
        layer: Layer::Partial(Box::new(Partial {
            proto: ProtoId::Ipv4,
            fields: vec![("version", FieldValue::U8(6))],
            header_len: 0,
            payload_len: u32::try_from(data.len()).unwrap_or(u32::MAX),
        })),
        header_len: 0,
        payload_len: data.len(),
        next: Some(ProtoId::Ipv6),
    }
}

/// The fields of a header cut short, each once its bytes are captured (tshark 4.0 adds them
/// one by one in this order), and the payload length they declare.
fn cut(data: &[u8]) -> (Fields, usize) {
    use FieldValue::{Bool, U8, U16};
    let mut fields = Fields::with_capacity(13);
    let Some(&ver_ihl) = data.first() else {
        return (fields, 0);
    };
    fields.push(("version", U8(ver_ihl >> 4)));
    fields.push(("ihl", U8(ver_ihl & 0x0f)));
    let header_len = usize::from(ver_ihl & 0x0f) * 4;
    let mut payload_len = 0;
    if let Some(&tos) = data.get(field::TOS) {
        fields.push(("tos", U8(tos)));
    }
    if let Some(total_len) = partial::be16(data, field::LENGTH) {
        fields.push(("total_len", U16(total_len)));
        payload_len = usize::from(total_len).saturating_sub(header_len);
    }
    if let Some(id) = partial::be16(data, field::IDENT) {
        fields.push(("id", U16(id)));
    }
    if let Some(word) = partial::be16(data, field::FLAGS_FRAG) {
        fields.push(("df", Bool(df(word))));
        fields.push(("mf", Bool(mf(word))));
        fields.push(("frag_offset", U16(frag_offset(word))));
    }
    if let Some(&ttl) = data.get(field::TTL) {
        fields.push(("ttl", U8(ttl)));
    }
    if let Some(&proto) = data.get(field::PROTOCOL) {
        fields.push(("proto", U8(proto)));
    }
    if let Some(checksum) = partial::be16(data, field::CHECKSUM) {
        fields.push(("checksum", U16(checksum)));
    }
    for (name, at) in [("src", field::SRC), ("dst", field::DST)] {
        if let Some(addr) = partial::be32(data, at) {
            fields.push((name, FieldValue::Ipv4(Ipv4Addr::from(addr))));
        }
    }
    (fields, payload_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Partial;

    /// A UDP datagram: 20-byte header, total length 28, DF set, plus 2 bytes of link padding.
    const UDP: [u8; 30] = [
        0x45, 0x10, 0x00, 0x1c, // version 4, IHL 5, TOS 0x10, total length 28
        0x12, 0x34, 0x40, 0x00, // id 0x1234, DF, offset 0
        0x40, 0x11, 0xab, 0xcd, // TTL 64, UDP, checksum
        0x0a, 0x00, 0x00, 0x01, // src 10.0.0.1
        0xc0, 0xa8, 0x01, 0x02, // dst 192.168.1.2
        0x00, 0x35, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00, // UDP header
        0x00, 0x00, // padding
    ];

    fn ipv4(d: &Decoded) -> &Ipv4 {
        match &d.layer {
            Layer::Ipv4(ip) => ip,
            other => panic!("not IPv4: {other:?}"),
        }
    }

    #[test]
    fn decodes_every_field() {
        let d = decode(&UDP, &mut None).unwrap();
        let ip = ipv4(&d);
        assert_eq!(
            *ip,
            Ipv4 {
                version: 4,
                ihl: 5,
                tos: 0x10,
                total_len: 28,
                id: 0x1234,
                df: true,
                mf: false,
                frag_offset: 0,
                ttl: 64,
                proto: 17,
                checksum: 0xabcd,
                src: Ipv4Addr::new(10, 0, 0, 1),
                dst: Ipv4Addr::new(192, 168, 1, 2),
                options: vec![],
                header_len: 20,
                payload_len: 8,
            }
        );
        assert_eq!((d.header_len, d.payload_len), (20, 8));
        assert_eq!(d.next, Some(ProtoId::Udp));
    }

    #[test]
    fn unknown_protocol_has_no_next() {
        let mut p = UDP;
        p[9] = 253; // reserved for experimentation: not decoded
        assert_eq!(decode(&p, &mut None).unwrap().next, None);
    }

    #[test]
    fn first_fragment_names_next_later_fragments_do_not() {
        let mut p = UDP;
        p[6] = 0x20; // MF, offset 0
        let d = decode(&p, &mut None).unwrap();
        let ip = ipv4(&d);
        assert!(ip.mf && !ip.df);
        assert_eq!(ip.frag_offset, 0);
        assert_eq!(d.next, Some(ProtoId::Udp));

        p[6..8].copy_from_slice(&[0x3f, 0xff]); // MF, largest offset
        let d = decode(&p, &mut None).unwrap();
        assert_eq!(ipv4(&d).frag_offset, 0x1fff * 8);
        assert!(ipv4(&d).mf);
        assert_eq!(d.next, None);
        assert_eq!((d.header_len, d.payload_len), (20, 8));
    }

    #[test]
    fn total_len_zero_takes_captured_rest() {
        // BIG TCP / TSO: tcpdump__bigtcp-ipv4.pcap frame 1 has total length 0 (tshark: ip.len
        // 80052 = the frame's bytes after Ethernet).
        let mut p = UDP;
        p[2..4].copy_from_slice(&[0, 0]);
        let d = decode(&p, &mut None).unwrap();
        assert_eq!(ipv4(&d).total_len, 0);
        assert_eq!(ipv4(&d).payload_len, 10);
        assert_eq!((d.header_len, d.payload_len), (20, 10));
    }

    #[test]
    fn total_len_beyond_capture_is_kept() {
        let mut p = UDP;
        p[2..4].copy_from_slice(&1500u16.to_be_bytes());
        let d = decode(&p, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (20, 1480));
    }

    /// The partial record of a bogus header (as tshark shows it: the fields before the bogus
    /// one), its bytes and the walker's note.
    fn bogus_record(data: &[u8]) -> (serde_json::Value, usize, String) {
        let mut note = None;
        let d = decode(data, &mut note).unwrap();
        assert_eq!((d.payload_len, d.next), (0, None));
        assert!(matches!(d.layer, Layer::Partial(_)), "{:?}", d.layer);
        let json = serde_json::to_value(&d.layer).unwrap();
        (json, d.header_len, note.unwrap().to_string())
    }

    #[test]
    fn bad_version_shows_the_version_alone() {
        let mut p = UDP;
        p[0] = 0x55;
        let (json, shown, why) = bogus_record(&p);
        assert_eq!(
            json,
            serde_json::json!({"protocol": "IPv4", "version": 5, "truncated": true,
                "header_len": 1, "payload_len": 0})
        );
        assert_eq!((shown, why.as_str()), (1, "IPv4 version 5, expected 4"));
    }

    #[test]
    fn version_6_is_handed_to_ipv6() {
        let mut p = UDP;
        p[0] = 0x60;
        let d = decode(&p, &mut None).unwrap();
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (0, 30, Some(ProtoId::Ipv6))
        );
        assert_eq!(
            serde_json::to_value(&d.layer).unwrap(),
            serde_json::json!({"protocol": "IPv4", "version": 6, "truncated": true,
                "header_len": 0, "payload_len": 30})
        );
        // Even a single byte: tshark's IPv4 dissector reads the version alone first.
        assert_eq!(
            decode(&p[..1], &mut None).unwrap().next,
            Some(ProtoId::Ipv6)
        );
    }

    #[test]
    fn ihl_below_5_shows_version_and_ihl() {
        let mut p = UDP;
        p[0] = 0x43;
        let (json, shown, why) = bogus_record(&p);
        assert_eq!(
            json,
            serde_json::json!({"protocol": "IPv4", "version": 4, "ihl": 3, "truncated": true,
                "header_len": 1, "payload_len": 0})
        );
        assert_eq!((shown, why.as_str()), (1, "IPv4 IHL 3 < 5"));
    }

    /// The partial record of a cut header and the walker's note.
    fn cut_short(data: &[u8]) -> (Partial, String) {
        let mut note = None;
        let d = decode(data, &mut note).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (data.len(), 0, None));
        let Layer::Partial(cut) = d.layer else {
            panic!("not partial: {:?}", d.layer)
        };
        (*cut, note.unwrap().to_string())
    }

    #[test]
    fn short_fixed_header_is_a_partial_layer() {
        let (cut, note) = cut_short(&UDP[..19]);
        assert_eq!(note, "IPv4 header needs 20 bytes, 19 captured");
        assert_eq!(cut.proto, ProtoId::Ipv4);
        assert_eq!(
            (
                cut.header_len,
                cut.payload_len,
                cut.field("src"),
                cut.field("dst")
            ),
            (
                19,
                8,
                Some(&FieldValue::Ipv4(Ipv4Addr::new(10, 0, 0, 1))),
                None
            )
        );
        let (cut, note) = cut_short(&[]);
        assert_eq!(note, "IPv4 header needs 20 bytes, 0 captured");
        assert!(cut.fields.is_empty());
        // tshark 4.0 adds the fields one by one: version and IHL after 1 byte, then TOS, total
        // length, id, flags and fragment offset, TTL, protocol, checksum, source.
        let names = |len: usize| -> Vec<&str> {
            cut_short(&UDP[..len])
                .0
                .fields
                .iter()
                .map(|(n, _)| *n)
                .collect()
        };
        assert_eq!(names(1), ["version", "ihl"]);
        assert_eq!(names(3), ["version", "ihl", "tos"]);
        assert_eq!(names(4).last(), Some(&"total_len"));
        assert_eq!(names(7).last(), Some(&"id"));
        assert_eq!(names(8)[5..], ["df", "mf", "frag_offset"]);
        assert_eq!(names(9).last(), Some(&"ttl"));
        assert_eq!(names(11).last(), Some(&"proto"));
        assert_eq!(names(15).last(), Some(&"checksum"));
        assert_eq!(names(16).last(), Some(&"src"));
    }

    #[test]
    fn header_cut_in_its_options_keeps_the_fixed_fields() {
        let mut p = UDP;
        p[0] = 0x46;
        let (cut, note) = cut_short(&p[..20]);
        assert_eq!(note, "IPv4 header needs 24 bytes, 20 captured");
        assert_eq!(cut.fields.len(), 13);
        assert_eq!(cut.field("ihl"), Some(&FieldValue::U8(6)));
        assert_eq!(
            cut.field("dst"),
            Some(&FieldValue::Ipv4(Ipv4Addr::new(192, 168, 1, 2)))
        );
        assert_eq!(cut.field("options"), None);
        assert_eq!(cut.payload_len, 4);
        p[0] = 0x4f;
        p[2..4].copy_from_slice(&100u16.to_be_bytes());
        let (_, note) = cut_short(&p);
        assert_eq!(note, "IPv4 header needs 60 bytes, 30 captured");
    }

    #[test]
    fn total_len_below_header_shows_the_first_four_bytes() {
        let mut p = UDP;
        p[2..4].copy_from_slice(&19u16.to_be_bytes());
        let (json, shown, why) = bogus_record(&p);
        assert_eq!(
            json,
            serde_json::json!({"protocol": "IPv4", "version": 4, "ihl": 5, "tos": 16,
                "total_len": 19, "truncated": true, "header_len": 4, "payload_len": 0})
        );
        assert_eq!(
            (shown, why.as_str()),
            (4, "IPv4 total length 19 < header length 20")
        );
        p[0] = 0x46;
        p[2..4].copy_from_slice(&20u16.to_be_bytes());
        assert_eq!(
            bogus_record(&p).2,
            "IPv4 total length 20 < header length 24"
        );
        // Checked before the options are: a header cut in its options is still bogus.
        assert_eq!(
            bogus_record(&p[..22]).2,
            "IPv4 total length 20 < header length 24"
        );
        // Exactly the header: no payload.
        p[2..4].copy_from_slice(&24u16.to_be_bytes());
        let d = decode(&p, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (24, 0));
    }

    /// pcpp__ipv4-options.pcap frame 3 (IGMP): Router Alert option. tshark: hdr_len 24, len 36,
    /// DF, ttl 1, proto 2, checksum 0xfa48, 10.0.0.138 → 224.0.0.1, option 148 len 4.
    #[test]
    fn router_alert_from_capture() {
        let frame: [u8; 36] = [
            0x46, 0x00, 0x00, 0x24, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xfa, 0x48, 0x0a, 0x00,
            0x00, 0x8a, 0xe0, 0x00, 0x00, 0x01, 0x94, 0x04, 0x00, 0x00, 0x11, 0x0a, 0xec, 0x78,
            0x00, 0x00, 0x00, 0x00, 0x02, 0x7d, 0x00, 0x00,
        ];
        let d = decode(&frame, &mut None).unwrap();
        assert_eq!(
            *ipv4(&d),
            Ipv4 {
                version: 4,
                ihl: 6,
                tos: 0,
                total_len: 36,
                id: 0,
                df: true,
                mf: false,
                frag_offset: 0,
                ttl: 1,
                proto: 2,
                checksum: 0xfa48,
                src: Ipv4Addr::new(10, 0, 0, 138),
                dst: Ipv4Addr::new(224, 0, 0, 1),
                options: vec![IpOption {
                    kind: 148,
                    name: "RouterAlert",
                    len: 4,
                    data: HexBytes(vec![0, 0]),
                }],
                header_len: 24,
                payload_len: 12,
            }
        );
        assert_eq!((d.header_len, d.payload_len), (24, 12));
        assert_eq!(d.next, Some(ProtoId::Igmp));
    }

    /// pcpp__ipv4-options.pcap frame 6: NOP then Strict Source Route (137, len 7, ptr 4).
    #[test]
    fn nop_and_ssrr_from_capture() {
        let frame: [u8; 28] = [
            0x47, 0x00, 0x00, 0x24, 0x33, 0x4c, 0x00, 0x00, 0x40, 0x01, 0x28, 0x71, 0x0a, 0x00,
            0x00, 0x06, 0x0a, 0x00, 0x00, 0x8a, 0x01, 0x89, 0x07, 0x04, 0x00, 0x00, 0x00, 0x00,
        ];
        let d = decode(&frame, &mut None).unwrap();
        let ip = ipv4(&d);
        assert_eq!((ip.ihl, ip.total_len, ip.id, ip.proto), (7, 36, 0x334c, 1));
        assert_eq!(
            ip.options,
            vec![
                IpOption {
                    kind: 1,
                    name: "NOP",
                    len: 1,
                    data: HexBytes::default(),
                },
                IpOption {
                    kind: 137,
                    name: "SSRR",
                    len: 7,
                    data: HexBytes(vec![4, 0, 0, 0, 0]),
                },
            ]
        );
        assert_eq!((d.header_len, d.payload_len), (28, 8));
        assert_eq!(d.next, Some(ProtoId::Icmp));
    }

    /// pcpp__ipv4-options.pcap frame 1: CIPSO (134, len 22) then EOL; tshark lists only these
    /// two (the byte after EOL is padding).
    #[test]
    fn eol_ends_the_list() {
        let opts = [
            0x86, 0x16, 0x00, 0x00, 0x00, 0x02, 0x02, 0x10, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02,
            0x00, 0x04, 0x00, 0x05, 0x00, 0x06, 0x00, 0xef, 0x00, 0x00,
        ];
        let list = parse_options(&opts);
        assert_eq!(list.len(), 2);
        assert_eq!(
            (list[0].kind, list[0].name, list[0].len),
            (134, "CIPSO", 22)
        );
        assert_eq!(list[0].data.0, &opts[2..22]);
        assert_eq!(
            list[1],
            IpOption {
                kind: 0,
                name: "EOL",
                len: 1,
                data: HexBytes::default()
            }
        );
    }

    #[test]
    fn option_names() {
        let names: Vec<_> = [0u8, 1, 7, 68, 130, 131, 136, 137, 148, 200]
            .into_iter()
            .map(option_name)
            .collect();
        assert_eq!(
            names,
            [
                "EOL",
                "NOP",
                "RR",
                "TS",
                "SEC",
                "LSRR",
                "SID",
                "SSRR",
                "RouterAlert",
                "Unknown"
            ]
        );
    }

    #[test]
    fn malformed_option_length_stops_options_not_header() {
        // NOP, then RR with length 0.
        assert_eq!(parse_options(&[1, 7, 0, 0]).len(), 1);
        // NOP, then RR with length 1.
        assert_eq!(parse_options(&[1, 7, 1, 0]).len(), 1);
        // RR whose length runs past the header.
        assert!(parse_options(&[7, 9, 4, 0]).is_empty());
        // A type byte with no length byte.
        assert_eq!(parse_options(&[1, 1, 1, 7]).len(), 3);

        let mut p = [0u8; 24];
        p[..20].copy_from_slice(&UDP[..20]);
        p[0] = 0x46;
        p[2..4].copy_from_slice(&24u16.to_be_bytes());
        p[20..24].copy_from_slice(&[1, 0x44, 0xff, 0]);
        let d = decode(&p, &mut None).unwrap();
        assert_eq!(ipv4(&d).options.len(), 1);
        assert_eq!((d.header_len, d.payload_len), (24, 0));
    }

    #[test]
    fn no_panic_on_any_prefix_or_ihl() {
        let mut p = [0u8; 64];
        p[..30].copy_from_slice(&UDP);
        for first in 0..=255u8 {
            p[0] = first;
            for len in 0..p.len() {
                let _ = decode(&p[..len], &mut None);
            }
        }
    }

    /// Through the walker: a raw-IP frame of a later fragment with 2 bytes of trailer is
    /// IPv4 then Raw of the 8 declared bytes; a first fragment goes on to UDP.
    #[test]
    fn walker_trims_and_stops_at_later_fragments() {
        use crate::capture::RawFrame;
        use crate::engine::native::NativeDissector;
        use crate::engine::{DissectOptions, Dissector};
        use crate::model::{LinkType, Raw};

        let mut p = UDP;
        p[6..8].copy_from_slice(&[0x00, 0x10]); // offset 16 units = 128 bytes
        let raw = RawFrame {
            number: 1,
            timestamp: None,
            len: p.len() as u32,
            link_type: LinkType::RAW,
            interface: None,
            data: &p,
        };
        let frame = NativeDissector.dissect(&raw, &DissectOptions::default());
        assert_eq!(frame.error, None);
        assert_eq!(frame.layers.len(), 2);
        assert_eq!(frame.layers[0].proto(), ProtoId::Ipv4);
        assert_eq!(
            frame.layers[1],
            Layer::Raw(Raw {
                header_len: 0,
                payload_len: 8
            })
        );

        let mut cut = UDP;
        cut[0] = 0x46;
        let raw = RawFrame {
            data: &cut[..22],
            len: 22,
            ..raw
        };
        let frame = NativeDissector.dissect(&raw, &DissectOptions::default());
        assert_eq!(frame.protocol_chain(), "IPv4");
        assert!(matches!(&frame.layers[0], Layer::Partial(cut) if cut.header_len == 22));
        let error = frame.error.unwrap();
        assert_eq!((error.layer, error.offset), (ProtoId::Ipv4, 0));
        assert_eq!(error.reason, "IPv4 header needs 24 bytes, 22 captured");
    }
}
