//! Prism monitoring header (link type 119, `IEEE802_11_PRISM`): the 144-byte header the old
//! Linux wlan-ng and HostAP drivers put in front of an 802.11 frame.
//!
//! The header is a message code (0x44 or 0x41), a message length, a 16-byte device name and ten
//! 12-byte items ("DIDs": a code, a status, 0 when the value is there, 1 when absent, a length
//! and a 32-bit value). Its byte order is the capturing host's: as Wireshark does, the message
//! code is read big-endian first, then little-endian, and the header is read in the order that
//! matched. A link-type-119 frame whose first word is neither code is a bare 802.11 frame
//! (Wireshark's fallback, [`first_protocol`]); the AVS header some drivers also write under
//! this link type is not decoded. The 802.11 frame after the header carries no FCS.

use super::{DecodeError, DecodeResult, Decoded, partial};
use crate::model::{FieldValue, Layer, Prism, ProtoId};

/// Length of the header (message code, length, device name and ten items).
pub const HEADER_LEN: usize = 144;

/// The two message codes Wireshark accepts (monitor frames of the two driver families).
pub const MSGCODES: [u32; 2] = [0x44, 0x41];

/// AVS capture header cookies (big-endian first word): the AVS header is not decoded.
const AVS_COOKIES: [u32; 2] = [0x8021_1001, 0x8021_1002];

/// Where the items start (after code, length and device name).
const ITEMS_AT: usize = 24;

/// Length of one item: code (4), status (2), length (2), value (4).
const ITEM_LEN: usize = 12;

/// The byte order the header's first word is a Prism message code in (big-endian tried first),
/// `None` when it is in neither.
fn byte_order(data: &[u8]) -> Option<bool> {
    let word = data.first_chunk::<4>()?;
    if MSGCODES.contains(&u32::from_be_bytes(*word)) {
        Some(true)
    } else if MSGCODES.contains(&u32::from_le_bytes(*word)) {
        Some(false)
    } else {
        None
    }
}

/// The first protocol of a link-type-119 frame: Prism where the first word is a message code
/// or fewer than 4 bytes are captured to tell (tshark names `prism` then, its dissector being
/// called), nothing where it is an AVS cookie, else a bare 802.11 frame.
pub fn first_protocol(data: &[u8]) -> Option<ProtoId> {
    let Some(word) = data.first_chunk::<4>() else {
        return Some(ProtoId::Prism);
    };
    if byte_order(data).is_some() {
        Some(ProtoId::Prism)
    } else if AVS_COOKIES.contains(&u32::from_be_bytes(*word)) {
        None
    } else {
        Some(ProtoId::Ieee80211)
    }
}

/// Decodes a Prism header; `declared` is the frame's original length. A header cut after its
/// message code keeps the code and length that fit (a partial layer, `partial` set).
pub fn decode(data: &[u8], declared: usize, partial: &mut Option<DecodeError>) -> DecodeResult {
    let why = || DecodeError::truncated("Prism header", HEADER_LEN, data.len());
    if data.len() < 4 {
        return Err(why());
    }
    let Some(big_endian) = byte_order(data) else {
        return Err(DecodeError::other(
            "Prism message code is neither 0x44 nor 0x41".to_owned(),
        ));
    };
    let word = |at: usize| {
        let b: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let Some(header) = data.first_chunk::<HEADER_LEN>() else {
        let fields = [("msgcode", word(0)), ("msglen", word(4))]
            .into_iter()
            .filter_map(|(name, v)| Some((name, FieldValue::U32(v?))))
            .collect();
        return Ok(partial::keep(
            ProtoId::Prism,
            data,
            fields,
            0,
            why(),
            partial,
        ));
    };
    let u32_at = |at: usize| word(at).unwrap_or(0);
    let u16_at = |at: usize| {
        let b: [u8; 2] = header.get(at..at + 2).and_then(|b| b.try_into().ok())?;
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let name = header.get(8..ITEMS_AT).unwrap_or_default();
    let name = name.split(|&b| b == 0).next().unwrap_or_default();
    let mut prism = Prism {
        msgcode: u32_at(0),
        msglen: u32_at(4),
        devname: String::from_utf8_lossy(name).into_owned(),
        hosttime: None,
        mactime: None,
        channel: None,
        rssi: None,
        sq: None,
        signal: None,
        noise: None,
        rate: None,
        istx: None,
        frmlen: None,
        header_len: HEADER_LEN as u32,
        payload_len: 0,
    };
    for at in (ITEMS_AT..HEADER_LEN).step_by(ITEM_LEN) {
        if u16_at(at + 4) != Some(0) {
            continue; // status 1: no value
        }
        let value = u32_at(at + 8);
        // The item's number: bits 12-15 of type-2 codes (0x0000n041), 16-19 of type-1 codes
        // (0x000n0044); Wireshark knows the ten codes of each family.
        let code = u32_at(at);
        let item = match code {
            0x0001_0044..=0x000A_0044 if code & 0xFFFF == 0x44 => code >> 16,
            0x0000_1041..=0x0000_A041 if code & 0x0FFF == 0x041 => code >> 12,
            _ => continue,
        };
        // The signal values are signed (dBm).
        let signed = value as i32;
        match item {
            1 => prism.hosttime = Some(value),
            2 => prism.mactime = Some(value),
            3 => prism.channel = Some(value),
            4 => prism.rssi = Some(signed),
            5 => prism.sq = Some(value),
            6 => prism.signal = Some(signed),
            7 => prism.noise = Some(signed),
            8 => prism.rate = Some(value),
            9 => prism.istx = Some(value),
            _ => prism.frmlen = Some(value),
        }
    }
    let payload_len = declared.max(data.len()) - HEADER_LEN;
    prism.payload_len = payload_len as u32;
    // Wireshark hands the rest to 802.11 even when nothing is left.
    Ok(Decoded {
        layer: Layer::Prism(Box::new(prism)),
        header_len: HEADER_LEN,
        payload_len,
        next: Some(ProtoId::Ieee80211),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A type-2 (0x41) little-endian header as the HostAP driver writes it: device `eth1`,
    /// items hosttime, mactime, channel (absent), rssi -89, sq 55, signal 1, noise (absent),
    /// rate 22, istx (absent), frmlen 14; then 2 bytes of 802.11.
    fn header() -> Vec<u8> {
        let mut b = vec![0x41, 0, 0, 0, 144, 0, 0, 0];
        b.extend_from_slice(b"eth1\0\0\0\0\0\0\0\0\0\0\0\0");
        let items: [(u16, u32); 10] = [
            (0, 16_872_381),
            (0, 75_520_589),
            (1, 0),
            (0, (-89i32) as u32),
            (0, 55),
            (0, 1),
            (1, 0),
            (0, 22),
            (1, 0),
            (0, 14),
        ];
        for (i, (status, value)) in items.into_iter().enumerate() {
            let code = ((i as u32 + 1) << 12) | 0x041;
            b.extend(code.to_le_bytes());
            b.extend(status.to_le_bytes());
            b.extend(4u16.to_le_bytes());
            b.extend(value.to_le_bytes());
        }
        b.extend([0xc4, 0x00]);
        b
    }

    #[test]
    fn decodes_every_item() {
        let data = header();
        let d = decode(&data, data.len(), &mut None).unwrap();
        let Layer::Prism(p) = &d.layer else {
            panic!("not Prism: {:?}", d.layer)
        };
        assert_eq!(
            (p.msgcode, p.msglen, p.devname.as_str()),
            (0x41, 144, "eth1")
        );
        assert_eq!(
            (p.hosttime, p.mactime, p.channel),
            (Some(16_872_381), Some(75_520_589), None)
        );
        assert_eq!(
            (p.rssi, p.sq, p.signal, p.noise),
            (Some(-89), Some(55), Some(1), None)
        );
        assert_eq!((p.rate, p.istx, p.frmlen), (Some(22), None, Some(14)));
        assert_eq!((p.header_len, p.payload_len), (144, 2));
        assert_eq!(d.next, Some(ProtoId::Ieee80211));
        assert_eq!(first_protocol(&data), Some(ProtoId::Prism));
    }

    #[test]
    fn big_endian_headers_and_type_1_codes_decode() {
        let mut data = vec![0, 0, 0, 0x44, 0, 0, 0, 144];
        data.extend(b"wlan0\0\0\0\0\0\0\0\0\0\0\0");
        for i in 1..=10u32 {
            data.extend(((i << 16) | 0x44).to_be_bytes());
            data.extend([0, 0, 0, 4]);
            data.extend((i * 100).to_be_bytes());
        }
        let d = decode(&data, data.len(), &mut None).unwrap();
        let Layer::Prism(p) = &d.layer else {
            panic!("not Prism")
        };
        assert_eq!((p.msgcode, p.devname.as_str()), (0x44, "wlan0"));
        assert_eq!(
            (p.channel, p.noise, p.frmlen),
            (Some(300), Some(700), Some(1000))
        );
        // Header only: Wireshark still calls the 802.11 dissector.
        assert_eq!((d.payload_len, d.next), (0, Some(ProtoId::Ieee80211)));
    }

    #[test]
    fn other_first_words_and_cut_headers() {
        // An 802.11 data frame under link type 119 without a Prism header.
        assert_eq!(
            first_protocol(&[0x08, 0x01, 0, 0]),
            Some(ProtoId::Ieee80211)
        );
        assert_eq!(first_protocol(&[0x80, 0x21, 0x10, 0x01]), None);
        // Too short to tell: tshark's Prism dissector is called, and cut.
        assert_eq!(first_protocol(&[0x41, 0]), Some(ProtoId::Prism));
        assert_eq!(
            decode(&[0x41, 0], 200, &mut None)
                .err()
                .unwrap()
                .to_string(),
            "Prism header needs 144 bytes, 2 captured"
        );
        let data = header();
        let mut note = None;
        let d = decode(&data[..6], 200, &mut note).unwrap();
        let Layer::Partial(cut) = &d.layer else {
            panic!("not partial: {:?}", d.layer)
        };
        assert_eq!(cut.proto, ProtoId::Prism);
        assert_eq!(cut.fields, [("msgcode", FieldValue::U32(0x41))]);
        assert_eq!(
            note.take().unwrap().to_string(),
            "Prism header needs 144 bytes, 6 captured"
        );
        let d = decode(&data[..100], 200, &mut note).unwrap();
        let Layer::Partial(cut) = &d.layer else {
            panic!("not partial")
        };
        assert_eq!(cut.field("msglen"), Some(&FieldValue::U32(144)));
    }
}
