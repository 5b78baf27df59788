//! Layer 2 Tunnelling Protocol over UDP: version 2 (RFC 2661) and version 3 (RFC 3931).
//!
//! UDP port 1701 is only a hint: [`is_l2tp`] confirms the version in the flags word. A v2 data
//! message carries a PPP frame (then IP); a control message carries AVPs, of which the leading
//! Message Type AVP is decoded and the rest left `Raw`. An L2TPv3 data message's payload
//! (cookie and layer-2 sublayer of negotiated, unknown sizes) is left `Raw`.

use super::partial;
use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{FieldValue, L2tp, Layer, ProtoId};

/// Flag bits of the first word.
pub mod flags {
    /// Type: 1 control message, 0 data message.
    pub const T: u16 = 0x8000;
    /// Length field present.
    pub const L: u16 = 0x4000;
    /// Ns and Nr present.
    pub const S: u16 = 0x0800;
    /// Offset size present (v2).
    pub const O: u16 = 0x0200;
    /// Version nibble.
    pub const VERSION: u16 = 0x000f;
}

/// Length of an L2TPv3 control header over UDP (flags, length, connection id, Ns, Nr).
pub const V3_CONTROL_LEN: usize = 12;

/// Length of an L2TPv3 data header over UDP (flags, reserved, session id).
pub const V3_DATA_LEN: usize = 8;

/// Whether a UDP payload is an L2TP message: version 2 or 3 in the flags word.
pub fn is_l2tp(payload: &[u8]) -> bool {
    match payload {
        [a, b, ..] => matches!(u16::from_be_bytes([*a, *b]) & flags::VERSION, 2 | 3),
        _ => false,
    }
}

/// The name of a control message type (RFC 2661 and RFC 3931 abbreviations).
pub fn message_type_name(kind: u16) -> Option<&'static str> {
    Some(match kind {
        1 => "SCCRQ",
        2 => "SCCRP",
        3 => "SCCCN",
        4 => "StopCCN",
        6 => "HELLO",
        7 => "OCRQ",
        8 => "OCRP",
        9 => "OCCN",
        10 => "ICRQ",
        11 => "ICRP",
        12 => "ICCN",
        14 => "CDN",
        15 => "WEN",
        16 => "SLI",
        20 => "ACK",
        _ => return None,
    })
}

/// The message type of the Message Type AVP at the start of `avps` (mandatory AVP 0, vendor 0,
/// length 8), if that is what is there.
fn leading_message_type(avps: &[u8]) -> Option<u16> {
    let &[l0, l1, v0, v1, a0, a1, t0, t1] = avps.first_chunk::<8>()?;
    let len = u16::from_be_bytes([l0, l1]) & 0x03ff;
    let vendor = u16::from_be_bytes([v0, v1]);
    let attribute = u16::from_be_bytes([a0, a1]);
    (len == 8 && vendor == 0 && attribute == 0).then(|| u16::from_be_bytes([t0, t1]))
}

/// A cursor reading big-endian fields off a header whose length was checked first.
struct Fields<'a> {
    buffer: &'a [u8],
    at: usize,
}

impl Fields<'_> {
    fn u16(&mut self) -> u16 {
        let v = read::be16(self.buffer, self.at).unwrap_or(0);
        self.at += 2;
        v
    }

    fn u32(&mut self) -> u32 {
        let v = read::be32(self.buffer, self.at).unwrap_or(0);
        self.at += 4;
        v
    }
}

/// Decodes an L2TP header (version 2 or 3). A data message's header cut short is a partial
/// layer (`note` says where) with the fields that fit; a control message's has none (tshark
/// shows none until the whole message is captured).
///
/// The payload is `length − header_len` bytes when the length field is present, else the
/// captured rest. A length field shorter than the header is an error, as is any version but 2
/// and 3.
pub fn decode(data: &[u8], note: &mut Option<DecodeError>) -> DecodeResult {
    let Some(word) = read::be16(data, 0) else {
        return Err(DecodeError::truncated("L2TP header", 2, data.len()));
    };
    let decoded = match word & flags::VERSION {
        2 => decode_v2(data, word),
        3 => decode_v3(data, word),
        v => Err(DecodeError::other(format!(
            "L2TP version {v}, expected 2 or 3"
        ))),
    };
    match decoded {
        Err(why @ DecodeError::Truncated { .. }) => Ok(cut(data, word, why, note)),
        other => other,
    }
}

/// The partial layer of an L2TP header cut short (`why`), as tshark shows it. A v2 data
/// message: flags, length and the tunnel and session ids together once the session id is
/// captured, then Ns, Nr and the offset size each once captured. A v3 data message: the
/// flags from 2 bytes (its session id ends the header). A control message: nothing.
fn cut(data: &[u8], word: u16, why: DecodeError, note: &mut Option<DecodeError>) -> Decoded {
    let mut fields = partial::Fields::with_capacity(9);
    let has = |bit: u16| word & bit != 0;
    let version = (word & flags::VERSION) as u8;
    if !has(flags::T) {
        let ids_at = if has(flags::L) { 4 } else { 2 };
        if version == 3 || partial::be32(data, ids_at).is_some() {
            fields.push(("version", FieldValue::U8(version)));
            fields.push(("kind", FieldValue::Str("data")));
            fields.push(("flags", FieldValue::U16(word)));
        }
        if version == 2
            && let Some(ids) = partial::be32(data, ids_at)
        {
            if has(flags::L) {
                let len = partial::be16(data, 2).unwrap_or(0);
                fields.push(("len", FieldValue::U16(len)));
            }
            fields.push(("tunnel_id", FieldValue::U32(ids >> 16)));
            fields.push(("session_id", FieldValue::U32(ids & 0xffff)));
            let mut at = ids_at + 4;
            let optional = [
                ("ns", has(flags::S)),
                ("nr", has(flags::S)),
                ("offset", has(flags::O)),
            ];
            for (name, present) in optional {
                if present {
                    if let Some(v) = partial::be16(data, at) {
                        fields.push((name, FieldValue::U16(v)));
                    }
                    at += 2;
                }
            }
        }
    }
    partial::keep(ProtoId::L2tp, data, fields, 0, why, note)
}

/// The common tail of `decode_v2`/`decode_v3`: payload length, message type, next protocol.
fn finish(
    data: &[u8],
    mut l2tp: L2tp,
    header_len: usize,
    data_next: Option<ProtoId>,
) -> DecodeResult {
    let payload_len = match l2tp.len {
        Some(len) if usize::from(len) < header_len => {
            return Err(DecodeError::other(format!(
                "L2TP length {len} < header length {header_len}"
            )));
        }
        Some(len) => usize::from(len) - header_len,
        None => data.len().saturating_sub(header_len),
    };
    let control = l2tp.flags & flags::T != 0;
    if control {
        let end = header_len.saturating_add(payload_len).min(data.len());
        let avps = data.get(header_len..end).unwrap_or_default();
        l2tp.message_type = leading_message_type(avps);
        l2tp.message_type_name = if avps.is_empty() {
            Some("ZLB")
        } else {
            l2tp.message_type.and_then(message_type_name)
        };
    }
    l2tp.header_len = header_len as u32;
    l2tp.payload_len = payload_len as u32;
    Ok(Decoded {
        layer: Layer::L2tp(Box::new(l2tp)),
        header_len,
        payload_len,
        next: if control { None } else { data_next },
    })
}

/// Decodes an L2TPv2 header: flags, [length], tunnel id, session id, [Ns, Nr], [offset size,
/// offset padding].
fn decode_v2(data: &[u8], word: u16) -> DecodeResult {
    let has = |bit: u16| word & bit != 0;
    let fixed = 6
        + if has(flags::L) { 2 } else { 0 }
        + if has(flags::S) { 4 } else { 0 }
        + if has(flags::O) { 2 } else { 0 };
    if data.len() < fixed {
        return Err(DecodeError::truncated("L2TP header", fixed, data.len()));
    }
    let mut f = Fields {
        buffer: data,
        at: 2,
    };
    let len = has(flags::L).then(|| f.u16());
    let tunnel_id = f.u16();
    let session_id = f.u16();
    let (ns, nr) = if has(flags::S) {
        (Some(f.u16()), Some(f.u16()))
    } else {
        (None, None)
    };
    let offset = has(flags::O).then(|| f.u16());
    let header_len = fixed + usize::from(offset.unwrap_or(0));
    if data.len() < header_len {
        return Err(DecodeError::truncated(
            "L2TP header (with its offset padding)",
            header_len,
            data.len(),
        ));
    }
    let l2tp = L2tp {
        version: 2,
        kind: if has(flags::T) { "control" } else { "data" },
        flags: word,
        len,
        tunnel_id: Some(u32::from(tunnel_id)),
        session_id: Some(u32::from(session_id)),
        ns,
        nr,
        offset,
        message_type: None,
        message_type_name: None,
        header_len: 0,
        payload_len: 0,
    };
    finish(data, l2tp, header_len, Some(ProtoId::Ppp))
}

/// Decodes an L2TPv3-over-UDP header: control (flags, length, control connection id, Ns, Nr)
/// or data (flags, reserved, session id; the rest is left `Raw`).
fn decode_v3(data: &[u8], word: u16) -> DecodeResult {
    let control = word & flags::T != 0;
    let header_len = if control { V3_CONTROL_LEN } else { V3_DATA_LEN };
    if data.len() < header_len {
        return Err(DecodeError::truncated(
            "L2TPv3 header",
            header_len,
            data.len(),
        ));
    }
    let mut f = Fields {
        buffer: data,
        at: 2,
    };
    let l2tp = if control {
        L2tp {
            version: 3,
            kind: "control",
            flags: word,
            len: Some(f.u16()),
            tunnel_id: Some(f.u32()),
            session_id: None,
            ns: Some(f.u16()),
            nr: Some(f.u16()),
            offset: None,
            message_type: None,
            message_type_name: None,
            header_len: 0,
            payload_len: 0,
        }
    } else {
        let _reserved = f.u16();
        L2tp {
            version: 3,
            kind: "data",
            flags: word,
            len: None,
            tunnel_id: None,
            session_id: Some(f.u32()),
            ns: None,
            nr: None,
            offset: None,
            message_type: None,
            message_type_name: None,
            header_len: 0,
            payload_len: 0,
        }
    };
    finish(data, l2tp, header_len, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// dpkt__nb6-http.pcap frame 19, the UDP payload: data message with the offset bit
    /// (flags 0x0202), tunnel 18994, session 54110, offset 0, then PPP (FF 03 00 57 ...).
    const DATA_OFFSET: [u8; 14] = [
        0x02, 0x02, 0x4a, 0x32, 0xd3, 0x5e, 0x00, 0x00, 0xff, 0x03, 0x00, 0x57, 0x6e, 0x00,
    ];

    /// dpkt__nb6-http.pcap frame 22, the UDP payload: control message (flags 0xc802), length
    /// 20, tunnel 1527, session 0, Ns 15, Nr 2, and a Message Type AVP: HELLO (6).
    const HELLO: [u8; 20] = [
        0xc8, 0x02, 0x00, 0x14, 0x05, 0xf7, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x02, 0x80, 0x08, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x06,
    ];

    fn l2tp_of(d: &Decoded) -> &L2tp {
        let Layer::L2tp(l2tp) = &d.layer else {
            panic!("not L2TP: {:?}", d.layer)
        };
        l2tp
    }

    #[test]
    fn data_message_with_offset_carries_ppp() {
        let d = decode(&DATA_OFFSET, &mut None).unwrap();
        assert_eq!(
            *l2tp_of(&d),
            L2tp {
                version: 2,
                kind: "data",
                flags: 0x0202,
                len: None,
                tunnel_id: Some(18994),
                session_id: Some(54110),
                ns: None,
                nr: None,
                offset: Some(0),
                message_type: None,
                message_type_name: None,
                header_len: 8,
                payload_len: 6,
            }
        );
        assert_eq!((d.header_len, d.payload_len), (8, 6));
        assert_eq!(d.next, Some(ProtoId::Ppp));
    }

    #[test]
    fn offset_padding_is_skipped() {
        let mut padded = DATA_OFFSET;
        padded[7] = 2; // two bytes of padding before PPP
        let d = decode(&padded, &mut None).unwrap();
        assert_eq!((d.header_len, d.payload_len), (10, 4));
        padded[7] = 200;
        let (names, why) = cut_of(&padded);
        assert_eq!(
            why,
            "L2TP header (with its offset padding) needs 208 bytes, 14 captured"
        );
        assert_eq!(
            names,
            [
                "version",
                "kind",
                "flags",
                "tunnel_id",
                "session_id",
                "offset"
            ]
        );
    }

    #[test]
    fn control_message_with_message_type() {
        let d = decode(&HELLO, &mut None).unwrap();
        let l2tp = l2tp_of(&d);
        assert_eq!((l2tp.kind, l2tp.len), ("control", Some(20)));
        assert_eq!((l2tp.tunnel_id, l2tp.session_id), (Some(1527), Some(0)));
        assert_eq!((l2tp.ns, l2tp.nr), (Some(15), Some(2)));
        assert_eq!(
            (l2tp.message_type, l2tp.message_type_name),
            (Some(6), Some("HELLO"))
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (12, 8, None));
    }

    #[test]
    fn zero_length_body_is_zlb() {
        let mut zlb = HELLO;
        zlb[3] = 12;
        let d = decode(&zlb[..12], &mut None).unwrap();
        assert_eq!(l2tp_of(&d).message_type_name, Some("ZLB"));
        assert_eq!(d.payload_len, 0);
    }

    #[test]
    fn length_below_the_header_is_an_error() {
        let mut bad = HELLO;
        bad[3] = 11;
        assert_eq!(
            decode(&bad, &mut None).err().unwrap().to_string(),
            "L2TP length 11 < header length 12"
        );
    }

    #[test]
    fn length_past_the_end_is_kept() {
        let mut big = HELLO;
        big[2..4].copy_from_slice(&[0x01, 0x00]);
        let d = decode(&big, &mut None).unwrap();
        assert_eq!(d.payload_len, 256 - 12);
        assert_eq!(l2tp_of(&d).message_type, Some(6));
    }

    #[test]
    fn version_3_headers() {
        // Control: flags 0xc803, length 12, connection id 0x01020304, Ns 1, Nr 0.
        let control = [
            0xc8, 0x03, 0x00, 0x0c, 0x01, 0x02, 0x03, 0x04, 0x00, 0x01, 0x00, 0x00,
        ];
        let d = decode(&control, &mut None).unwrap();
        let l2tp = l2tp_of(&d);
        assert_eq!(
            (l2tp.version, l2tp.tunnel_id, l2tp.ns),
            (3, Some(0x01020304), Some(1))
        );
        assert_eq!((d.header_len, d.payload_len, d.next), (12, 0, None));
        // Data: flags 0x0003, reserved, session id 7, then 2 bytes of cookie/payload.
        let data = [0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0xaa, 0xbb];
        let d = decode(&data, &mut None).unwrap();
        assert_eq!(l2tp_of(&d).session_id, Some(7));
        assert_eq!((d.header_len, d.payload_len, d.next), (8, 2, None));
        let (names, why) = cut_of(&data[..7]);
        assert_eq!(why, "L2TPv3 header needs 8 bytes, 7 captured");
        assert_eq!(names, ["version", "kind", "flags"]);
    }

    #[test]
    fn content_confirms_the_port() {
        assert!(is_l2tp(&DATA_OFFSET));
        assert!(is_l2tp(&HELLO));
        assert!(!is_l2tp(&[0x00, 0x01, 0x00]));
        assert!(!is_l2tp(&[0x02]));
        assert_eq!(
            decode(&[0x00, 0x05], &mut None).err().unwrap().to_string(),
            "L2TP version 5, expected 2 or 3"
        );
    }

    /// The field names of a cut header and the note it leaves.
    fn cut_of(data: &[u8]) -> (Vec<&'static str>, String) {
        let mut note = None;
        let d = decode(data, &mut note).unwrap();
        let Layer::Partial(p) = d.layer else {
            panic!("not partial")
        };
        assert_eq!((p.proto, p.header_len), (ProtoId::L2tp, data.len() as u32));
        let names = p.fields.iter().map(|(n, _)| *n).collect();
        (names, note.unwrap().to_string())
    }

    #[test]
    fn short_headers_keep_the_fields_that_fit() {
        // A control message shows none; a data message its flags and ids once captured.
        let (names, why) = cut_of(&HELLO[..11]);
        assert_eq!(
            (names.len(), why.as_str()),
            (0, "L2TP header needs 12 bytes, 11 captured")
        );
        let (names, why) = cut_of(&DATA_OFFSET[..5]);
        assert_eq!(
            (names.len(), why.as_str()),
            (0, "L2TP header needs 8 bytes, 5 captured")
        );
        assert_eq!(cut_of(&DATA_OFFSET[..7]).0.len(), 5);
        assert_eq!(
            decode(&[0x02], &mut None).err().unwrap().to_string(),
            "L2TP header needs 2 bytes, 1 captured"
        );
    }

    /// Through the walker: IPv4/UDP 1701 carrying `payload`, on a raw-IP link.
    fn dissect_udp_1701(payload: &[u8]) -> crate::model::Frame {
        use crate::capture::RawFrame;
        use crate::engine::native::NativeDissector;
        use crate::engine::{DissectOptions, Dissector};
        use crate::model::LinkType;
        let udp_len = (8 + payload.len()) as u16;
        let total = 20 + udp_len;
        let mut frame = vec![
            0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        frame[2..4].copy_from_slice(&total.to_be_bytes());
        frame.extend([0x06, 0xa5, 0x06, 0xa5]);
        frame.extend(udp_len.to_be_bytes());
        frame.extend([0, 0]);
        frame.extend(payload);
        let raw = RawFrame {
            number: 1,
            timestamp: None,
            len: frame.len() as u32,
            link_type: LinkType::RAW,
            interface: None,
            data: &frame,
        };
        NativeDissector.dissect(&raw, &DissectOptions::default())
    }

    #[test]
    fn walker_l2tp_data_carries_ppp_and_ip() {
        // Data message (no optional fields), PPP FF 03 0021, then an IPv4 header with no payload.
        let mut payload = vec![0x00, 0x02, 0x05, 0xf7, 0x20, 0x6a, 0xff, 0x03, 0x00, 0x21];
        payload.extend([
            0x45, 0, 0, 20, 0, 0, 0, 0, 64, 59, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
        ]);
        let f = dissect_udp_1701(&payload);
        assert_eq!(f.protocol_chain(), "IPv4:UDP:L2TP:PPP:IPv4");
        assert_eq!(f.error, None);
        // The HELLO control message: L2TP then its AVPs as Raw.
        assert_eq!(
            dissect_udp_1701(&HELLO).protocol_chain(),
            "IPv4:UDP:L2TP:Raw"
        );
    }

    #[test]
    fn walker_port_1701_without_l2tp_content_is_raw() {
        let f = dissect_udp_1701(&[0x00, 0x01, 0x02, 0x03]);
        assert_eq!(f.protocol_chain(), "IPv4:UDP:Raw");
        assert_eq!(f.error, None);
    }
}
