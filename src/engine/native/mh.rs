//! IPv6 Mobility Header (RFC 6275): the header, the fields of the binding and return-routability
//! messages (BRR, HoTI, CoTI, HoT, CoT, BU, BA, BE), of the fast-handover, home-agent-switch,
//! heartbeat and binding-revocation messages (FBU, FBack, FNA, EMH, HAS, HB, HI, HAck, BR: types
//! 8-16) and the mobility options as a type/length list, all as tshark 4.0 reads them; and
//! RFC 6705's localized routing messages (LRI 17, LRA 18) by the RFC's layout, which tshark 4.0
//! reads from the header's first byte instead (`docs/DESIGN-NOTES.md`).

use super::partial::{self, Fields};
use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{FieldValue, HexBytes, Layer, Mh, MhOption, ProtoId};
use std::net::Ipv6Addr;

/// Field offsets of the Mobility Header.
mod field {
    pub const PAYLOAD_PROTO: usize = 0;
    /// Header length in 8-byte units, not counting the first 8 bytes.
    pub const HDR_LEN: usize = 1;
    pub const MH_TYPE: usize = 2;
    pub const CHECKSUM: usize = 4;
    /// Start of the message data.
    pub const DATA: usize = 6;
}

/// The smallest Mobility Header (hdr_len 0).
pub const MIN_HEADER_LEN: usize = 8;

/// The last Mobility Header type tshark 4.0 decodes (18, Localized Routing Acknowledgment);
/// pcapkit shows the data of types past it as tshark does.
const LAST_TYPE_TSHARK_DECODES: u8 = 18;

/// The most mobility options listed for one message.
const MAX_OPTIONS: usize = 256;

/// A view over a Mobility Header whose whole length ((hdr_len + 1)·8) is captured.
pub struct Packet<'a> {
    buffer: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that the whole header, (hdr_len + 1)·8 bytes, is captured.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(fixed) = buffer.first_chunk::<MIN_HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "Mobility Header",
                MIN_HEADER_LEN,
                buffer.len(),
            ));
        };
        let len = (usize::from(fixed[field::HDR_LEN]) + 1) * 8;
        let Some(buffer) = buffer.get(..len) else {
            return Err(DecodeError::truncated("Mobility Header", len, buffer.len()));
        };
        Ok(Packet { buffer })
    }

    fn be16(&self, at: usize) -> Option<u16> {
        partial::be16(self.buffer, at)
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.buffer.get(at).copied()
    }

    fn bytes(&self, at: usize, len: usize) -> Option<&'a [u8]> {
        self.buffer.get(at..at.checked_add(len)?)
    }

    fn addr(&self, at: usize) -> Option<Ipv6Addr> {
        Some(Ipv6Addr::from(
            <[u8; 16]>::try_from(self.bytes(at, 16)?).ok()?,
        ))
    }

    /// The message data after the checksum, as bytes, if any.
    fn data(&self) -> Option<HexBytes> {
        let data = self.buffer.get(field::DATA..).filter(|d| !d.is_empty())?;
        Some(HexBytes(data.to_vec()))
    }

    /// Payload protocol (59: none).
    pub fn payload_proto(&self) -> u8 {
        self.byte(field::PAYLOAD_PROTO).unwrap_or_default()
    }

    /// Header length field (8-byte units beyond the first 8 bytes).
    pub fn hdr_len(&self) -> u8 {
        self.byte(field::HDR_LEN).unwrap_or_default()
    }

    /// Header length in bytes.
    pub fn header_len(&self) -> usize {
        self.buffer.len()
    }

    /// Mobility Header type.
    pub fn mh_type(&self) -> u8 {
        self.byte(field::MH_TYPE).unwrap_or_default()
    }

    /// Checksum as carried.
    pub fn checksum(&self) -> u16 {
        self.be16(field::CHECKSUM).unwrap_or_default()
    }
}

/// The short name of a Mobility Header type, if known.
pub fn type_name(mh_type: u8) -> Option<&'static str> {
    Some(match mh_type {
        0 => "BRR",
        1 => "HoTI",
        2 => "CoTI",
        3 => "HoT",
        4 => "CoT",
        5 => "BU",
        6 => "BA",
        7 => "BE",
        8 => "FBU",
        9 => "FBack",
        10 => "FNA",
        11 => "EMH",
        12 => "HAS",
        13 => "HB",
        14 => "HI",
        15 => "HAck",
        16 => "BR",
        17 => "LRI",
        18 => "LRA",
        _ => return None,
    })
}

/// The name of a mobility option type, or `Unknown`.
pub fn option_name(kind: u8) -> &'static str {
    match kind {
        0 => "Pad1",
        1 => "PadN",
        2 => "BindingRefreshAdvice",
        3 => "AlternateCareofAddress",
        4 => "NonceIndices",
        5 => "AuthorizationData",
        6 => "MobileNetworkPrefix",
        7 => "LinkLayerAddress",
        8 => "MN-ID",
        9 => "AUTH",
        10 => "MESG-ID",
        11 => "CGA-ParametersRequest",
        12 => "CGA-Parameters",
        13 => "Signature",
        14 => "PermanentHomeKeygenToken",
        15 => "Care-ofTestInit",
        16 => "Care-ofTest",
        _ => "Unknown",
    }
}

/// Where a message type's fixed fields end and its mobility options start (the same place
/// except for HAS), and the message's name for errors; `None` for types whose layout pcapkit
/// does not decode. `data` is the captured message, for HAS's address count.
fn layout(mh_type: u8, data: &[u8]) -> Option<(usize, Option<usize>, &'static str)> {
    let (fixed, options_at, name) = match mh_type {
        0 => (8, 8, "BRR"),
        1 | 2 => (16, 16, "HoTI/CoTI"),
        3 | 4 => (24, 24, "HoT/CoT"),
        5 => (12, 12, "BU"),
        6 => (12, 12, "BA"),
        7 => (24, 24, "BE"),
        // RFC 5568 fast handovers: FBU is laid out as BU, FBack as BA; FNA has 2 reserved bytes.
        8 => (12, 12, "FBU"),
        9 => (12, 12, "FBack"),
        10 => (8, 8, "FNA"),
        // RFC 5096 experimental: its data (tshark's `mip6.em.data`), no options.
        11 => return Some((6, None, "EMH")),
        // RFC 5142: count, reserved, the addresses. Wireshark 4.0 starts the options 6 bytes
        // early (at 2 + 16·n, the address block's length taken from the header's start).
        12 => {
            let n = 16 * usize::from(data.get(field::DATA).copied().unwrap_or_default());
            (8 + n, 2 + n, "HAS")
        }
        // RFC 5847: reserved and U/R flags, a 32-bit sequence number.
        13 => (12, 12, "HB"),
        // RFC 5568: sequence number, flags (HI) or reserved (HAck), code.
        14 => (10, 10, "HI"),
        15 => (10, 10, "HAck"),
        // RFC 5846: type, trigger or status, sequence number, flags.
        16 => (12, 12, "BR"),
        // RFC 6705: sequence number, reserved (LRI) or U flag and status (LRA), lifetime.
        17 => (12, 12, "LRI"),
        18 => (12, 12, "LRA"),
        _ => return None,
    };
    Some((fixed, Some(options_at), name))
}

/// Decodes a Mobility Header; `declared` is the length the IPv6 header leaves for it. Its
/// payload protocol is not followed: tshark shows nothing after a Mobility Header (no `data`,
/// whatever the payload protocol says), so the bytes after it are no layer either.
///
/// The fixed fields are read from the captured message even past the header's length, as
/// tshark reads them (a BU with hdr_len 0 and 8 more bytes shows its lifetime), and only when
/// all of them are captured (HAS: all its addresses). A header cut by the snap length is a
/// partial layer with the fields of its first 6 bytes that fit and the message's fixed fields
/// if all are captured. A header too short for its
/// message's fixed fields (tshark shows it, malformed) keeps no options;
/// `note` says what is missing in both cases.
pub fn decode(data: &[u8], declared: usize, note: &mut Option<DecodeError>) -> DecodeResult {
    let packet = match Packet::new_checked(data) {
        Ok(packet) => packet,
        Err(why) => return Ok(partial::keep(ProtoId::Mh, data, cut(data), 0, why, note)),
    };
    let header_len = packet.header_len();
    let mh_type = packet.mh_type();
    let mut mh = empty(&packet);
    if let Some((fixed, options_at, what)) = layout(mh_type, data) {
        message_fields(&mut mh, data, fixed);
        if header_len < fixed {
            *note = Some(DecodeError::other(format!(
                "MH {what} needs {fixed} bytes, header length is {header_len}"
            )));
        } else if let Some(at) = options_at {
            parse_options(&packet, at, &mut mh);
        } else if mh.hdr_len > 0 {
            mh.data = packet.data();
        }
    } else if mh_type > LAST_TYPE_TSHARK_DECODES {
        mh.data = packet.data();
    }
    let payload_len = declared.saturating_sub(header_len);
    mh.payload_len = u32::try_from(payload_len).unwrap_or(u32::MAX);
    Ok(Decoded {
        layer: Layer::Mh(Box::new(mh)),
        header_len,
        payload_len: 0,
        next: None,
    })
}

/// The record of `packet`'s first 6 bytes, no message field set yet.
fn empty(packet: &Packet<'_>) -> Mh {
    let mh_type = packet.mh_type();
    Mh {
        next_header: packet.payload_proto(),
        hdr_len: packet.hdr_len(),
        mh_type,
        type_name: type_name(mh_type),
        checksum: packet.checksum(),
        seq: None,
        flags: None,
        hb_seq: None,
        code: None,
        br_type: None,
        trigger: None,
        num_addrs: None,
        home_agents: Vec::new(),
        data: None,
        lifetime: None,
        status: None,
        nonce_index: None,
        cookie: None,
        keygen_token: None,
        home_address: None,
        care_of_address: None,
        home_nonce_index: None,
        careof_nonce_index: None,
        refresh_interval: None,
        options: Vec::new(),
        header_len: packet.header_len() as u32,
        payload_len: 0,
    }
}

/// Sets the fixed fields of `mh`'s message type from the captured message `data`, if all of
/// them (the first `fixed` bytes) are captured: tshark adds a message's fields only then.
fn message_fields(mh: &mut Mh, data: &[u8], fixed: usize) {
    if data.len() < fixed {
        return;
    }
    let message = Fixed(data);
    let d = field::DATA;
    match mh.mh_type {
        1 | 2 => mh.cookie = message.hex(d + 2, 8),
        3 | 4 => {
            mh.nonce_index = message.be16(d);
            mh.cookie = message.hex(d + 2, 8);
            mh.keygen_token = message.hex(d + 10, 8);
        }
        5 | 8 => {
            mh.seq = message.be16(d);
            mh.flags = message.be16(d + 2);
            mh.lifetime = message.be16(d + 4);
        }
        6 | 9 => {
            mh.status = message.byte(d);
            mh.flags = message.byte(d + 1).map(u16::from);
            mh.seq = message.be16(d + 2);
            mh.lifetime = message.be16(d + 4);
        }
        7 => {
            mh.status = message.byte(d);
            mh.home_address = message.addr(d + 2);
        }
        12 => {
            mh.num_addrs = message.byte(d);
            mh.home_agents = (d + 2..fixed)
                .step_by(16)
                .filter_map(|at| message.addr(at))
                .collect();
        }
        13 => {
            mh.flags = message.be16(d);
            mh.hb_seq = partial::be32(data, d + 2);
        }
        14 | 15 => {
            mh.seq = message.be16(d);
            if mh.mh_type == 14 {
                mh.flags = message.byte(d + 2).map(u16::from);
            }
            mh.code = message.byte(d + 3);
        }
        // Only indications (1) and acknowledgements (2) show their fields, type included.
        16 => {
            let br_type = message.byte(d);
            match br_type {
                Some(1) => mh.trigger = message.byte(d + 1),
                Some(2) => mh.status = message.byte(d + 1),
                _ => {}
            }
            if matches!(br_type, Some(1 | 2)) {
                mh.br_type = br_type;
                mh.seq = message.be16(d + 2);
                mh.flags = message.be16(d + 4);
            }
        }
        17 | 18 => {
            mh.seq = message.be16(d);
            if mh.mh_type == 18 {
                mh.flags = message.byte(d + 2).map(u16::from);
                mh.status = message.byte(d + 3);
            }
            mh.lifetime = message.be16(d + 4);
        }
        _ => {}
    }
}

/// The captured message from the Mobility Header's start, for fixed fields that tshark reads
/// even past the header's length.
struct Fixed<'a>(&'a [u8]);

impl Fixed<'_> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.0.get(at).copied()
    }

    fn be16(&self, at: usize) -> Option<u16> {
        partial::be16(self.0, at)
    }

    fn hex(&self, at: usize, len: usize) -> Option<HexBytes> {
        let bytes = self.0.get(at..at.checked_add(len)?)?;
        Some(HexBytes(bytes.to_vec()))
    }

    fn addr(&self, at: usize) -> Option<Ipv6Addr> {
        let bytes = self.0.get(at..)?.first_chunk::<16>()?;
        Some(Ipv6Addr::from(*bytes))
    }
}

/// Lists the mobility options from `at` to the end of the header and takes the values of the
/// Binding Refresh Advice, Alternate Care-of Address and Nonce Indices options. An option whose
/// length runs past the header ends the list.
fn parse_options(packet: &Packet<'_>, mut at: usize, mh: &mut Mh) {
    let area = packet.buffer;
    while mh.options.len() < MAX_OPTIONS {
        let Some(&kind) = area.get(at) else {
            break;
        };
        if kind == 0 {
            mh.options.push(MhOption {
                kind,
                name: option_name(kind),
                len: 0,
            });
            at += 1;
            continue;
        }
        let Some(&len) = area.get(at + 1) else {
            break;
        };
        let data_at = at + 2;
        let end = data_at + usize::from(len);
        if end > area.len() {
            break;
        }
        match (kind, len) {
            (2, 2) => mh.refresh_interval = packet.be16(data_at),
            (3, 16) => mh.care_of_address = packet.addr(data_at),
            (4, 4) => {
                mh.home_nonce_index = packet.be16(data_at);
                mh.careof_nonce_index = packet.be16(data_at + 2);
            }
            _ => {}
        }
        mh.options.push(MhOption {
            kind,
            name: option_name(kind),
            len,
        });
        at = end;
    }
}

/// The fields of a header cut by the snap length, each once its bytes are captured, then its
/// message's fixed fields once all of them are (the options and data are not shown: tshark
/// stops at the cut).
fn cut(data: &[u8]) -> Fields {
    let mut fields = Fields::with_capacity(4);
    for (name, at) in [
        ("next_header", field::PAYLOAD_PROTO),
        ("hdr_len", field::HDR_LEN),
        ("type", field::MH_TYPE),
    ] {
        if let Some(&value) = data.get(at) {
            fields.push((name, FieldValue::U8(value)));
        }
    }
    if let Some(checksum) = partial::be16(data, field::CHECKSUM) {
        fields.push(("checksum", FieldValue::U16(checksum)));
    }
    let Some((fixed, _, _)) = data.get(field::MH_TYPE).and_then(|&t| layout(t, data)) else {
        return fields;
    };
    let mut mh = empty(&Packet { buffer: data });
    message_fields(&mut mh, data, fixed);
    // In the complete record's order.
    let numbers = [
        ("seq", mh.seq.map(FieldValue::U16)),
        ("flags", mh.flags.map(FieldValue::U16)),
        ("hb_seq", mh.hb_seq.map(FieldValue::U32)),
        ("code", mh.code.map(FieldValue::U8)),
        ("br_type", mh.br_type.map(FieldValue::U8)),
        ("trigger", mh.trigger.map(FieldValue::U8)),
        ("num_addrs", mh.num_addrs.map(FieldValue::U8)),
    ];
    fields.extend(numbers.into_iter().filter_map(|(n, v)| Some((n, v?))));
    if !mh.home_agents.is_empty() {
        fields.push(("home_agents", FieldValue::Ipv6List(mh.home_agents)));
    }
    let rest = [
        ("lifetime", mh.lifetime.map(FieldValue::U16)),
        ("status", mh.status.map(FieldValue::U8)),
        ("nonce_index", mh.nonce_index.map(FieldValue::U16)),
        ("cookie", mh.cookie.map(FieldValue::Bytes)),
        ("keygen_token", mh.keygen_token.map(FieldValue::Bytes)),
        ("home_address", mh.home_address.map(FieldValue::Ipv6)),
    ];
    fields.extend(rest.into_iter().filter_map(|(n, v)| Some((n, v?))));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mh(d: &Decoded) -> &Mh {
        match &d.layer {
            Layer::Mh(mh) => mh,
            other => panic!("not MH: {other:?}"),
        }
    }

    fn opt(kind: u8, len: u8) -> MhOption {
        MhOption {
            kind,
            name: option_name(kind),
            len,
        }
    }

    /// tcpdump__ipv6_mobility_1.pcap frame 10: BU, seq 1000, A flag, lifetime 3600, options
    /// ACoA, Nonce Indices, Authorization Data, PadN (56 bytes).
    const BU: [u8; 56] = [
        0x3b, 0x06, 0x05, 0x00, 0x00, 0x00, 0x03, 0xe8, 0x80, 0x00, 0x0e, 0x10, // header
        0x03, 0x10, 0x20, 0x01, 0x06, 0x60, 0x47, 0x01, 0xf0, 0x04, 0x02, 0x0d, 0x54, 0xff, 0xfe,
        0x98, 0xbc, 0x93, // ACoA
        0x04, 0x04, 0x04, 0xd2, 0x16, 0x2e, // nonce indices 1234, 5678
        0x05, 0x0c, 0x81, 0x01, 0x73, 0x8d, 0x51, 0x7d, 0x51, 0x69, 0x40, 0xec, 0x06,
        0x11, // authorization data
        0x01, 0x04, 0x00, 0x00, 0x00, 0x00, // PadN
    ];

    #[test]
    fn binding_update_from_capture() {
        let d = decode(&BU, 56, &mut None).unwrap();
        let m = mh(&d);
        assert_eq!(
            (m.next_header, m.hdr_len, m.mh_type, m.type_name, m.checksum),
            (59, 6, 5, Some("BU"), 0)
        );
        assert_eq!(
            (m.seq, m.flags, m.lifetime),
            (Some(1000), Some(0x8000), Some(3600))
        );
        assert_eq!(
            m.care_of_address,
            Some("2001:660:4701:f004:20d:54ff:fe98:bc93".parse().unwrap())
        );
        assert_eq!(
            (m.home_nonce_index, m.careof_nonce_index),
            (Some(1234), Some(5678))
        );
        assert_eq!(
            m.options,
            vec![opt(3, 16), opt(4, 4), opt(5, 12), opt(1, 4)]
        );
        assert_eq!((m.header_len, m.payload_len), (56, 0));
        assert_eq!((d.header_len, d.payload_len, d.next), (56, 0, None));
    }

    #[test]
    fn home_test_and_binding_ack_and_error() {
        // frame 4: HoT, nonce index 2314, cookie, keygen token.
        let hot: [u8; 24] = [
            0x3b, 0x02, 0x03, 0x00, 0x00, 0x00, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
            0x04, 0xd2, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
        ];
        let d = decode(&hot, 24, &mut None).unwrap();
        let m = mh(&d);
        assert_eq!((m.type_name, m.nonce_index), (Some("HoT"), Some(2314)));
        assert_eq!(m.cookie.as_ref().unwrap().to_string(), "0b0c0d0e0f1004d2");
        assert_eq!(
            m.keygen_token.as_ref().unwrap().to_string(),
            "1112131415161718"
        );
        // frame 12: BA, status 0, seq 1000, lifetime 3600, Binding Refresh Advice 1800.
        let ba: [u8; 16] = [
            0x3b, 0x01, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, 0x0e, 0x10, 0x02, 0x02,
            0x07, 0x08,
        ];
        let d = decode(&ba, 16, &mut None).unwrap();
        let m = mh(&d);
        assert_eq!(
            (m.status, m.seq, m.lifetime, m.refresh_interval),
            (Some(0), Some(1000), Some(3600), Some(1800))
        );
        assert_eq!(m.options, vec![opt(2, 2)]);
        // frame 15: BE, status 1, home address 2001:db8::1.
        let mut be = [0u8; 24];
        be[..8].copy_from_slice(&[0x3b, 0x02, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00]);
        be[8..10].copy_from_slice(&[0x20, 0x01]);
        be[10..12].copy_from_slice(&[0x0d, 0xb8]);
        be[23] = 1;
        let d = decode(&be, 24, &mut None).unwrap();
        let m = mh(&d);
        assert_eq!((m.status, m.type_name), (Some(1), Some("BE")));
        assert_eq!(m.home_address, Some("2001:db8::1".parse().unwrap()));
        assert!(m.options.is_empty());
    }

    #[test]
    fn brr_and_pad1_options() {
        // frame 16: BU with four Pad1 options.
        let bu: [u8; 16] = [
            0x3b, 0x01, 0x05, 0x00, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x0e, 0x10, 0, 0, 0, 0,
        ];
        let d = decode(&bu, 16, &mut None).unwrap();
        assert_eq!(mh(&d).options, vec![opt(0, 0); 4]);
        // frame 1: BRR, 8 bytes, no options.
        let brr = [0x3b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        let d = decode(&brr, 8, &mut None).unwrap();
        let m = mh(&d);
        assert_eq!(
            (m.type_name, m.options.len(), m.seq),
            (Some("BRR"), 0, None)
        );
    }

    /// What `decode` keeps of `data` and its note.
    fn noted(data: &[u8]) -> (Decoded, String) {
        let mut note = None;
        let d = decode(data, data.len(), &mut note).unwrap();
        (d, note.unwrap().to_string())
    }

    #[test]
    fn malformed_lengths() {
        let (d, note) = noted(&BU[..7]);
        assert_eq!(note, "Mobility Header needs 8 bytes, 7 captured");
        let Layer::Partial(cut) = d.layer else {
            panic!("not partial")
        };
        assert_eq!(
            cut.fields,
            [
                ("next_header", FieldValue::U8(59)),
                ("hdr_len", FieldValue::U8(6)),
                ("type", FieldValue::U8(5)),
                ("checksum", FieldValue::U16(0)),
            ]
        );
        let (d, note) = noted(&BU[..40]);
        assert_eq!(note, "Mobility Header needs 56 bytes, 40 captured");
        assert_eq!(d.header_len, 40);
        // A BU with hdr_len 0 has no room for its fixed fields: tshark still shows it
        // (malformed), without the fields, which are not all captured.
        let mut short = [0u8; 8];
        short[2] = 5;
        short[6..8].copy_from_slice(&[0x03, 0xe8]);
        let (d, note) = noted(&short);
        assert_eq!(note, "MH BU needs 12 bytes, header length is 8");
        let m = mh(&d);
        assert_eq!(
            (m.type_name, m.seq, m.flags, m.lifetime),
            (Some("BU"), None, None, None)
        );
        assert_eq!((d.header_len, d.payload_len), (8, 0));
        // An option running past the header ends the list.
        let mut bu = BU;
        bu[13] = 0x30;
        let d = decode(&bu, 56, &mut None).unwrap();
        assert!(mh(&d).options.is_empty());
        assert_eq!(mh(&d).care_of_address, None);
        // An unknown type: header only; the record counts the bytes after it.
        let mut unk = [0u8; 16];
        unk[2] = 200;
        let d = decode(&unk[..8], 16, &mut None).unwrap();
        assert_eq!((mh(&d).type_name, mh(&d).payload_len), (None, 8));
        assert_eq!(
            d.payload_len, 0,
            "tshark shows nothing after a Mobility Header"
        );
    }

    /// Fast handovers (RFC 5568): FBU and FBack are laid out as BU and BA (tshark's
    /// `mip6.fbu.*`, `mip6.fback.*`).
    #[test]
    fn localized_routing_initiation_and_acknowledgment() {
        // RFC 6705 §8.1 LRI: seq 4660, reserved, lifetime 300; then a Binding Refresh Advice
        // of 1800 (its options start at 12) and a PadN of 2.
        let lri: [u8; 24] = [
            59, 2, 17, 0, 0xbe, 0xef, 0x12, 0x34, 0, 0, 0x01, 0x2c, 2, 2, 0x07, 0x08, 1, 6, 0, 0,
            0, 0, 0, 0,
        ];
        let d = decode(&lri, 24, &mut None).unwrap();
        let m = mh(&d);
        assert_eq!(
            (m.type_name, m.seq, m.flags, m.lifetime, m.status),
            (Some("LRI"), Some(0x1234), None, Some(300), None)
        );
        assert_eq!((m.refresh_interval, m.checksum), (Some(1800), 0xbeef));
        assert_eq!(m.options, vec![opt(2, 2), opt(1, 6)]);
        // RFC 6705 §8.2 LRA: seq 4661, U set, status 128, lifetime 0xffff, no option.
        let lra: [u8; 16] = [
            59, 1, 18, 0, 0, 0, 0x12, 0x35, 0x80, 128, 0xff, 0xff, 0, 0, 0, 0,
        ];
        let d = decode(&lra, 16, &mut None).unwrap();
        let m = mh(&d);
        assert_eq!(
            (m.type_name, m.seq, m.flags, m.status, m.lifetime),
            (
                Some("LRA"),
                Some(0x1235),
                Some(0x80),
                Some(128),
                Some(0xffff)
            )
        );
        assert_eq!(m.options, vec![opt(0, 0); 4]);
        // hdr_len 0: 8 bytes, short of the 12 fixed ones, and nothing captured past them.
        let (d, why) = noted(&[59, 0, 18, 0, 0, 0, 0x12, 0x35]);
        assert_eq!((mh(&d).seq, mh(&d).lifetime), (None, None));
        assert_eq!(why, "MH LRA needs 12 bytes, header length is 8");
    }

    #[test]
    fn fast_binding_update_and_ack() {
        let mut fbu = BU;
        fbu[2] = 8;
        let d = decode(&fbu, 56, &mut None).unwrap();
        let m = mh(&d);
        assert_eq!(
            (m.type_name, m.seq, m.flags, m.lifetime),
            (Some("FBU"), Some(1000), Some(0x8000), Some(3600))
        );
        assert_eq!(m.options.len(), 4);
        let fback: [u8; 16] = [
            0x3b, 0x01, 0x09, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x64, 0x00, 0x32, 0x01, 0x02,
            0x00, 0x00,
        ];
        let d = decode(&fback, 16, &mut None).unwrap();
        let m = mh(&d);
        assert_eq!(
            (m.type_name, m.status, m.flags, m.seq, m.lifetime),
            (Some("FBack"), Some(0), Some(0x80), Some(100), Some(50))
        );
        assert_eq!(m.options, vec![opt(1, 2)]);
    }

    #[test]
    fn no_panic_on_random_bytes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..300 {
            let mut bytes = super::super::test_random_bytes(&mut seed, 128);
            bytes[1] = (round % 16) as u8;
            bytes[2] = (round % 9) as u8;
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], len, &mut None);
                let _ = decode(&bytes[..len], usize::MAX, &mut None);
            }
        }
    }
}
