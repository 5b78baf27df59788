//! TLS records (RFC 8446, 5246) at the start of a TCP segment.
//!
//! Every record header in the segment is listed (content type, version, length); the first
//! handshake record's message, when it is a ClientHello or ServerHello whose bytes are in the
//! segment, gives the hello version, cipher suites (offered, or chosen), and the
//! `server_name`, ALPN and `supported_versions` extensions. A record or hello that continues
//! in later segments is read as far as it was captured; a handshake record after a
//! change_cipher_spec (an encrypted Finished) is not read.

use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{Layer, Tls, TlsRecord};

/// Length of a record header.
pub const RECORD_HEADER_LEN: usize = 5;

/// The largest record length allowed (2^14 plus expansion, RFC 5246 §6.2.3).
pub const MAX_RECORD_LEN: u16 = 18432;

/// The most records listed per segment.
pub const MAX_RECORDS: usize = 64;

/// Handshake content type.
const HANDSHAKE: u8 = 22;

/// Change cipher spec content type: the records after it are encrypted.
const CHANGE_CIPHER_SPEC: u8 = 20;

/// Extension types read from hellos.
mod ext {
    pub const SERVER_NAME: u16 = 0;
    pub const ALPN: u16 = 16;
    pub const SUPPORTED_VERSIONS: u16 = 43;
}

/// The name of a record content type, for the five defined types.
fn content_type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        20 => "change_cipher_spec",
        21 => "alert",
        22 => "handshake",
        23 => "application_data",
        24 => "heartbeat",
        _ => return None,
    })
}

/// The name of a handshake message type, if known.
pub fn handshake_type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "hello_request",
        1 => "client_hello",
        2 => "server_hello",
        4 => "new_session_ticket",
        5 => "end_of_early_data",
        8 => "encrypted_extensions",
        11 => "certificate",
        12 => "server_key_exchange",
        13 => "certificate_request",
        14 => "server_hello_done",
        15 => "certificate_verify",
        16 => "client_key_exchange",
        20 => "finished",
        24 => "key_update",
        _ => return None,
    })
}

/// Whether `payload` starts with a TLS record header: a defined content type, version 3.0 to
/// 3.4 and a length within the limit.
pub fn is_tls(payload: &[u8]) -> bool {
    match payload.get(..RECORD_HEADER_LEN) {
        Some(&[kind, 3, minor, hi, lo]) => {
            content_type_name(kind).is_some()
                && minor <= 4
                && u16::from_be_bytes([hi, lo]) <= MAX_RECORD_LEN
        }
        _ => false,
    }
}

/// A cursor over bytes that may end early: reads return `None` past the end.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u16(&mut self) -> Option<u16> {
        read::be16(self.take(2)?, 0)
    }
    /// A vector with a `len_bytes`-byte length prefix.
    fn vec(&mut self, len_bytes: usize) -> Option<&'a [u8]> {
        let len = match len_bytes {
            1 => usize::from(self.u8()?),
            _ => usize::from(self.u16()?),
        };
        self.take(len)
    }
}

/// Big-endian u16 list.
fn u16s(b: &[u8]) -> Vec<u16> {
    let (pairs, _) = b.as_chunks::<2>();
    pairs.iter().map(|&pair| u16::from_be_bytes(pair)).collect()
}

/// Reads a ClientHello (`client`) or ServerHello body into `tls`, as far as it is captured.
fn hello(body: &[u8], client: bool, tls: &mut Tls) {
    let mut r = Reader { b: body, at: 0 };
    let Some(version) = r.u16() else { return };
    tls.hello_version = Some(version);
    if r.take(32).is_none() || r.vec(1).is_none() {
        return;
    }
    if client {
        let Some(suites) = r.vec(2) else { return };
        tls.cipher_suites = Some(u16s(suites));
        if r.vec(1).is_none() {
            return;
        }
    } else {
        let Some(suite) = r.u16() else { return };
        tls.cipher_suite = Some(suite);
        if r.u8().is_none() {
            return;
        }
    }
    let Some(exts) = r.vec(2) else { return };
    let mut e = Reader { b: exts, at: 0 };
    while let (Some(kind), Some(data)) = (e.u16(), e.vec(2)) {
        let mut d = Reader { b: data, at: 0 };
        match kind {
            ext::SERVER_NAME => {
                if let Some(list) = d.vec(2) {
                    let mut l = Reader { b: list, at: 0 };
                    if let (Some(0), Some(name)) = (l.u8(), l.vec(2)) {
                        tls.sni = Some(String::from_utf8_lossy(name).into_owned());
                    }
                }
            }
            ext::ALPN => {
                if let Some(list) = d.vec(2) {
                    let mut l = Reader { b: list, at: 0 };
                    let mut names = Vec::new();
                    while let Some(name) = l.vec(1) {
                        names.push(String::from_utf8_lossy(name).into_owned());
                    }
                    tls.alpn = Some(names);
                }
            }
            ext::SUPPORTED_VERSIONS if client => {
                tls.supported_versions = d.vec(1).map(u16s);
            }
            ext::SUPPORTED_VERSIONS => tls.supported_versions = d.u16().map(|v| vec![v]),
            _ => {}
        }
    }
}

/// A TLS layer with nothing read yet; `header_len` bytes long.
fn empty(header_len: u32) -> Tls {
    Tls {
        records: Vec::new(),
        handshake_type: None,
        handshake_type_name: None,
        hello_version: None,
        cipher_suites: None,
        cipher_suite: None,
        sni: None,
        alpn: None,
        supported_versions: None,
        header_len,
        payload_len: 0,
    }
}

/// Reads the first handshake message of `messages` (type, and a hello's fields) into `tls`.
fn handshake(messages: &[u8], tls: &mut Tls) {
    if let Some(&kind) = messages.first() {
        tls.handshake_type = Some(kind);
        tls.handshake_type_name = handshake_type_name(kind);
        if matches!(kind, 1 | 2) {
            hello(messages.get(4..).unwrap_or_default(), kind == 1, tls);
        }
    }
}

/// The TLS layer of handshake messages carried without records (QUIC CRYPTO frames, RFC 9001
/// §4), if `messages` holds at least one whole message; `header_len` is the length of the
/// bytes they came from.
pub fn handshake_layer(messages: &[u8], header_len: u32) -> Option<Layer> {
    let &[_, l0, l1, l2, ..] = messages else {
        return None;
    };
    let len = usize::from(l0) << 16 | usize::from(l1) << 8 | usize::from(l2);
    let message = messages.get(..4 + len)?;
    let mut tls = empty(header_len);
    handshake(message, &mut tls);
    Some(Layer::Tls(Box::new(tls)))
}

/// Decodes the TLS records at the start of a TCP payload.
pub fn decode(data: &[u8]) -> DecodeResult {
    if !is_tls(data) {
        return Err(DecodeError::truncated(
            "TLS record header",
            RECORD_HEADER_LEN,
            data.len(),
        ));
    }
    let mut tls = empty(data.len() as u32);
    let mut at = 0usize;
    while tls.records.len() < MAX_RECORDS
        && let Some(rest) = data.get(at..)
        && is_tls(rest)
        && let Some((&[kind, v0, v1, l0, l1], body)) = rest.split_first_chunk::<RECORD_HEADER_LEN>()
    {
        let len = u16::from_be_bytes([l0, l1]);
        tls.records.push(TlsRecord {
            content_type: kind,
            content_type_name: content_type_name(kind).unwrap_or_default(),
            version: u16::from_be_bytes([v0, v1]),
            len,
        });
        let body_start = at + RECORD_HEADER_LEN;
        let body = body.get(..usize::from(len)).unwrap_or(body);
        // A handshake record after a change_cipher_spec is encrypted (Finished): not read.
        let encrypted = tls
            .records
            .iter()
            .any(|r| r.content_type == CHANGE_CIPHER_SPEC);
        if kind == HANDSHAKE && tls.handshake_type.is_none() && !encrypted {
            handshake(body, &mut tls);
        }
        at = body_start + usize::from(len);
    }
    Ok(Decoded {
        layer: Layer::Tls(Box::new(tls)),
        header_len: data.len(),
        payload_len: 0,
        next: None,
    })
}

/// Which bytes of a message [`decode`] reads, found as the message's bytes arrive in order:
/// each record header it walks (the first one that is not a record header included, up to
/// [`MAX_RECORDS`] records) and the body of the first handshake record it reads a message
/// from. Bytes outside these ranges do not change what `decode` returns, so a reassembled
/// TCP message need not keep them (`reassembly::http` zero-fills them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reads {
    /// Offset of the header being read (or of the next one).
    next: usize,
    /// Its bytes so far.
    header: [u8; RECORD_HEADER_LEN],
    have: usize,
    records: usize,
    /// End of the handshake record body `decode` reads (0: none yet).
    body_end: usize,
    /// A change_cipher_spec was seen: later handshake records are not read.
    encrypted: bool,
    /// A handshake message was read: later handshake records are not.
    handshake: bool,
    /// `decode` reads no header past this point.
    done: bool,
}

impl Reads {
    /// Takes the message's bytes `[at, at + bytes.len())` (right after those taken before) and
    /// calls `read(from, to)` for each range of them `decode` reads, in order.
    pub(crate) fn feed(&mut self, at: usize, bytes: &[u8], mut read: impl FnMut(usize, usize)) {
        let end = at + bytes.len();
        let mut pos = at;
        while pos < end {
            if pos < self.next {
                // A record body: read only if it is the handshake message's.
                let to = end.min(self.next);
                if pos < self.body_end {
                    read(pos, to.min(self.body_end));
                }
                pos = to;
                continue;
            }
            if self.done {
                return;
            }
            let take = (RECORD_HEADER_LEN - self.have).min(end - pos);
            let (from, to) = (self.have, self.have + take);
            if let (Some(dst), Some(src)) = (
                self.header.get_mut(from..to),
                bytes.get(pos - at..pos - at + take),
            ) {
                dst.copy_from_slice(src);
            }
            read(pos, pos + take);
            self.have = to;
            pos += take;
            if self.have == RECORD_HEADER_LEN {
                self.record();
            }
        }
    }

    /// A whole record header was read: where `decode` goes next.
    fn record(&mut self) {
        let header = self.header;
        let [kind, _, _, l0, l1] = header;
        if !is_tls(&header) {
            self.done = true;
            return;
        }
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let body = self.next + RECORD_HEADER_LEN;
        if kind == HANDSHAKE && !self.handshake && !self.encrypted {
            self.body_end = body + len;
            self.handshake = len > 0;
        }
        self.encrypted |= kind == CHANGE_CIPHER_SPEC;
        self.records += 1;
        self.done = self.records >= MAX_RECORDS;
        self.next = body + len;
        self.have = 0;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A ClientHello record: TLS 1.2 hello, two suites, SNI `example.com`, ALPN h2 and
    /// http/1.1, supported_versions 1.3 and 1.2.
    pub(crate) fn client_hello() -> Vec<u8> {
        let mut exts = Vec::new();
        let name = b"example.com";
        exts.extend([0, 0]);
        exts.extend(((name.len() + 5) as u16).to_be_bytes());
        exts.extend(((name.len() + 3) as u16).to_be_bytes());
        exts.push(0);
        exts.extend((name.len() as u16).to_be_bytes());
        exts.extend(name);
        exts.extend([0, 16, 0, 14, 0, 12, 2, b'h', b'2', 8]);
        exts.extend(b"http/1.1");
        exts.extend([0, 43, 0, 5, 4, 3, 4, 3, 3]);
        let mut body = vec![3, 3];
        body.extend([7u8; 32]);
        body.push(0); // session id
        body.extend([0, 4, 0x13, 0x01, 0xc0, 0x2f]);
        body.extend([1, 0]); // compression
        body.extend((exts.len() as u16).to_be_bytes());
        body.extend(exts);
        let mut hs = vec![1, 0];
        hs.extend((body.len() as u16).to_be_bytes());
        hs.extend(body);
        let mut rec = vec![22, 3, 1];
        rec.extend((hs.len() as u16).to_be_bytes());
        rec.extend(hs);
        rec
    }

    fn tls_of(d: &Decoded) -> &Tls {
        let Layer::Tls(t) = &d.layer else {
            panic!("not TLS")
        };
        t
    }

    #[test]
    fn client_hello_decodes_every_field() {
        let m = client_hello();
        assert!(is_tls(&m));
        let d = decode(&m).unwrap();
        let t = tls_of(&d);
        assert_eq!(t.records.len(), 1);
        assert_eq!(
            t.records[0],
            TlsRecord {
                content_type: 22,
                content_type_name: "handshake",
                version: 0x0301,
                len: (m.len() - 5) as u16,
            }
        );
        assert_eq!(
            (t.handshake_type, t.handshake_type_name),
            (Some(1), Some("client_hello"))
        );
        assert_eq!(t.hello_version, Some(0x0303));
        assert_eq!(t.cipher_suites, Some(vec![0x1301, 0xc02f]));
        assert_eq!(t.sni.as_deref(), Some("example.com"));
        assert_eq!(t.alpn, Some(vec!["h2".to_owned(), "http/1.1".to_owned()]));
        assert_eq!(t.supported_versions, Some(vec![0x0304, 0x0303]));
        assert_eq!((d.header_len, d.payload_len, d.next), (m.len(), 0, None));
    }

    #[test]
    fn server_hello_and_several_records() {
        let mut body = vec![3, 3];
        body.extend([1u8; 32]);
        body.push(0);
        body.extend([0x13, 0x02, 0]);
        body.extend([0, 6, 0, 43, 0, 2, 3, 4]);
        let mut rec = vec![22, 3, 3];
        rec.extend(((body.len() + 4) as u16).to_be_bytes());
        rec.extend([2, 0]);
        rec.extend((body.len() as u16).to_be_bytes());
        rec.extend(body);
        rec.extend([20, 3, 3, 0, 1, 1]); // change_cipher_spec
        rec.extend([23, 3, 3, 0, 40]); // application data, cut
        let d = decode(&rec).unwrap();
        // suricata__dump_mtu300.pcap frame 23: change_cipher_spec, then an encrypted Finished.
        let finished = decode(&[20, 3, 3, 0, 1, 1, 22, 3, 3, 0, 2, 0, 9]).unwrap();
        assert_eq!(tls_of(&finished).handshake_type, None);
        let t = tls_of(&d);
        assert_eq!(t.records.len(), 3);
        assert_eq!(t.records[2].content_type_name, "application_data");
        assert_eq!(
            (t.cipher_suite, t.cipher_suites.as_ref()),
            (Some(0x1302), None)
        );
        assert_eq!(t.supported_versions, Some(vec![0x0304]));
    }

    #[test]
    fn cut_hello_keeps_what_fits() {
        let m = client_hello();
        for cut in 5..m.len() {
            let d = decode(&m[..cut]).unwrap();
            let t = tls_of(&d);
            assert_eq!(t.records.len(), 1, "cut {cut}");
            if cut > 60 {
                assert_eq!(t.cipher_suites, Some(vec![0x1301, 0xc02f]), "cut {cut}");
            }
        }
    }

    #[test]
    fn non_tls_is_rejected() {
        assert!(!is_tls(b"GET / HTTP/1.1"));
        assert!(!is_tls(&[22, 3, 5, 0, 1]));
        assert!(!is_tls(&[22, 2, 0, 0, 1]));
        assert!(!is_tls(&[25, 3, 3, 0, 1]));
        assert!(!is_tls(&[23, 3, 3, 0x48, 0x01]));
        assert!(is_tls(&[23, 3, 3, 0x48, 0x00]));
        assert!(!is_tls(&[22, 3, 3, 0]));
        assert!(decode(&[22, 3, 3, 0]).is_err());
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let mut seed = 0x0443_0443_0443_0443u64;
        let hello = client_hello();
        for _ in 0..200 {
            let mut bytes = hello.clone();
            let noise = super::super::test_random_bytes(&mut seed, bytes.len());
            let at = (seed as usize) % bytes.len();
            bytes[at..].copy_from_slice(&noise[at..]);
            for len in 0..=bytes.len() {
                let _ = decode(&bytes[..len]);
            }
        }
    }

    /// What `decode` makes of `bytes`, comparable.
    fn decoded(bytes: &[u8]) -> Result<(Layer, usize, usize), DecodeError> {
        decode(bytes).map(|d| (d.layer, d.header_len, d.payload_len))
    }

    /// `bytes` with only what [`Reads`] says `decode` reads, fed in pieces of `step` bytes;
    /// zeros elsewhere.
    fn only_reads(bytes: &[u8], step: usize) -> Vec<u8> {
        let mut reads = Reads::default();
        let mut kept = vec![0u8; bytes.len()];
        for (i, piece) in bytes.chunks(step).enumerate() {
            reads.feed(i * step, piece, |from, to| {
                kept[from..to].copy_from_slice(&bytes[from..to]);
            });
        }
        kept
    }

    #[test]
    fn reads_are_all_decode_needs() {
        // A hello, a change_cipher_spec, an encrypted handshake record (not read), an empty
        // handshake record, then application data.
        let mut stream = vec![20, 3, 3, 0, 1, 1];
        stream.extend([22, 3, 3, 0, 4, 9, 9, 9, 9]);
        stream.extend([23, 3, 3, 0, 6, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
        let hello = client_hello();
        let mut bytes = [vec![22, 3, 1, 0, 0], hello.clone(), stream.clone()].concat();
        for step in [1, 2, 5, 7, 64, bytes.len()] {
            let kept = only_reads(&bytes, step);
            assert_ne!(kept, bytes, "the records' bodies are not kept");
            assert_eq!(kept[5..5 + hello.len()], hello[..], "the hello is kept");
            assert_eq!(decoded(&kept), decoded(&bytes));
            assert_eq!(
                tls_of(&decode(&kept).unwrap()).sni.as_deref(),
                Some("example.com")
            );
        }
        // Cut anywhere (the message as far as it was captured): the same layer.
        for len in 0..bytes.len() {
            assert_eq!(
                decoded(&only_reads(&bytes[..len], 3)),
                decoded(&bytes[..len])
            );
        }
        // Past MAX_RECORDS records, and after a header that is not one, nothing is read.
        bytes = [23, 3, 3, 0, 1, 0].repeat(MAX_RECORDS + 2);
        let kept = only_reads(&bytes, 11);
        assert_eq!(kept[MAX_RECORDS * 6..], [0; 12]);
        assert_eq!(decoded(&kept), decoded(&bytes));
        bytes = [vec![23, 3, 3, 0, 2, 1, 2], vec![0xff; 9]].concat();
        let kept = only_reads(&bytes, 4);
        assert_eq!(
            kept,
            [vec![23, 3, 3, 0, 2, 0, 0], vec![0xff; 5], vec![0; 4]].concat()
        );
        assert_eq!(decoded(&kept), decoded(&bytes));
    }
}
