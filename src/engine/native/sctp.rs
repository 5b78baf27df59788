//! Stream Control Transmission Protocol (RFC 9260), IP protocol 132.
//!
//! A 12-byte common header (ports, verification tag, CRC32c checksum), then chunks: type,
//! flags, length (header included, padding to 4 bytes excluded), value. Every chunk is listed;
//! the user data of the first DATA chunk that holds an HTTP head is handed to HTTP (content
//! confirms it, as over TCP), and the chunks before it are the layer's header.

use super::{DecodeError, DecodeResult, Decoded, http};
use crate::model::{Layer, ProtoId, Sctp, SctpChunk};

/// Length of the common header.
pub const HEADER_LEN: usize = 12;

/// Length of a chunk's type, flags and length.
pub const CHUNK_HEADER_LEN: usize = 4;

/// Length of a DATA chunk's header (chunk header, TSN, stream id, stream sequence, PPID).
pub const DATA_HEADER_LEN: usize = 16;

/// The most chunks listed; more is an error.
pub const MAX_CHUNKS: usize = 256;

/// The DATA chunk type.
pub const DATA: u8 = 0;

/// The name of a chunk type, if known.
pub fn chunk_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "DATA",
        1 => "INIT",
        2 => "INIT_ACK",
        3 => "SACK",
        4 => "HEARTBEAT",
        5 => "HEARTBEAT_ACK",
        6 => "ABORT",
        7 => "SHUTDOWN",
        8 => "SHUTDOWN_ACK",
        9 => "ERROR",
        10 => "COOKIE_ECHO",
        11 => "COOKIE_ACK",
        12 => "ECNE",
        13 => "CWR",
        14 => "SHUTDOWN_COMPLETE",
        15 => "AUTH",
        64 => "I_DATA",
        128 => "ASCONF_ACK",
        130 => "RE_CONFIG",
        132 => "PAD",
        192 => "FORWARD_TSN",
        193 => "ASCONF",
        194 => "I_FORWARD_TSN",
        _ => return None,
    })
}

/// Decodes an SCTP packet: common header and chunk list; `declared` is the length the IP
/// header gives it. As tshark 4.0 shows them: a chunk cut by the snap length (past the
/// captured bytes, within `declared`) is not listed and ends the list; a chunk longer than
/// the packet is listed and ends it; a chunk length under 4 ends the list, the chunk listed
/// unless its length is 0, the record kept and `partial` saying why.
pub fn decode(data: &[u8], declared: usize, partial: &mut Option<DecodeError>) -> DecodeResult {
    let Some(&[s0, s1, d0, d1, v0, v1, v2, v3, c0, c1, c2, c3]) = data.first_chunk::<HEADER_LEN>()
    else {
        return Err(DecodeError::truncated(
            "SCTP header",
            HEADER_LEN,
            data.len(),
        ));
    };
    let mut chunks = Vec::new();
    let mut at = HEADER_LEN;
    let mut app = None;
    while let Some(&[kind, flags, l0, l1]) = data
        .get(at..)
        .and_then(|chunk| chunk.first_chunk::<CHUNK_HEADER_LEN>())
    {
        if chunks.len() == MAX_CHUNKS {
            return Err(DecodeError::other(format!(
                "SCTP packet has more than {MAX_CHUNKS} chunks"
            )));
        }
        let len = u16::from_be_bytes([l0, l1]);
        let end = at + usize::from(len);
        // Cut by the snap length inside the chunk or its padding (the padding the IP length
        // leaves room for): not listed.
        if (end.div_ceil(4) * 4).min(declared) > data.len() && data.len() < declared {
            break;
        }
        let mut chunk = SctpChunk {
            kind,
            name: chunk_name(kind),
            flags,
            len,
            tsn: None,
            stream_id: None,
            stream_seq: None,
            ppid: None,
        };
        if usize::from(len) < CHUNK_HEADER_LEN {
            if len > 0 {
                chunks.push(chunk);
            }
            *partial = Some(DecodeError::other(format!(
                "SCTP chunk at offset {at} has length {len} < {CHUNK_HEADER_LEN}"
            )));
            break;
        }
        if kind == DATA
            && usize::from(len) >= DATA_HEADER_LEN
            && let Some((&[_, _, _, _, t0, t1, t2, t3, i0, i1, q0, q1, p0, p1, p2, p3], rest)) =
                data.get(at..)
                    .and_then(|chunk| chunk.split_first_chunk::<DATA_HEADER_LEN>())
        {
            chunk.tsn = Some(u32::from_be_bytes([t0, t1, t2, t3]));
            chunk.stream_id = Some(u16::from_be_bytes([i0, i1]));
            chunk.stream_seq = Some(u16::from_be_bytes([q0, q1]));
            chunk.ppid = Some(u32::from_be_bytes([p0, p1, p2, p3]));
            let user = rest.get(..end - at - DATA_HEADER_LEN).unwrap_or(rest);
            if http::is_http_start(user) {
                chunks.push(chunk);
                app = Some((at + DATA_HEADER_LEN, usize::from(len) - DATA_HEADER_LEN));
                break;
            }
        }
        chunks.push(chunk);
        at = end.div_ceil(4) * 4;
    }
    let (header_len, payload_len, next) = match app {
        Some((start, user_len)) => (start, user_len, Some(ProtoId::Http)),
        None => (data.len(), 0, None),
    };
    Ok(Decoded {
        layer: Layer::Sctp(Box::new(Sctp {
            src_port: u16::from_be_bytes([s0, s1]),
            dst_port: u16::from_be_bytes([d0, d1]),
            verification_tag: u32::from_be_bytes([v0, v1, v2, v3]),
            checksum: u32::from_be_bytes([c0, c1, c2, c3]),
            chunks,
            header_len: header_len as u32,
            payload_len: payload_len as u32,
        })),
        header_len,
        payload_len,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sctp_of(d: &Decoded) -> &Sctp {
        let Layer::Sctp(s) = &d.layer else {
            panic!("not SCTP")
        };
        s
    }

    /// Common header: 32768 → 80, tag 0x01020304, checksum 0x0a0b0c0d.
    fn common() -> Vec<u8> {
        vec![0x80, 0x00, 0x00, 0x50, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d]
    }

    /// A DATA chunk carrying `user`, padded.
    fn data_chunk(user: &[u8]) -> Vec<u8> {
        let len = (DATA_HEADER_LEN + user.len()) as u16;
        let mut c = vec![0, 0x03];
        c.extend(len.to_be_bytes());
        c.extend([0, 0, 0, 7, 0, 1, 0, 2, 0, 0, 0, 0]);
        c.extend(user);
        while c.len() % 4 != 0 {
            c.push(0);
        }
        c
    }

    /// `decode` of an uncut packet.
    fn whole(f: &[u8]) -> DecodeResult {
        decode(f, f.len(), &mut None)
    }

    #[test]
    fn sack_then_data_with_http() {
        let mut f = common();
        f.extend([3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0x10, 0, 0, 0, 0, 0]); // SACK
        let user = b"GET / HTTP/1.1\r\n\r\n";
        f.extend(data_chunk(user));
        let d = whole(&f).unwrap();
        let s = sctp_of(&d);
        assert_eq!((s.src_port, s.dst_port), (32768, 80));
        assert_eq!((s.verification_tag, s.checksum), (0x01020304, 0x0a0b0c0d));
        assert_eq!(s.chunks.len(), 2);
        assert_eq!((s.chunks[0].name, s.chunks[0].len), (Some("SACK"), 16));
        let data = &s.chunks[1];
        assert_eq!(
            (
                data.name,
                data.flags,
                data.tsn,
                data.stream_id,
                data.stream_seq,
                data.ppid
            ),
            (Some("DATA"), 3, Some(7), Some(1), Some(2), Some(0))
        );
        assert_eq!((d.header_len, d.payload_len), (44, user.len()));
        assert_eq!(d.next, Some(ProtoId::Http));
    }

    #[test]
    fn chunks_without_http_are_the_header() {
        let mut f = common();
        f.extend(data_chunk(b"\x01\x02\x03"));
        f.extend([11, 0, 0, 4]); // COOKIE_ACK
        let d = whole(&f).unwrap();
        let s = sctp_of(&d);
        assert_eq!(s.chunks.len(), 2);
        assert_eq!(s.chunks[1].name, Some("COOKIE_ACK"));
        assert_eq!((d.header_len, d.payload_len, d.next), (f.len(), 0, None));
        // No chunks at all; a chunk cut by the snap length is not listed and ends the list;
        // one longer than an uncut packet is listed.
        assert!(sctp_of(&whole(&common()).unwrap()).chunks.is_empty());
        let d = decode(&f[..20], f.len(), &mut None).unwrap();
        assert!(sctp_of(&d).chunks.is_empty());
        assert_eq!(d.header_len, 20);
        let d = decode(&f[..32], f.len(), &mut None).unwrap();
        assert_eq!(sctp_of(&d).chunks.len(), 1);
        let d = whole(&f[..20]).unwrap();
        assert_eq!(
            (sctp_of(&d).chunks[0].len, sctp_of(&d).chunks[0].tsn),
            (19, None)
        );
    }

    #[test]
    fn bad_packets_are_errors() {
        assert_eq!(
            whole(&common()[..11]).err().unwrap().to_string(),
            "SCTP header needs 12 bytes, 11 captured"
        );
        // A chunk length under 4 ends the list (listed unless 0), and says why.
        let mut f = common();
        f.extend([11, 0, 0, 4, 1, 0, 0, 3, 11, 0, 0, 4]);
        let mut why = None;
        let d = decode(&f, f.len(), &mut why).unwrap();
        let lens: Vec<u16> = sctp_of(&d).chunks.iter().map(|c| c.len).collect();
        assert_eq!(lens, [4, 3]);
        f[19] = 0;
        assert_eq!(sctp_of(&whole(&f).unwrap()).chunks.len(), 1);
        assert_eq!(
            why.unwrap().to_string(),
            "SCTP chunk at offset 16 has length 3 < 4"
        );
        let mut many = common();
        many.extend(std::iter::repeat_n([11, 0, 0, 4], 300).flatten());
        assert_eq!(
            whole(&many).err().unwrap().to_string(),
            "SCTP packet has more than 256 chunks"
        );
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0132_0132_0132_0132u64;
        for _ in 0..300 {
            let mut bytes = super::super::test_random_bytes(&mut seed, 64);
            bytes[14] = 0;
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len], bytes.len(), &mut None);
            }
        }
    }
}
