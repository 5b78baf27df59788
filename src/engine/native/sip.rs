//! SIP (RFC 3261) on port 5060, UDP or TCP: the request line (`INVITE sip:bob@b SIP/2.0`) or
//! status line (`SIP/2.0 200 OK`), then header fields up to the blank line; the body (SDP)
//! is the payload, by Content-Length (`l`) when present.

use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{HttpKind, Layer, Sip};

/// The SIP port.
pub const PORT: u16 = 5060;

/// The version token.
const VERSION: &[u8] = b"SIP/2.0";

/// The most header fields kept.
pub const MAX_HEADERS: usize = 128;

/// The SIP methods (RFC 3261 and its extensions).
const METHODS: [&[u8]; 14] = [
    b"INVITE",
    b"ACK",
    b"BYE",
    b"CANCEL",
    b"OPTIONS",
    b"REGISTER",
    b"PRACK",
    b"SUBSCRIBE",
    b"NOTIFY",
    b"PUBLISH",
    b"INFO",
    b"REFER",
    b"MESSAGE",
    b"UPDATE",
];

/// The first line of `data` without its line end.
fn first_line(data: &[u8]) -> &[u8] {
    let line = data.split(|&b| b == b'\n').next().unwrap_or_default();
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The start line's parts: (method, uri) for a request, (status, reason) for a response.
enum StartLine<'a> {
    Request(&'a [u8], &'a [u8]),
    Response(u16, &'a [u8]),
}

fn start_line(line: &[u8]) -> Option<StartLine<'_>> {
    if let Some(rest) = line
        .strip_prefix(VERSION)
        .and_then(|r| r.strip_prefix(b" "))
    {
        let code = rest.get(..3)?;
        if !code.iter().all(u8::is_ascii_digit) || !matches!(rest.get(3), None | Some(b' ')) {
            return None;
        }
        let status = code.iter().fold(0u16, |v, d| v * 10 + u16::from(d - b'0'));
        return Some(StartLine::Response(
            status,
            rest.get(4..).unwrap_or_default(),
        ));
    }
    let mut parts = line.splitn(3, |&b| b == b' ');
    let (method, uri, version) = (parts.next()?, parts.next()?, parts.next()?);
    (METHODS.contains(&method) && version == VERSION && !uri.is_empty())
        .then_some(StartLine::Request(method, uri))
}

/// Whether `payload` starts with a SIP request or status line.
pub fn is_sip(payload: &[u8]) -> bool {
    start_line(first_line(payload)).is_some()
}

/// Lossy text with surrounding whitespace removed.
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b.trim_ascii()).into_owned()
}

/// Decodes a SIP message head.
pub fn decode(data: &[u8]) -> DecodeResult {
    let line = first_line(data);
    let start = start_line(line).ok_or_else(|| {
        DecodeError::other("payload does not start with a SIP request or status line")
    })?;
    let mut sip = match start {
        StartLine::Request(method, uri) => Sip {
            kind: HttpKind::Request,
            method: Some(text(method)),
            uri: Some(text(uri)),
            status: None,
            reason: None,
            headers: Vec::new(),
            header_len: 0,
            payload_len: 0,
        },
        StartLine::Response(status, reason) => Sip {
            kind: HttpKind::Response,
            method: None,
            uri: None,
            status: Some(status),
            reason: Some(text(reason)),
            headers: Vec::new(),
            header_len: 0,
            payload_len: 0,
        },
    };
    let mut pos = (line.len() + 1).min(data.len());
    if data.get(line.len()) == Some(&b'\r') {
        pos = (line.len() + 2).min(data.len());
    }
    let mut header_len = data.len();
    while let Some(rest) = data.get(pos..).filter(|rest| !rest.is_empty()) {
        let raw = rest.split(|&b| b == b'\n').next().unwrap_or_default();
        let next = if raw.len() < rest.len() {
            pos + raw.len() + 1
        } else {
            data.len()
        };
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() && next > pos + raw.len() {
            header_len = next;
            break;
        }
        let mut field = line.splitn(2, |&b| b == b':');
        if let (Some(name), Some(value)) = (field.next(), field.next())
            && sip.headers.len() < MAX_HEADERS
        {
            sip.headers.push((text(name), text(value)));
        }
        pos = next;
    }
    let body = data.len() - header_len;
    let content_length = sip
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("l"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let payload_len = content_length.unwrap_or(body);
    sip.header_len = header_len as u32;
    sip.payload_len = payload_len as u32;
    Ok(Decoded {
        layer: Layer::Sip(Box::new(sip)),
        header_len,
        payload_len,
        next: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sip_of(d: &Decoded) -> &Sip {
        let Layer::Sip(s) = &d.layer else {
            panic!("not SIP")
        };
        s
    }

    #[test]
    fn request_decodes_every_field() {
        let m = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33\r\n\
            Call-ID: a84b4c76e66710\r\nl: 4\r\n\r\nv=0\n";
        assert!(is_sip(m));
        let d = decode(m).unwrap();
        let s = sip_of(&d);
        assert_eq!(s.kind, HttpKind::Request);
        assert_eq!(s.method.as_deref(), Some("INVITE"));
        assert_eq!(s.uri.as_deref(), Some("sip:bob@biloxi.example.com"));
        assert_eq!(s.headers.len(), 3);
        assert_eq!(
            s.headers[1],
            ("Call-ID".to_owned(), "a84b4c76e66710".to_owned())
        );
        assert_eq!((d.header_len, d.payload_len), (m.len() - 4, 4));
    }

    #[test]
    fn response_and_cut_head() {
        let m = b"SIP/2.0 180 Ringing\r\nTo: <sip:bob@b>\r\n";
        assert!(is_sip(m));
        let d = decode(m).unwrap();
        let s = sip_of(&d);
        assert_eq!(
            (s.status, s.reason.as_deref()),
            (Some(180), Some("Ringing"))
        );
        assert_eq!((d.header_len, d.payload_len), (m.len(), 0));
        assert!(is_sip(b"SIP/2.0 200"));
    }

    #[test]
    fn not_sip() {
        for m in [
            &b"GET / HTTP/1.1\r\n"[..],
            b"INVITE sip:a SIP/3.0\r\n",
            b"FOO sip:a SIP/2.0\r\n",
            b"INVITE  SIP/2.0\r\n",
            b"SIP/2.0 2000 OK\r\n",
            b"SIP/2.0 20",
            b"",
        ] {
            assert!(!is_sip(m), "{m:?}");
            assert!(decode(m).is_err());
        }
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x5060_5060_5060_5060u64;
        let base = b"REGISTER sip:x SIP/2.0\r\nl: 9\r\n\r\n".to_vec();
        for _ in 0..200 {
            let mut bytes = base.clone();
            bytes.extend(super::super::test_random_bytes(&mut seed, 32));
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len]);
            }
        }
    }
}
