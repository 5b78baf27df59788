//! PPP over Ethernet (RFC 2516): session stage (Ethertype 0x8864) and discovery stage (0x8863).
//!
//! Both Ethertypes lead here; the code tells the stages apart (0 is session data, which carries
//! a PPP frame; PADI, PADO, PADR, PADS and PADT carry tags).

use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{HexBytes, Layer, Pppoe, PppoeTag, ProtoId};

/// Field offsets of the PPPoE header.
mod field {
    pub const VER_TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const SESSION_ID: usize = 2;
    pub const LENGTH: usize = 4;
}

/// Length of the PPPoE header.
pub const HEADER_LEN: usize = 6;

/// Length of a tag's type and length.
pub const TAG_HEADER_LEN: usize = 4;

/// The most tags decoded from one discovery packet; more is reported as an error.
pub const MAX_TAGS: usize = 64;

/// The session-data code.
pub const CODE_SESSION: u8 = 0x00;

/// A view over a PPPoE packet whose header is known to be complete.
pub struct Packet<'a> {
    header: &'a [u8; HEADER_LEN],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` after checking that it holds a whole header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        match buffer.first_chunk() {
            Some(header) => Ok(Packet { header }),
            None => Err(DecodeError::truncated(
                "PPPoE header",
                HEADER_LEN,
                buffer.len(),
            )),
        }
    }

    /// Version (high nibble of the first byte).
    pub fn version(&self) -> u8 {
        self.header[field::VER_TYPE] >> 4
    }

    /// Type (low nibble of the first byte).
    pub fn kind(&self) -> u8 {
        self.header[field::VER_TYPE] & 0x0f
    }

    /// Code.
    pub fn code(&self) -> u8 {
        self.header[field::CODE]
    }

    /// Session id.
    pub fn session_id(&self) -> u16 {
        u16::from_be_bytes([
            self.header[field::SESSION_ID],
            self.header[field::SESSION_ID + 1],
        ])
    }

    /// Length field: bytes after the header.
    pub fn len(&self) -> u16 {
        u16::from_be_bytes([self.header[field::LENGTH], self.header[field::LENGTH + 1]])
    }
}

/// The name of a PPPoE code.
pub fn code_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0x00 => "Session Data",
        0x07 => "PADO",
        0x09 => "PADI",
        0x19 => "PADR",
        0x65 => "PADS",
        0xa7 => "PADT",
        _ => return None,
    })
}

/// The name of a discovery tag type, or `Unknown`.
pub fn tag_name(kind: u16) -> &'static str {
    match kind {
        0x0000 => "End-Of-List",
        0x0101 => "Service-Name",
        0x0102 => "AC-Name",
        0x0103 => "Host-Uniq",
        0x0104 => "AC-Cookie",
        0x0105 => "Vendor-Specific",
        0x0106 => "Credits",
        0x0107 => "Metrics",
        0x0108 => "Sequence-Number",
        0x0109 => "Credit-Scale-Factor",
        0x0110 => "Relay-Session-Id",
        0x0120 => "PPP-Max-Payload",
        0x0201 => "Service-Name-Error",
        0x0202 => "AC-System-Error",
        0x0203 => "Generic-Error",
        _ => "Unknown",
    }
}

/// Whether a tag's value is UTF-8 text by RFC 2516.
fn is_text_tag(kind: u16) -> bool {
    matches!(kind, 0x0101 | 0x0102 | 0x0201..=0x0203)
}

/// Parses discovery tags from `bytes` (the length field's extent, as captured).
///
/// End-Of-List ends the list. A tag whose value runs past the end, or more than [`MAX_TAGS`]
/// tags, is an error.
pub fn parse_tags(bytes: &[u8]) -> Result<Vec<PppoeTag>, DecodeError> {
    let mut tags = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        if tags.len() >= MAX_TAGS {
            return Err(DecodeError::other(format!(
                "PPPoE discovery packet has more than {MAX_TAGS} tags"
            )));
        }
        let (Some(kind), Some(len)) = (read::be16(bytes, at), read::be16(bytes, at + 2)) else {
            return Err(DecodeError::other(format!(
                "PPPoE tag at offset {at} needs {TAG_HEADER_LEN} bytes, {} left",
                bytes.len() - at
            )));
        };
        let start = at + TAG_HEADER_LEN;
        let end = start + usize::from(len);
        let Some(value) = bytes.get(start..end) else {
            return Err(DecodeError::other(format!(
                "PPPoE tag {} length {len} runs past the end ({} bytes left)",
                tag_name(kind),
                bytes.len() - start
            )));
        };
        let text = if is_text_tag(kind) {
            std::str::from_utf8(value).ok().map(str::to_owned)
        } else {
            None
        };
        tags.push(PppoeTag {
            kind,
            name: tag_name(kind),
            len,
            value: HexBytes(value.to_vec()),
            text,
        });
        at = end;
        if kind == 0 {
            break;
        }
    }
    Ok(tags)
}

/// Decodes a PPPoE header.
///
/// Session data (code 0): the payload is the PPP frame, `len` bytes. Discovery: the tags are
/// decoded into the record and counted in the header; there is no payload.
pub fn decode(data: &[u8]) -> DecodeResult {
    let packet = Packet::new_checked(data)?;
    let code = packet.code();
    let len = packet.len();
    let (tags, header_len, payload_len, next) = if code == CODE_SESSION {
        // Wireshark hands the session data to PPP only with its protocol field captured.
        let ppp = data.len() >= HEADER_LEN + 2;
        (
            None,
            HEADER_LEN,
            usize::from(len),
            ppp.then_some(ProtoId::Ppp),
        )
    } else {
        let end = (HEADER_LEN + usize::from(len)).min(data.len());
        let tags = parse_tags(data.get(HEADER_LEN..end).unwrap_or_default())?;
        (Some(tags), HEADER_LEN + usize::from(len), 0, None)
    };
    Ok(Decoded {
        layer: Layer::Pppoe(Pppoe {
            version: packet.version(),
            kind: packet.kind(),
            code,
            code_name: code_name(code),
            session_id: packet.session_id(),
            len,
            tags,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        }),
        header_len,
        payload_len,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// dpkt__nb6-http.pcap frame 19 after the Ethernet header: version 1, type 1, session data,
    /// session 0x3b1a, length 106, then the PPP protocol field (IPv4).
    const SESSION: [u8; 8] = [0x11, 0x00, 0x3b, 0x1a, 0x00, 0x6a, 0x00, 0x21];

    /// A PADI: Service-Name "" and Host-Uniq 0x12345678, then End-Of-List.
    const PADI: [u8; 26] = [
        0x11, 0x09, 0x00, 0x00, 0x00, 0x14, // header, length 20
        0x01, 0x01, 0x00, 0x00, // Service-Name, empty
        0x01, 0x03, 0x00, 0x04, 0x12, 0x34, 0x56, 0x78, // Host-Uniq
        0x01, 0x02, 0x00, 0x02, b'a', b'c', // AC-Name "ac"
        0x00, 0x00, // End-Of-List, cut short: the length field ends here
    ];

    #[test]
    fn session_data_carries_ppp() {
        let d = decode(&SESSION).unwrap();
        assert_eq!(
            d.layer,
            Layer::Pppoe(Pppoe {
                version: 1,
                kind: 1,
                code: 0,
                code_name: Some("Session Data"),
                session_id: 0x3b1a,
                len: 106,
                tags: None,
                header_len: 6,
                payload_len: 106,
            })
        );
        assert_eq!((d.header_len, d.payload_len), (6, 106));
        assert_eq!(d.next, Some(ProtoId::Ppp));
    }

    #[test]
    fn discovery_tags() {
        let d = decode(&PADI[..24]).unwrap();
        assert_eq!((d.header_len, d.payload_len, d.next), (26, 0, None));
        let Layer::Pppoe(pppoe) = d.layer else {
            panic!("not PPPoE")
        };
        assert_eq!(pppoe.code_name, Some("PADI"));
        let tags = pppoe.tags.unwrap();
        assert_eq!(tags.len(), 3);
        assert_eq!((tags[0].name, tags[0].len), ("Service-Name", 0));
        assert_eq!(tags[0].text.as_deref(), Some(""));
        assert_eq!(
            (tags[1].kind, tags[1].value.to_string()),
            (0x0103, "12345678".into())
        );
        assert_eq!(tags[1].text, None);
        assert_eq!(tags[2].text.as_deref(), Some("ac"));
    }

    #[test]
    fn end_of_list_ends_the_tags() {
        let mut padi = PADI;
        padi[5] = 0x18; // length 24: up to and past End-Of-List (2 bytes beyond are not sent)
        let d = decode(&[&padi[..], &[0, 0]].concat()).unwrap();
        let Layer::Pppoe(pppoe) = d.layer else {
            panic!("not PPPoE")
        };
        let tags = pppoe.tags.unwrap();
        assert_eq!(tags.last().map(|t| t.name), Some("End-Of-List"));
        assert_eq!(tags.len(), 4);
    }

    #[test]
    fn tag_past_the_end_is_an_error() {
        let mut bad = PADI;
        bad[13] = 0x40; // Host-Uniq length 64
        assert_eq!(
            decode(&bad[..24]).err().unwrap().to_string(),
            "PPPoE tag Host-Uniq length 64 runs past the end (10 bytes left)"
        );
        // A tag header cut in the middle.
        let mut cut = PADI;
        cut[5] = 0x06;
        assert_eq!(
            decode(&cut[..12]).err().unwrap().to_string(),
            "PPPoE tag at offset 4 needs 4 bytes, 2 left"
        );
    }

    #[test]
    fn too_many_tags_is_an_error() {
        let mut many = vec![0x11, 0x09, 0x00, 0x00, 0x01, 0x04];
        many.extend(std::iter::repeat_n([0x01, 0x01, 0x00, 0x00], 65).flatten());
        assert_eq!(
            decode(&many).err().unwrap().to_string(),
            "PPPoE discovery packet has more than 64 tags"
        );
    }

    #[test]
    fn short_header_is_an_error() {
        assert_eq!(
            decode(&SESSION[..5]).err().unwrap().to_string(),
            "PPPoE header needs 6 bytes, 5 captured"
        );
    }
}
