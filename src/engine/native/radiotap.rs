//! Radiotap (link type 127): the capture metadata in front of an 802.11 frame.
//!
//! The header is version, pad, a little-endian length (the 802.11 frame starts there) and a
//! chain of 32-bit present bitmaps (bit 31: another word follows). The fields come after the
//! last bitmap word, each aligned to its natural size; pcapkit reads those of the first word
//! up to the antenna signal (TSFT, Flags, Rate, Channel, FHSS, dBm antenna signal). Flags bit
//! 0x10 says the frame ends with its 4-byte FCS, which is not part of the 802.11 payload.

use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{Layer, ProtoId, Radiotap};

/// Length of the fixed part: version, pad, length, first present word.
pub const MIN_HEADER_LEN: usize = 8;

/// The most present words walked; a longer chain is an error.
pub const MAX_PRESENT_WORDS: usize = 16;

/// Present-word bits of the fields pcapkit reads.
pub mod present {
    /// TSFT (u64, 8-aligned).
    pub const TSFT: u32 = 1 << 0;
    /// Flags (u8).
    pub const FLAGS: u32 = 1 << 1;
    /// Rate (u8).
    pub const RATE: u32 = 1 << 2;
    /// Channel (u16 frequency, u16 flags; 2-aligned).
    pub const CHANNEL: u32 = 1 << 3;
    /// FHSS (u8 hop set, u8 pattern).
    pub const FHSS: u32 = 1 << 4;
    /// Antenna signal in dBm (i8).
    pub const ANTENNA_SIGNAL: u32 = 1 << 5;
    /// Another present word follows.
    pub const EXT: u32 = 1 << 31;
}

/// Flags bit: the frame includes the FCS at its end.
pub const FLAG_FCS: u8 = 0x10;

/// Length of the 802.11 FCS.
pub const FCS_LEN: usize = 4;

/// Little-endian u16 at `at`, if there.
fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

/// Little-endian u32 at `at`, if there.
fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Decodes a radiotap header; `declared` is the frame's original length.
pub fn decode(data: &[u8], declared: usize) -> DecodeResult {
    let Some(fixed) = data.first_chunk::<MIN_HEADER_LEN>() else {
        return Err(DecodeError::truncated(
            "Radiotap header",
            MIN_HEADER_LEN,
            data.len(),
        ));
    };
    let version = fixed[0];
    if version != 0 {
        return Err(DecodeError::other(format!(
            "Radiotap version {version} (only 0 is defined)"
        )));
    }
    let len = le16(data, 2).unwrap_or(0);
    let header_len = usize::from(len);
    let first = le32(data, 4).unwrap_or(0);
    // Walk the present-word chain to find where the fields start.
    let mut at = 4usize;
    let mut word = first;
    let mut words = 1usize;
    while word & present::EXT != 0 {
        if words == MAX_PRESENT_WORDS {
            return Err(DecodeError::other(format!(
                "Radiotap has more than {MAX_PRESENT_WORDS} present words"
            )));
        }
        at += 4;
        words += 1;
        word = le32(data, at)
            .ok_or_else(|| DecodeError::truncated("Radiotap present words", at + 4, data.len()))?;
    }
    let fields_start = at + 4;
    if header_len < fields_start {
        return Err(DecodeError::other(format!(
            "Radiotap length {len} < {fields_start} (its present words)"
        )));
    }
    let Some(fields) = data.get(..header_len) else {
        return Err(DecodeError::truncated(
            "Radiotap header",
            header_len,
            data.len(),
        ));
    };
    let mut r = Radiotap {
        version,
        len,
        present: first,
        tsft: None,
        flags: None,
        rate: None,
        channel_freq: None,
        channel_flags: None,
        antenna_signal: None,
        fcs_at_end: false,
        header_len: len.into(),
        payload_len: 0,
    };
    // Fields of the first word, in bit order, each aligned to its size (from the header's start).
    let mut at = fields_start;
    let align = |at: usize, to: usize| at.div_ceil(to) * to;
    if first & present::TSFT != 0 {
        at = align(at, 8);
        r.tsft = fields
            .get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes);
        at += 8;
    }
    if first & present::FLAGS != 0 {
        r.flags = fields.get(at).copied();
        at += 1;
    }
    if first & present::RATE != 0 {
        r.rate = fields.get(at).copied();
        at += 1;
    }
    if first & present::CHANNEL != 0 {
        at = align(at, 2);
        r.channel_freq = le16(fields, at);
        r.channel_flags = le16(fields, at + 2);
        at += 4;
    }
    if first & present::FHSS != 0 {
        at += 2;
    }
    if first & present::ANTENNA_SIGNAL != 0 {
        r.antenna_signal = fields.get(at).map(|&b| b as i8);
    }
    r.fcs_at_end = r.flags.is_some_and(|f| f & FLAG_FCS != 0);
    let fcs = if r.fcs_at_end { FCS_LEN } else { 0 };
    let payload_len = declared.max(data.len()).saturating_sub(header_len + fcs);
    r.payload_len = payload_len as u32;
    Ok(Decoded {
        layer: Layer::Radiotap(r),
        header_len,
        payload_len,
        next: Some(ProtoId::Ieee80211),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// arkime__80211http.pcap frame 1's radiotap header (36 bytes, two present words, the
    /// second one's namespace fields left undecoded), then two bytes of 802.11 and 4 of FCS.
    fn frame() -> Vec<u8> {
        let mut f = hex("000024002f4000a02008000000000000\
            28eb6828000000001016 9e09a000ba000000ba00");
        f.extend([0x08, 0x01, 1, 2, 3, 4]);
        f
    }

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn radiotap_of(d: &Decoded) -> &Radiotap {
        let Layer::Radiotap(r) = &d.layer else {
            panic!("not Radiotap")
        };
        r
    }

    #[test]
    fn decodes_every_field() {
        let f = frame();
        let d = decode(&f, f.len()).unwrap();
        assert_eq!(
            *radiotap_of(&d),
            Radiotap {
                version: 0,
                len: 36,
                present: 0xa000_402f,
                tsft: Some(0x2868_eb28),
                flags: Some(0x10),
                rate: Some(0x16),
                channel_freq: Some(2462),
                channel_flags: Some(0x00a0),
                antenna_signal: Some(-70),
                fcs_at_end: true,
                header_len: 36,
                payload_len: 2,
            }
        );
        assert_eq!(
            (d.header_len, d.payload_len, d.next),
            (36, 2, Some(ProtoId::Ieee80211))
        );
    }

    #[test]
    fn minimal_header_without_fields() {
        let f = [0, 0, 8, 0, 0, 0, 0, 0, 0xd4, 0];
        let d = decode(&f, f.len()).unwrap();
        let r = radiotap_of(&d);
        assert_eq!((r.flags, r.tsft, r.fcs_at_end), (None, None, false));
        assert_eq!((d.header_len, d.payload_len), (8, 2));
        // The original length counts when the snap length cut the frame.
        assert_eq!(decode(&f, 100).unwrap().payload_len, 92);
    }

    #[test]
    fn fields_past_the_length_are_absent() {
        // Flags and rate announced but the length stops at the present word.
        let f = [0, 0, 8, 0, 0x06, 0, 0, 0, 0x10, 0x02];
        let d = decode(&f, f.len()).unwrap();
        assert_eq!(radiotap_of(&d).flags, None);
        assert_eq!(d.payload_len, 2);
    }

    #[test]
    fn bad_headers_are_errors() {
        let f = frame();
        assert_eq!(
            decode(&f[..7], 7).err().unwrap().to_string(),
            "Radiotap header needs 8 bytes, 7 captured"
        );
        assert_eq!(
            decode(&f[..11], 11).err().unwrap().to_string(),
            "Radiotap present words needs 12 bytes, 11 captured"
        );
        assert_eq!(
            decode(&f[..35], 35).err().unwrap().to_string(),
            "Radiotap header needs 36 bytes, 35 captured"
        );
        let mut short = f.clone();
        short[2] = 11;
        assert_eq!(
            decode(&short, short.len()).err().unwrap().to_string(),
            "Radiotap length 11 < 12 (its present words)"
        );
        let mut v1 = f.clone();
        v1[0] = 1;
        assert!(decode(&v1, v1.len()).is_err());
        let mut endless = vec![0, 0, 0xff, 0];
        endless.extend(std::iter::repeat_n([0, 0, 0, 0x80], 20).flatten());
        assert_eq!(
            decode(&endless, endless.len()).err().unwrap().to_string(),
            "Radiotap has more than 16 present words"
        );
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x5151_7272_9393_a4a4u64;
        for _ in 0..300 {
            let mut bytes = super::super::test_random_bytes(&mut seed, 64);
            bytes[0] = 0;
            bytes[3] = 0;
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], len);
                let _ = decode(&bytes[..len], 0);
            }
        }
    }
}
