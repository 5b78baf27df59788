//! HTTP/1.x request and response heads at the start of a TCP payload.
//!
//! pcapkit looks at each segment on its own (no stream reassembly here), as Wireshark does
//! with TCP desegmentation off: a segment is HTTP when it starts with a request line
//! (`METHOD SP target SP HTTP/d.d`) or a status line (`HTTP/d.d SP 3DIGIT ...`). Segments
//! that continue a body are never HTTP, whatever port they use.

use super::{DecodeError, DecodeResult, Decoded};
use crate::model::{Http, HttpKind, Layer, ProtoId, recycle};

/// The most header fields kept from one head; later fields still count toward `header_len`.
pub const MAX_HEADERS: usize = 256;

/// Whether `method` is a request method Wireshark's HTTP dissector knows (its request methods:
/// RFC 9110, RFC 5789 PATCH, WebDAV RFC 4918 / RFC 3253, MS-RPCH, MS-SSTP).
fn is_method(method: &[u8]) -> bool {
    matches!(
        method,
        b"GET"
            | b"PUT"
            | b"COPY"
            | b"HEAD"
            | b"LOCK"
            | b"MOVE"
            | b"POLL"
            | b"POST"
            | b"BCOPY"
            | b"BMOVE"
            | b"MKCOL"
            | b"TRACE"
            | b"PATCH"
            | b"LABEL"
            | b"MERGE"
            | b"DELETE"
            | b"SEARCH"
            | b"UNLOCK"
            | b"REPORT"
            | b"UPDATE"
            | b"BDELETE"
            | b"CONNECT"
            | b"OPTIONS"
            | b"CHECKIN"
            | b"PROPFIND"
            | b"CHECKOUT"
            | b"CCM_POST"
            | b"PROPPATCH"
            | b"BPROPFIND"
            | b"BPROPPATCH"
            | b"UNCHECKOUT"
            | b"MKACTIVITY"
            | b"MKWORKSPACE"
            | b"RPC_CONNECT"
            | b"RPC_IN_DATA"
            | b"RPC_OUT_DATA"
            | b"VERSION-CONTROL"
            | b"BASELINE-CONTROL"
            | b"SSTP_DUPLEX_POST"
    )
}

/// The longest method in [`is_method`].
const MAX_METHOD_LEN: usize = 16;

/// Whether `byte` may appear in a request target (visible ASCII or any non-ASCII byte).
fn is_target_byte(byte: u8) -> bool {
    byte > b' ' && byte != 0x7f
}

/// How `bytes` matches the pattern `HTTP/d.d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    /// All eight bytes are there and match.
    Complete,
    /// `bytes` is shorter than eight and is a prefix of a valid version.
    Prefix,
    /// It does not match.
    Invalid,
}

/// Checks the first eight bytes of `bytes` against `HTTP/d.d`.
fn version(bytes: &[u8]) -> Version {
    const PATTERN: &[u8; 8] = b"HTTP/0.0";
    for (i, &expected) in PATTERN.iter().enumerate() {
        let Some(&byte) = bytes.get(i) else {
            return Version::Prefix;
        };
        let ok = if expected == b'0' {
            byte.is_ascii_digit()
        } else {
            byte == expected
        };
        if !ok {
            return Version::Invalid;
        }
    }
    Version::Complete
}

/// Whether `rest` (what follows a complete start-line element) ends the line properly:
/// CRLF, LF, a lone CR at the end of the captured bytes, or nothing (cut there).
fn ends_line(rest: &[u8]) -> bool {
    matches!(rest, [] | [b'\r'] | [b'\n', ..] | [b'\r', b'\n', ..])
}

/// Whether the payload starts with an HTTP/1.x request or status line.
///
/// Cheap: it looks only at the first line and stops at the first byte that cannot belong to
/// one. A request needs a known method, a space, a target, a space and `HTTP/d.d` ending the
/// line; a response needs `HTTP/d.d SP 3DIGIT` followed by a space or the line end (the
/// SHOUTcast `ICY 200` status line is accepted too, as Wireshark does). Where the captured
/// bytes end inside the first line (snap length, or a head split across segments), a valid
/// prefix is enough once it reaches the status code of a response, or the first byte of the
/// target of a request (Wireshark needs only the method there).
pub fn is_http_start(payload: &[u8]) -> bool {
    match payload.first() {
        Some(b'A'..=b'Z') => {}
        _ => return false,
    }
    if payload.starts_with(b"HTTP/") {
        version(payload) == Version::Complete && payload.get(8..).is_some_and(status_follows)
    } else if payload.starts_with(b"ICY ") {
        payload.get(3..).is_some_and(status_follows)
    } else {
        request_line(payload).is_some()
    }
}

/// Whether `rest` is ` 3DIGIT` followed by a space or the line end.
fn status_follows(rest: &[u8]) -> bool {
    match rest {
        [b' ', a, b, c, tail @ ..] => {
            a.is_ascii_digit()
                && b.is_ascii_digit()
                && c.is_ascii_digit()
                && (tail.first() == Some(&b' ') || ends_line(tail))
        }
        _ => false,
    }
}

/// The parts of a request line: method, target, version (possibly empty or partial when the
/// captured bytes end inside the line).
type RequestLine<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// Parses the request line at the start of `payload` (see [`is_http_start`]).
fn request_line(payload: &[u8]) -> Option<RequestLine<'_>> {
    let method_len = payload
        .iter()
        .take(MAX_METHOD_LEN + 1)
        .position(|&b| b == b' ')?;
    let (method, after) = payload.split_at_checked(method_len)?;
    if !is_method(method) {
        return None;
    }
    let after_method = after.get(1..)?;
    let target_len = after_method
        .iter()
        .position(|&b| !is_target_byte(b))
        .unwrap_or(after_method.len());
    if target_len == 0 {
        return None;
    }
    let (target, rest) = after_method.split_at_checked(target_len)?;
    if rest.is_empty() {
        // Cut inside the target.
        return Some((method, target, &[]));
    }
    let version_bytes = rest.strip_prefix(b" ")?;
    match version(version_bytes) {
        Version::Invalid => spaced_target(method, after_method),
        Version::Prefix => Some((method, target, version_bytes)),
        Version::Complete => match version_bytes.split_at_checked(8) {
            Some((version, tail)) if ends_line(tail) => Some((method, target, version)),
            _ => None,
        },
    }
}

/// A request line whose target contains spaces (`GET /a;cat /etc/passwd HTTP/1.1`, as attack
/// probes send): Wireshark still reads it as a request, the target running to the last
/// ` HTTP/d.d` before the line end.
fn spaced_target<'a>(method: &'a [u8], after_method: &'a [u8]) -> Option<RequestLine<'a>> {
    let line_end = after_method
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(after_method.len());
    let line = after_method.get(..line_end)?;
    let at = line.windows(6).rposition(|w| w == b" HTTP/")?;
    let target = line.get(..at)?;
    let version_bytes = after_method.get(at + 1..)?;
    let (version_text, tail) = version_bytes.split_at_checked(8)?;
    (at > 0 && version(version_bytes) == Version::Complete && ends_line(tail)).then_some((
        method,
        target,
        version_text,
    ))
}

/// Lossy UTF-8 text of `bytes` with surrounding ASCII whitespace removed.
fn text(bytes: &[u8]) -> String {
    owned(bytes.trim_ascii())
}

/// Lossy UTF-8 text of `bytes`, in a recycled string's memory when the engine recycles.
fn owned(bytes: &[u8]) -> String {
    // Valid UTF-8 (nearly every head) through the validator's fast path; the rest lossily.
    match std::str::from_utf8(bytes) {
        Ok(text) => recycle::text(text),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The head's start line and where the line after it begins (`data.len()` if none).
fn first_line(data: &[u8]) -> (&[u8], usize) {
    match data
        .iter()
        .position(|&b| b == b'\n')
        .and_then(|lf| data.split_at_checked(lf))
    {
        Some((line, _)) => (line, line.len() + 1),
        None => (data, data.len()),
    }
}

/// Parses the start line into an [`Http`] record with no headers yet.
fn start_line(line: &[u8]) -> Option<Http> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut http = Http {
        kind: HttpKind::Response,
        method: None,
        target: None,
        version: String::new(),
        status: None,
        reason: None,
        headers: Vec::new(),
        body_len: 0,
        header_len: 0,
        payload_len: 0,
    };
    let version_len = if version(line) == Version::Complete {
        8
    } else if line.starts_with(b"ICY ") {
        3
    } else {
        let (method, target, version) = request_line(line)?;
        http.kind = HttpKind::Request;
        http.method = Some(text(method));
        http.target = Some(owned(target));
        http.version = text(version);
        return Some(http);
    };
    let (version_text, rest) = line.split_at_checked(version_len)?;
    if !status_follows(rest) {
        return None;
    }
    http.version = text(version_text);
    let digits = rest.get(1..4)?;
    http.status = Some(
        digits
            .iter()
            .fold(0u16, |n, d| n * 10 + u16::from(d - b'0')),
    );
    http.reason = Some(text(rest.get(5..).unwrap_or_default()));
    Some(http)
}

/// Decodes the HTTP head at the start of `data` (the captured TCP payload).
///
/// `header_len` runs through the blank line that ends the head, or over all of `data` when the
/// head is not complete in it; the bytes after the head are the body (`body_len`,
/// `payload_len`). Header values are trimmed; continuation lines (obsolete folding) are joined
/// to the previous value with one space; lines without a colon are skipped; at most
/// [`MAX_HEADERS`] fields are kept.
pub fn decode(data: &[u8]) -> DecodeResult {
    let not_http =
        || DecodeError::other("payload does not start with an HTTP request or status line");
    if !is_http_start(data) {
        return Err(not_http());
    }
    let (line, mut pos) = first_line(data);
    let mut http = start_line(line).ok_or_else(not_http)?;
    let mut header_len = data.len();
    // The box and header list of a layer an earlier frame handed back, when the engine
    // recycles.
    let mut kept = recycle::http();
    let mut headers: Vec<(String, String)> = kept
        .as_deref_mut()
        .map(|old| std::mem::take(&mut old.headers))
        .unwrap_or_default();
    // Whether a continuation line may fold into the last field (it was kept and is the
    // field the previous line belonged to).
    let mut can_fold = false;
    while let Some(rest) = data.get(pos..).filter(|rest| !rest.is_empty()) {
        let (line, terminated, next) = match rest
            .iter()
            .position(|&b| b == b'\n')
            .and_then(|lf| rest.split_at_checked(lf))
        {
            Some((line, _)) => (line, true, pos + line.len() + 1),
            None => (rest, false, data.len()),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            if terminated {
                header_len = next;
                break;
            }
            // A lone CR at the end: the blank line was cut.
            pos = next;
            continue;
        }
        if matches!(line.first(), Some(b' ' | b'\t')) {
            if let Some((_, value)) = headers.last_mut().filter(|_| can_fold) {
                let more = line.trim_ascii();
                if !more.is_empty() {
                    if !value.is_empty() {
                        value.push(' ');
                    }
                    value.push_str(&String::from_utf8_lossy(more));
                }
            }
        } else if let Some(colon) = line.iter().position(|&b| b == b':')
            && let Some((name, value)) = line.split_at_checked(colon)
            && let Some(value) = value.strip_prefix(b":")
            && headers.len() < MAX_HEADERS
        {
            headers.push((text(name), text(value)));
            can_fold = true;
        } else {
            can_fold = false;
        }
        pos = next;
    }
    let rest = data.len() - header_len;
    // Pipelining: a body of known length (Content-Length; none for a request without one)
    // followed by another head. That head is the next layer; this one's body is skipped.
    let declared_body = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or_else(|| (http.kind == HttpKind::Request).then_some(0));
    let pipelined = declared_body
        .filter(|&n| n < rest && data.get(header_len + n..).is_some_and(is_http_start));
    http.headers = headers;
    http.header_len = header_len as u32;
    let (body_len, skip, next) = match pipelined {
        Some(n) => (n, n, Some(ProtoId::Http)),
        None => (rest, 0, None),
    };
    http.body_len = body_len as u32;
    http.payload_len = (rest - skip) as u32;
    Ok(Decoded {
        layer: Layer::Http(recycle::boxed(kept, http)),
        header_len: header_len + skip,
        payload_len: rest - skip,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http_of(data: &[u8]) -> (Http, Decoded) {
        let d = decode(data).unwrap();
        let Layer::Http(http) = d.layer.clone() else {
            panic!("not HTTP")
        };
        (*http, d)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn request_decodes_every_field() {
        let data = b"GET /download.html HTTP/1.1\r\nHost: www.ethereal.com\r\n\
            Accept-Encoding:gzip,deflate  \r\nConnection: keep-alive\r\n\r\n";
        assert!(is_http_start(data));
        let (http, d) = http_of(data);
        assert_eq!((d.header_len, d.payload_len, d.next), (data.len(), 0, None));
        assert_eq!(
            http,
            Http {
                kind: HttpKind::Request,
                method: Some("GET".into()),
                target: Some("/download.html".into()),
                version: "HTTP/1.1".into(),
                status: None,
                reason: None,
                headers: pairs(&[
                    ("Host", "www.ethereal.com"),
                    ("Accept-Encoding", "gzip,deflate"),
                    ("Connection", "keep-alive"),
                ]),
                body_len: 0,
                header_len: data.len() as u32,
                payload_len: 0,
            }
        );
    }

    /// Memory that earlier frames handed back (`recycle`) gives the same layers as fresh
    /// memory, in the box of the layer before: a request, a response, the request again.
    #[test]
    fn recycled_memory_gives_the_same_layers() {
        let request = b"GET /download.html HTTP/1.1\r\nHost: www.ethereal.com\r\n\
            Accept-Encoding: gzip\r\n  deflate\r\nConnection: keep-alive\r\n\r\n";
        let response = b"HTTP/1.0 404 Not Found\r\nContent-Length: 5\r\n\r\nnope!";
        let cases = [&request[..], response];
        crate::engine::native::assert_recycles(&[0, 1, 0], |i| decode(cases[i]).unwrap().layer);
    }

    #[test]
    fn pipelined_heads_each_get_a_layer() {
        let first = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
        let second = b"POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
        let third = b"GET /c HTTP/1.1\r\n\r\n";
        let data = [&first[..], second, third].concat();
        let (http, d) = http_of(&data);
        assert_eq!(http.target.as_deref(), Some("/a"));
        assert_eq!(
            (http.body_len, d.header_len, d.next),
            (0, first.len(), Some(ProtoId::Http))
        );
        let rest = &data[d.header_len..];
        let (http, d) = http_of(rest);
        assert_eq!(
            (http.body_len, http.header_len as usize),
            (3, second.len() - 3)
        );
        assert_eq!((d.header_len, d.next), (second.len(), Some(ProtoId::Http)));
        let (http, d) = http_of(&rest[d.header_len..]);
        assert_eq!((http.target.as_deref(), d.next), (Some("/c"), None));
        // A body that is not followed by a head stays the body.
        let (http, d) = http_of(second);
        assert_eq!((http.body_len, d.next), (3, None));
        // A response without Content-Length: its body runs to the end.
        let (http, d) = http_of(b"HTTP/1.1 200 OK\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        assert_eq!((http.body_len, d.next), (18, None));
    }

    #[test]
    fn target_with_spaces_runs_to_the_version() {
        // ndpi__WebattackRCE.pcap frame 535: a probe whose target holds a space.
        let data = b"GET /cgi-bin/a;cat /etc/passwd|?d=x HTTP/1.1\r\nHost: h\r\n\r\n";
        assert!(is_http_start(data));
        let (http, _) = http_of(data);
        assert_eq!(
            http.target.as_deref(),
            Some("/cgi-bin/a;cat /etc/passwd|?d=x")
        );
        assert_eq!(http.version, "HTTP/1.1");
        // No version at the end of the line: not a request.
        assert!(!is_http_start(b"GET /a b c\r\n"));
        assert!(!is_http_start(b"GET /a b HTTP/1.1 x\r\n"));
        assert!(!is_http_start(b"GET  HTTP/1.1\r\n"));
    }

    #[test]
    fn response_decodes_every_field() {
        let data =
            b"HTTP/1.0 404 Not Found\r\nServer: SimpleHTTP/0.6\r\nContent-Length: 5\r\n\r\nnope!";
        assert!(is_http_start(data));
        let (http, d) = http_of(data);
        let head = data.len() - 5;
        assert_eq!((d.header_len, d.payload_len, d.next), (head, 5, None));
        assert_eq!(
            http,
            Http {
                kind: HttpKind::Response,
                method: None,
                target: None,
                version: "HTTP/1.0".into(),
                status: Some(404),
                reason: Some("Not Found".into()),
                headers: pairs(&[("Server", "SimpleHTTP/0.6"), ("Content-Length", "5")]),
                body_len: 5,
                header_len: head as u32,
                payload_len: 5,
            }
        );
    }

    #[test]
    fn response_without_reason_and_bare_lf_lines() {
        let data = b"HTTP/1.1 200\nA: 1\n\nbody";
        let (http, d) = http_of(data);
        assert_eq!((d.header_len, d.payload_len), (19, 4));
        assert_eq!((http.status, http.reason.as_deref()), (Some(200), Some("")));
        assert_eq!(http.headers, pairs(&[("A", "1")]));
    }

    #[test]
    fn webdav_and_other_methods() {
        for method in [
            "PROPFIND",
            "PROPPATCH",
            "MKCOL",
            "COPY",
            "MOVE",
            "LOCK",
            "UNLOCK",
            "SEARCH",
            "REPORT",
            "HEAD",
            "POST",
            "PUT",
            "DELETE",
            "OPTIONS",
            "TRACE",
            "PATCH",
            "VERSION-CONTROL",
            "RPC_IN_DATA",
        ] {
            let line = format!("{method} /dav/x HTTP/1.1\r\n\r\n");
            assert!(is_http_start(line.as_bytes()), "{method}");
            assert_eq!(http_of(line.as_bytes()).0.method.as_deref(), Some(method));
        }
        let connect = b"CONNECT www.example.com:443 HTTP/1.1\r\n\r\n";
        assert_eq!(
            http_of(connect).0.target.as_deref(),
            Some("www.example.com:443")
        );
    }

    #[test]
    fn shoutcast_status_line() {
        let data = b"ICY 200 OK\r\nicy-name: radio\r\n\r\n";
        assert!(is_http_start(data));
        let (http, _) = http_of(data);
        assert_eq!(
            (http.kind, http.version.as_str(), http.status),
            (HttpKind::Response, "ICY", Some(200))
        );
    }

    #[test]
    fn folded_headers_join_with_one_space() {
        let data = b"GET / HTTP/1.1\r\nX-Long: one\r\n  two\r\n\tthree \r\nNext: 4\r\n\r\n";
        let (http, _) = http_of(data);
        assert_eq!(
            http.headers,
            pairs(&[("X-Long", "one two three"), ("Next", "4")])
        );
        // A continuation line with nothing to continue is dropped.
        let data = b"GET / HTTP/1.1\r\n folded\r\nno colon here\r\n more\r\nA: b\r\n\r\n";
        assert_eq!(http_of(data).0.headers, pairs(&[("A", "b")]));
    }

    #[test]
    fn non_utf8_bytes_are_replaced() {
        let data = b"GET /caf\xe9 HTTP/1.1\r\nX-Name: \xff\xfeok\r\n\r\n";
        assert!(is_http_start(data));
        let (http, _) = http_of(data);
        assert_eq!(http.target.as_deref(), Some("/caf\u{fffd}"));
        assert_eq!(http.headers, pairs(&[("X-Name", "\u{fffd}\u{fffd}ok")]));
    }

    #[test]
    fn header_count_is_capped() {
        let mut data = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..MAX_HEADERS + 50 {
            data.extend_from_slice(format!("H{i}: v\r\n").as_bytes());
        }
        data.extend_from_slice(b"\r\nrest");
        let (http, d) = http_of(&data);
        assert_eq!(http.headers.len(), MAX_HEADERS);
        assert_eq!(
            http.headers[MAX_HEADERS - 1].0,
            format!("H{}", MAX_HEADERS - 1)
        );
        assert_eq!((d.header_len, d.payload_len), (data.len() - 4, 4));
    }

    #[test]
    fn head_cut_by_the_snap_length() {
        // pcpp__SllPacket.pcap frame 1: the 40 captured bytes of a 1208-byte payload.
        // tshark: response, version HTTP/1.1, code 200, phrase OK, "Date: Thu, 10 Mar 2011 ".
        let data = b"HTTP/1.1 200 OK\r\nDate: Thu, 10 Mar 2011 ";
        assert!(is_http_start(data));
        let (http, d) = http_of(data);
        assert_eq!((d.header_len, d.payload_len), (40, 0));
        assert_eq!(
            http,
            Http {
                kind: HttpKind::Response,
                method: None,
                target: None,
                version: "HTTP/1.1".into(),
                status: Some(200),
                reason: Some("OK".into()),
                headers: pairs(&[("Date", "Thu, 10 Mar 2011")]),
                body_len: 0,
                header_len: 40,
                payload_len: 0,
            }
        );
        // Cut in the blank line, and cut inside a header name.
        assert_eq!(http_of(b"HTTP/1.1 200 OK\r\nA: b\r\n\r").1.header_len, 24);
        assert!(http_of(b"HTTP/1.1 200 OK\r\nA: b\r\nDa").0.headers == pairs(&[("A", "b")]));
    }

    #[test]
    fn start_line_cut_by_the_snap_length() {
        // Responses need the status code; requests the method and a byte of the target.
        for data in [
            &b"HTTP/1.1 200"[..],
            b"HTTP/1.1 200 O",
            b"HTTP/1.1 200\r",
            b"GET /",
            b"GET /pagead/ads?client=ca-pub-2309",
            b"GET /x H",
            b"GET /x HTTP/1.",
            b"GET /x HTTP/1.1",
            b"GET /x HTTP/1.1\r",
        ] {
            assert!(is_http_start(data), "{:?}", String::from_utf8_lossy(data));
        }
        for data in [&b"HTTP/1.1"[..], b"HTTP/1.1 2", b"HTTP/1.", b"GET", b"GET "] {
            assert!(!is_http_start(data), "{:?}", String::from_utf8_lossy(data));
        }
        let (http, d) = http_of(b"GET /pagead/ads?cli");
        assert_eq!((d.header_len, d.payload_len), (19, 0));
        assert_eq!(
            (
                http.method.as_deref(),
                http.target.as_deref(),
                http.version.as_str()
            ),
            (Some("GET"), Some("/pagead/ads?cli"), "")
        );
        assert_eq!(http_of(b"GET /x HTTP/1").0.version, "HTTP/1");
    }

    #[test]
    fn lookalikes_are_not_http() {
        for data in [
            &b""[..],
            b"GETX / HTTP/1.1\r\n\r\n",
            b"get / HTTP/1.1\r\n\r\n",
            b"GET  / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1 extra\r\n\r\n",
            b"GET / HTTP/x.1\r\n\r\n",
            b"GET / FTP/1.0\r\n\r\n",
            b"GET /\r\n\r\n",
            b"NOTAMETHOD / HTTP/1.1\r\n",
            b"HTTP/1.1 20x OK\r\n",
            b"HTTP/1.1 2000 OK\r\n",
            b"HTTP/2 200\r\n",
            b"HTTP/1.1200 OK\r\n",
            b"HTTPS/1.1 200 OK\r\n",
            b"ICY OK\r\n",
            // A body chunk, HTML, a chunked-encoding size line.
            b"ad_height = 60;\r\ngoogle_ad_format = \"468x60_as\";",
            b"<html>\r\n<head><title>GET / HTTP/1.1</title>",
            b"1a\r\nabcdefghijklmnopqrstuvwxyz\r\n",
            // Binary: TLS record, zeros, high bytes.
            &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc][..],
            &[0u8; 32][..],
            &[0xff; 32][..],
        ] {
            assert!(!is_http_start(data), "{:?}", String::from_utf8_lossy(data));
            assert!(decode(data).is_err(), "{:?}", String::from_utf8_lossy(data));
        }
    }

    #[test]
    fn decode_rejects_what_is_not_a_head() {
        assert_eq!(
            decode(b"\x00\x01binary").err().unwrap().to_string(),
            "payload does not start with an HTTP request or status line"
        );
    }
}
