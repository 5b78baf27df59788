//! DNS (RFC 1035, 6891) over UDP and TCP, and mDNS (RFC 6762): header, questions and resource
//! records, with the data of the common types decoded.
//!
//! Chosen by `app.rs` on port 53 (UDP or TCP) or 5353 (UDP) only when the content confirms it
//! ([`looks_like_dns`]). Names are decompressed with loop protection: a compression pointer
//! must point before the start of the labels being read (so every jump goes strictly
//! backwards and no loop is possible), at most [`MAX_JUMPS`] jumps, at most [`MAX_NAME_LEN`]
//! bytes of labels. A count larger than the message, a name or record past the captured bytes
//! or a bad label stops parsing: the layer keeps the questions and records parsed so far and
//! the walker's `partial` note (the frame's `error`) says which one and where.

use super::{DecodeError, DecodeResult, Decoded, read};
use crate::model::{Dns, DnsQuestion, DnsRdata, DnsRecord, HexBytes, Layer, recycle};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Field offsets of the DNS header.
mod field {
    pub const ID: usize = 0;
    pub const FLAGS: usize = 2;
    pub const QDCOUNT: usize = 4;
    pub const ANCOUNT: usize = 6;
    pub const NSCOUNT: usize = 8;
    pub const ARCOUNT: usize = 10;
}

/// Length of the DNS header.
pub const HEADER_LEN: usize = 12;

/// Most compression pointers followed in one name.
pub const MAX_JUMPS: usize = 64;

/// Most bytes of a name on the wire (RFC 1035: 255).
pub const MAX_NAME_LEN: usize = 255;

/// Smallest question: the root name, type, class.
const MIN_QUESTION: usize = 5;

/// Smallest resource record: the root name, type, class, TTL, rdlength.
const MIN_RECORD: usize = 11;

/// A view over a DNS message whose 12-byte header is captured.
pub struct Packet<'a> {
    header: &'a [u8; HEADER_LEN],
}

impl<'a> Packet<'a> {
    /// Wraps `buffer` (the message, without the TCP length prefix) after checking the header.
    pub fn new_checked(buffer: &'a [u8]) -> Result<Packet<'a>, DecodeError> {
        let Some(header) = buffer.first_chunk::<HEADER_LEN>() else {
            return Err(DecodeError::truncated(
                "DNS header",
                HEADER_LEN,
                buffer.len(),
            ));
        };
        Ok(Packet { header })
    }

    fn be16(&self, at: usize) -> u16 {
        read::be16(self.header, at).unwrap_or(0)
    }

    /// Transaction id.
    pub fn id(&self) -> u16 {
        self.be16(field::ID)
    }

    /// The 16 flag bits (QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode).
    pub fn flags(&self) -> u16 {
        self.be16(field::FLAGS)
    }

    /// Opcode.
    pub fn opcode(&self) -> u8 {
        ((self.flags() >> 11) & 0x0f) as u8
    }

    /// Number of questions.
    pub fn qdcount(&self) -> u16 {
        self.be16(field::QDCOUNT)
    }

    /// Number of answer records.
    pub fn ancount(&self) -> u16 {
        self.be16(field::ANCOUNT)
    }

    /// Number of authority records.
    pub fn nscount(&self) -> u16 {
        self.be16(field::NSCOUNT)
    }

    /// Number of additional records.
    pub fn arcount(&self) -> u16 {
        self.be16(field::ARCOUNT)
    }
}

/// The name of an opcode, if known.
pub fn opcode_name(opcode: u8) -> Option<&'static str> {
    Some(match opcode {
        0 => "query",
        1 => "iquery",
        2 => "status",
        4 => "notify",
        5 => "update",
        6 => "dso",
        _ => return None,
    })
}

/// The name of a response code (RFC 6895), if known.
pub fn rcode_name(rcode: u16) -> Option<&'static str> {
    Some(match rcode {
        0 => "NoError",
        1 => "FormErr",
        2 => "ServFail",
        3 => "NXDomain",
        4 => "NotImp",
        5 => "Refused",
        6 => "YXDomain",
        7 => "YXRRSet",
        8 => "NXRRSet",
        9 => "NotAuth",
        10 => "NotZone",
        11 => "DSOTYPENI",
        16 => "BADVERS",
        _ => return None,
    })
}

/// The name of a record type, if known.
pub fn type_name(kind: u16) -> Option<&'static str> {
    Some(match kind {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        13 => "HINFO",
        15 => "MX",
        16 => "TXT",
        17 => "RP",
        18 => "AFSDB",
        24 => "SIG",
        25 => "KEY",
        28 => "AAAA",
        29 => "LOC",
        33 => "SRV",
        35 => "NAPTR",
        36 => "KX",
        37 => "CERT",
        39 => "DNAME",
        41 => "OPT",
        42 => "APL",
        43 => "DS",
        44 => "SSHFP",
        45 => "IPSECKEY",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        49 => "DHCID",
        50 => "NSEC3",
        51 => "NSEC3PARAM",
        52 => "TLSA",
        53 => "SMIMEA",
        55 => "HIP",
        59 => "CDS",
        60 => "CDNSKEY",
        61 => "OPENPGPKEY",
        62 => "CSYNC",
        63 => "ZONEMD",
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        249 => "TKEY",
        250 => "TSIG",
        251 => "IXFR",
        252 => "AXFR",
        255 => "ANY",
        256 => "URI",
        257 => "CAA",
        _ => return None,
    })
}

/// Why a name or record could not be read.
enum Fault {
    /// It runs past the end of the bytes there are.
    End,
    /// It is malformed (the text says how).
    Bad(String),
}

/// The message bytes captured and the length the message declares.
struct Msg<'a> {
    bytes: &'a [u8],
    declared: usize,
}

impl Msg<'_> {
    /// Why something is not there: the bytes present stop early (snap length, first IP
    /// fragment) or it runs past the end the message declares.
    fn end_reason(&self) -> String {
        if self.bytes.len() < self.declared {
            format!(
                "cut short ({} of {} bytes present)",
                self.bytes.len(),
                self.declared
            )
        } else {
            format!("past the end of the message ({} bytes)", self.declared)
        }
    }

    fn fault_text(&self, fault: Fault) -> String {
        match fault {
            Fault::End => self.end_reason(),
            Fault::Bad(why) => why,
        }
    }

    fn u16_at(&self, at: usize) -> Result<u16, Fault> {
        read::be16(self.bytes, at).ok_or(Fault::End)
    }

    fn u32_at(&self, at: usize) -> Result<u32, Fault> {
        read::be32(self.bytes, at).ok_or(Fault::End)
    }
}

/// Appends one label to `out` (UTF-8 text) with dotted names' escapes: `.` and `\` escaped,
/// control and non-UTF-8 bytes as `\DDD`.
fn push_label(out: &mut Vec<u8>, label: &[u8]) {
    // The common case, printable ASCII with nothing to escape: copied as is (no UTF-8
    // validation, no scan of the text for escapes).
    if label
        .iter()
        .all(|&b| matches!(b, 0x20..=0x7e) && b != b'.' && b != b'\\')
    {
        out.extend_from_slice(label);
        return;
    }
    let mut text = String::with_capacity(label.len() + 8);
    match std::str::from_utf8(label) {
        Ok(utf8) => {
            for c in utf8.chars() {
                match c {
                    '.' => text.push_str("\\."),
                    '\\' => text.push_str("\\\\"),
                    c if c.is_control() => {
                        text.push_str(&format!("\\{:03}", u32::from(c)));
                    }
                    c => text.push(c),
                }
            }
        }
        Err(_) => {
            for &b in label {
                if b.is_ascii_graphic() && b != b'.' && b != b'\\' || b == b' ' {
                    text.push(char::from(b));
                } else {
                    text.push_str(&format!("\\{b:03}"));
                }
            }
        }
    }
    out.extend_from_slice(text.as_bytes());
}

/// Reads the (possibly compressed) name at `at`; returns it (`.` for the root) and the offset
/// just after it where it started (after its first pointer, if any).
fn read_name(msg: &Msg<'_>, at: usize) -> Result<(String, usize), Fault> {
    // Room for the usual name (labels and dots rarely exceed 64 bytes), in a recycled
    // string's memory when the engine recycles.
    let mut name = recycle::text_bytes(64);
    let end = match walk_name(msg, at, Some(&mut name)) {
        Ok(end) => end,
        Err(fault) => {
            recycle::give_back_bytes(name);
            return Err(fault);
        }
    };
    if name.is_empty() {
        name.push(b'.');
    }
    // Every label was appended as UTF-8 text (`push_label`): one validation for the name.
    let name = String::from_utf8(name)
        .unwrap_or_else(|bad| String::from_utf8_lossy(bad.as_bytes()).into_owned());
    Ok((name, end))
}

/// Follows the name at `at` to its end, appending its labels to `name` when given; returns the
/// offset just after it where it started.
fn walk_name(msg: &Msg<'_>, at: usize, mut name: Option<&mut Vec<u8>>) -> Result<usize, Fault> {
    let bytes = msg.bytes;
    let mut pos = at;
    // A pointer must point before `limit`, the start of the labels being read.
    let mut limit = at;
    let mut after = None;
    let mut jumps = 0usize;
    let mut wire_len = 1usize;
    loop {
        let len = *bytes.get(pos).ok_or(Fault::End)?;
        match len & 0xc0 {
            0x00 => {
                if len == 0 {
                    return Ok(after.unwrap_or(pos + 1));
                }
                let len = usize::from(len);
                let label = bytes.get(pos + 1..pos + 1 + len).ok_or(Fault::End)?;
                wire_len += len + 1;
                if wire_len > MAX_NAME_LEN {
                    return Err(Fault::Bad(format!(
                        "name at byte {at} longer than {MAX_NAME_LEN} bytes"
                    )));
                }
                if let Some(name) = name.as_deref_mut() {
                    if !name.is_empty() {
                        name.push(b'.');
                    }
                    push_label(name, label);
                }
                pos += 1 + len;
            }
            0xc0 => {
                let low = *bytes.get(pos + 1).ok_or(Fault::End)?;
                let target = usize::from(u16::from_be_bytes([len & 0x3f, low]));
                if after.is_none() {
                    after = Some(pos + 2);
                }
                if target >= limit {
                    return Err(Fault::Bad(format!(
                        "compression pointer at byte {pos} to byte {target}: not backwards (loop)"
                    )));
                }
                jumps += 1;
                if jumps > MAX_JUMPS {
                    return Err(Fault::Bad(format!(
                        "name at byte {at}: more than {MAX_JUMPS} compression pointers"
                    )));
                }
                limit = target;
                pos = target;
            }
            other => {
                return Err(Fault::Bad(format!(
                    "label type 0x{other:02x} at byte {pos} not supported"
                )));
            }
        }
    }
}

/// A name inside record data, which must end within `end`; `None` if it does not.
fn rdata_name(msg: &Msg<'_>, at: usize, end: usize) -> Option<(String, usize)> {
    match read_name(msg, at) {
        Ok((name, after)) if after <= end => Some((name, after)),
        _ => None,
    }
}

/// Decodes a record's data `raw`, which starts at `at`; data that does not fit its type is
/// kept as hex.
fn rdata(msg: &Msg<'_>, kind: u16, class: u16, ttl: u32, at: usize, raw: &[u8]) -> DnsRdata {
    let end = at + raw.len();
    let hex = || DnsRdata::Other {
        rdata: HexBytes(raw.to_vec()),
    };
    let name = |off: usize| rdata_name(msg, off, end);
    let decoded = match kind {
        1 => <[u8; 4]>::try_from(raw).ok().map(|b| DnsRdata::A {
            address: Ipv4Addr::from(b),
        }),
        28 => <[u8; 16]>::try_from(raw).ok().map(|b| DnsRdata::Aaaa {
            address: Ipv6Addr::from(b),
        }),
        5 => name(at).map(|(cname, _)| DnsRdata::Cname { cname }),
        2 => name(at).map(|(ns, _)| DnsRdata::Ns { ns }),
        12 => name(at).map(|(ptr, _)| DnsRdata::Ptr { ptr }),
        15 => match *raw {
            [p0, p1, _, ..] => name(at + 2).map(|(exchange, _)| DnsRdata::Mx {
                preference: u16::from_be_bytes([p0, p1]),
                exchange,
            }),
            _ => None,
        },
        16 => {
            let mut txt = Vec::new();
            let mut rest = raw;
            let mut ok = true;
            while let Some((&n, tail)) = rest.split_first() {
                match tail.split_at_checked(usize::from(n)) {
                    Some((s, after)) => {
                        txt.push(String::from_utf8_lossy(s).into_owned());
                        rest = after;
                    }
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            ok.then_some(DnsRdata::Txt { txt })
        }
        6 => name(at).and_then(|(mname, after)| {
            let (rname, after) = name(after)?;
            let nums = read::bytes(msg.bytes, after, 20).filter(|_| after + 20 <= end)?;
            let n = |i: usize| read::be32(nums, i).unwrap_or(0);
            Some(DnsRdata::Soa {
                mname,
                rname,
                serial: n(0),
                refresh: n(4),
                retry: n(8),
                expire: n(12),
                minimum: n(16),
            })
        }),
        33 => match *raw {
            [p0, p1, w0, w1, o0, o1, _, ..] => name(at + 6).map(|(target, _)| DnsRdata::Srv {
                priority: u16::from_be_bytes([p0, p1]),
                weight: u16::from_be_bytes([w0, w1]),
                port: u16::from_be_bytes([o0, o1]),
                target,
            }),
            _ => None,
        },
        41 => Some(DnsRdata::Opt {
            udp_payload_size: class,
            ext_rcode: (ttl >> 24) as u8,
            version: (ttl >> 16) as u8,
            do_flag: ttl & 0x8000 != 0,
            options: HexBytes(raw.to_vec()),
        }),
        _ => None,
    };
    decoded.unwrap_or_else(hex)
}

/// Reads a question at `at`.
fn read_question(msg: &Msg<'_>, at: usize, mdns: bool) -> Result<(DnsQuestion, usize), Fault> {
    let (name, at) = read_name(msg, at)?;
    let kind = msg.u16_at(at)?;
    let class = msg.u16_at(at + 2)?;
    Ok((
        DnsQuestion {
            name,
            kind,
            type_name: type_name(kind),
            class: if mdns { class & 0x7fff } else { class },
            unicast_response: mdns.then_some(class & 0x8000 != 0),
        },
        at + 4,
    ))
}

/// A compression pointer to the first question's name (at the end of the header), where most
/// records' names point.
const POINTER_TO_FIRST: [u8; 2] = [0xc0, HEADER_LEN as u8];

/// Reads a resource record at `at`; `first` is the first question's name, if it was read.
///
/// A record name that is just a pointer to the first question's name is that name (copied, not
/// walked again): reading it would follow the same labels, since the record starts after the
/// question (the pointer goes backwards) and the jumps of a name at byte 12 can only point
/// into the header (a handful, far below [`MAX_JUMPS`]).
fn read_record(
    msg: &Msg<'_>,
    at: usize,
    mdns: bool,
    first: Option<&str>,
) -> Result<(DnsRecord, usize), Fault> {
    let (name, at) = match first {
        Some(first) if msg.bytes.get(at..at + 2) == Some(&POINTER_TO_FIRST[..]) => {
            (recycle::text(first), at + 2)
        }
        _ => read_name(msg, at)?,
    };
    let kind = msg.u16_at(at)?;
    let class = msg.u16_at(at + 2)?;
    let ttl = msg.u32_at(at + 4)?;
    let rdlength = msg.u16_at(at + 8)?;
    let start = at + 10;
    let end = start + usize::from(rdlength);
    let Some(raw) = msg.bytes.get(start..end) else {
        return Err(Fault::End);
    };
    let split = mdns && kind != 41;
    Ok((
        DnsRecord {
            name,
            kind,
            type_name: type_name(kind),
            class: if split { class & 0x7fff } else { class },
            cache_flush: split.then_some(class & 0x8000 != 0),
            ttl,
            rdlength,
            rdata: rdata(msg, kind, class, ttl, start, raw),
        },
        end,
    ))
}

/// Whether `payload` (a UDP payload, or a TCP payload with its 2-byte length prefix when
/// `over_tcp`) looks like a DNS message: a header with a known opcode, counts whose smallest
/// encoding fits the message, and a first question that parses (with a known class) where one
/// is declared.
pub fn looks_like_dns(payload: &[u8], over_tcp: bool) -> bool {
    // The room the counts must fit in: the length the TCP prefix gives; over UDP the payload
    // (at least 512 bytes, RFC 1035's UDP size, in case the snap length cut it).
    let (msg, room) = if over_tcp {
        let Some((prefix, rest)) = payload.split_first_chunk::<2>() else {
            return false;
        };
        let len = usize::from(u16::from_be_bytes(*prefix));
        if len < HEADER_LEN {
            return false;
        }
        (rest.get(..len).unwrap_or(rest), len)
    } else {
        (payload, payload.len().max(512))
    };
    let Ok(packet) = Packet::new_checked(msg) else {
        return false;
    };
    if opcode_name(packet.opcode()).is_none() {
        return false;
    }
    let smallest = usize::from(packet.qdcount()) * MIN_QUESTION
        + (usize::from(packet.ancount())
            + usize::from(packet.nscount())
            + usize::from(packet.arcount()))
            * MIN_RECORD;
    if HEADER_LEN + smallest > room {
        return false;
    }
    if packet.qdcount() == 0 {
        return true;
    }
    let view = Msg {
        bytes: msg,
        declared: usize::MAX,
    };
    // The first question's name, type and class (mDNS: without the QU bit), not kept.
    let question = walk_name(&view, HEADER_LEN, None)
        .and_then(|after| view.u16_at(after + 2))
        .map(|class| class & 0x7fff);
    match question {
        Ok(class) => matches!(class, 1 | 3 | 4 | 254 | 255),
        // Cut by the snap length inside the first question: the header alone decides.
        Err(Fault::End) => true,
        Err(Fault::Bad(_)) => false,
    }
}

/// Decodes a DNS message; `declared` is the length of the UDP payload or TCP segment payload,
/// `below` the layer that carries it (TCP: a 2-byte length prefix comes first; UDP port 5353:
/// mDNS, whose class fields carry the QU / cache-flush bit).
///
/// Fewer than 12 bytes of message is an error. A question or record that cannot be read
/// stops parsing: the record keeps what came before it and `partial` says why.
pub fn decode(
    data: &[u8],
    declared: usize,
    below: Option<&Layer>,
    partial: &mut Option<DecodeError>,
) -> DecodeResult {
    let over_tcp = matches!(below, Some(Layer::Tcp(_)));
    let mdns = matches!(below, Some(Layer::Udp(u)) if u.src_port == 5353 || u.dst_port == 5353);
    let (tcp_len, prefix, msg_len) = if over_tcp {
        let Some(b) = data.first_chunk::<2>() else {
            return Err(DecodeError::truncated("DNS-over-TCP length", 2, data.len()));
        };
        let len = u16::from_be_bytes(*b);
        (Some(len), 2, usize::from(len))
    } else {
        (None, 0, declared)
    };
    let body = data.get(prefix..).unwrap_or_default();
    let bytes = body.get(..msg_len).unwrap_or(body);
    let packet = Packet::new_checked(bytes)?;
    let msg = Msg {
        bytes,
        declared: msg_len,
    };
    let flags = packet.flags();
    let rcode = (flags & 0x000f) as u8;
    // The box and section vectors of a layer an earlier frame handed back, when the engine
    // recycles.
    let mut kept = recycle::dns();
    let (questions, answers, authorities, additionals) = match kept.as_deref_mut() {
        Some(old) => (
            std::mem::take(&mut old.questions),
            std::mem::take(&mut old.answers),
            std::mem::take(&mut old.authorities),
            std::mem::take(&mut old.additionals),
        ),
        None => Default::default(),
    };
    let mut dns = Dns {
        tcp_len,
        id: packet.id(),
        qr: flags & 0x8000 != 0,
        opcode: packet.opcode(),
        opcode_name: opcode_name(packet.opcode()),
        aa: flags & 0x0400 != 0,
        tc: flags & 0x0200 != 0,
        rd: flags & 0x0100 != 0,
        ra: flags & 0x0080 != 0,
        z: flags & 0x0040 != 0,
        ad: flags & 0x0020 != 0,
        cd: flags & 0x0010 != 0,
        rcode,
        rcode_name: rcode_name(rcode.into()),
        qdcount: packet.qdcount(),
        ancount: packet.ancount(),
        nscount: packet.nscount(),
        arcount: packet.arcount(),
        questions,
        answers,
        authorities,
        additionals,
        header_len: u32::try_from(prefix + msg_len).unwrap_or(u32::MAX),
        payload_len: 0,
    };
    *partial = parse_sections(&msg, &mut dns, mdns).err();
    let header_len = prefix + msg_len;
    let payload_len = declared.saturating_sub(header_len);
    dns.payload_len = u32::try_from(payload_len).unwrap_or(u32::MAX);
    Ok(Decoded {
        layer: Layer::Dns(recycle::boxed(kept, dns)),
        header_len,
        payload_len,
        next: None,
    })
}

/// Parses the questions and the three record sections into `dns`; the error says which item
/// could not be read and why.
fn parse_sections(msg: &Msg<'_>, dns: &mut Dns, mdns: bool) -> Result<(), DecodeError> {
    let mut at = HEADER_LEN;
    // Counts are untrusted: reserve only what the message could hold.
    let room = msg.bytes.len().saturating_sub(HEADER_LEN);
    dns.questions
        .reserve(usize::from(dns.qdcount).min(room / MIN_QUESTION));
    for i in 0..dns.qdcount {
        match read_question(msg, at, mdns) {
            Ok((q, next)) => {
                dns.questions.push(q);
                at = next;
            }
            Err(fault) => {
                return Err(DecodeError::other(format!(
                    "DNS question {} of {} at byte {at}: {}",
                    i + 1,
                    dns.qdcount,
                    msg.fault_text(fault)
                )));
            }
        }
    }
    let first = dns.questions.first().map(|q| q.name.as_str());
    for (section, count, records) in [
        ("answer", dns.ancount, &mut dns.answers),
        ("authority", dns.nscount, &mut dns.authorities),
        ("additional", dns.arcount, &mut dns.additionals),
    ] {
        // The section's vector is empty, with recycled memory when the engine recycles.
        records.reserve(usize::from(count).min(room / MIN_RECORD));
        for i in 0..count {
            let (record, next) = read_record(msg, at, mdns, first).map_err(|fault| {
                DecodeError::other(format!(
                    "DNS {section} {} of {count} at byte {at}: {}",
                    i + 1,
                    msg.fault_text(fault)
                ))
            })?;
            records.push(record);
            at = next;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProtoId, Tcp, TcpFlags, Udp};

    fn udp(port: u16) -> Layer {
        Layer::Udp(Udp {
            src_port: 40000,
            dst_port: port,
            len: 0,
            checksum: 0,
            header_len: 8,
            payload_len: 0,
        })
    }

    fn run(bytes: &[u8], declared: usize, below: &Layer) -> (Dns, Option<DecodeError>, Decoded) {
        let mut partial = None;
        let d = decode(bytes, declared, Some(below), &mut partial).unwrap();
        let Layer::Dns(dns) = &d.layer else {
            panic!("not DNS: {:?}", d.layer)
        };
        ((**dns).clone(), partial, d)
    }

    /// dpkt__http.pcap frame 13: query for pagead2.googlesyndication.com, type A, class IN.
    const QUERY: [u8; 47] = [
        0x00, 0x23, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x70, 0x61,
        0x67, 0x65, 0x61, 0x64, 0x32, 0x11, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65, 0x73, 0x79, 0x6e,
        0x64, 0x69, 0x63, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01,
        0x00, 0x01,
    ];

    #[test]
    fn query_from_capture() {
        assert!(looks_like_dns(&QUERY, false));
        let (dns, partial, d) = run(&QUERY, 47, &udp(53));
        assert_eq!(partial, None);
        assert_eq!((d.header_len, d.payload_len, d.next), (47, 0, None));
        assert_eq!(
            dns,
            Dns {
                tcp_len: None,
                id: 0x23,
                qr: false,
                opcode: 0,
                opcode_name: Some("query"),
                aa: false,
                tc: false,
                rd: true,
                ra: false,
                z: false,
                ad: false,
                cd: false,
                rcode: 0,
                rcode_name: Some("NoError"),
                qdcount: 1,
                ancount: 0,
                nscount: 0,
                arcount: 0,
                questions: vec![DnsQuestion {
                    name: "pagead2.googlesyndication.com".into(),
                    kind: 1,
                    type_name: Some("A"),
                    class: 1,
                    unicast_response: None,
                }],
                answers: vec![],
                authorities: vec![],
                additionals: vec![],
                header_len: 47,
                payload_len: 0,
            }
        );
    }

    /// dpkt__truncated_dns_2.pcap: a response cut by the snap length (158 of 271 bytes)
    /// inside its third authority record; tshark shows the question, 2 answers, 2 authorities.
    #[test]
    fn truncated_response_from_capture() {
        let bytes = [
            0xe3, 0xd5, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x04, 0x00, 0x01, 0x0f, 0x6d,
            0x79, 0x63, 0x65, 0x6c, 0x69, 0x75, 0x6d, 0x2d, 0x77, 0x61, 0x6c, 0x6c, 0x65, 0x74,
            0x02, 0x73, 0x33, 0x09, 0x61, 0x6d, 0x61, 0x7a, 0x6f, 0x6e, 0x61, 0x77, 0x73, 0x03,
            0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01,
            0x00, 0x00, 0x9f, 0x7c, 0x00, 0x09, 0x06, 0x73, 0x33, 0x2d, 0x31, 0x2d, 0x77, 0xc0,
            0x1f, 0xc0, 0x3e, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x04, 0x34,
            0xd9, 0x65, 0x04, 0xc0, 0x3e, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x05, 0x43, 0x00,
            0x17, 0x07, 0x6e, 0x73, 0x2d, 0x31, 0x30, 0x33, 0x35, 0x09, 0x61, 0x77, 0x73, 0x64,
            0x6e, 0x73, 0x2d, 0x30, 0x31, 0x03, 0x6f, 0x72, 0x67, 0x00, 0xc0, 0x3e, 0x00, 0x02,
            0x00, 0x01, 0x00, 0x00, 0x05, 0x43, 0x00, 0x13, 0x06, 0x6e, 0x73, 0x2d, 0x32, 0x39,
            0x34, 0x09, 0x61, 0x77, 0x73, 0x64, 0x6e, 0x73, 0x2d, 0x33, 0x36, 0xc0, 0x29, 0xc0,
            0x3e, 0x00, 0x02, 0x00,
        ];
        assert!(looks_like_dns(&bytes, false));
        let (dns, partial, d) = run(&bytes, 271, &udp(53));
        assert_eq!(
            partial.unwrap().to_string(),
            "DNS authority 3 of 4 at byte 153: cut short (158 of 271 bytes present)"
        );
        assert_eq!((d.header_len, d.payload_len), (271, 0));
        assert_eq!((dns.qr, dns.rd, dns.ra, dns.rcode), (true, true, true, 0));
        assert_eq!(dns.questions[0].name, "mycelium-wallet.s3.amazonaws.com");
        assert_eq!(
            dns.answers,
            vec![
                DnsRecord {
                    name: "mycelium-wallet.s3.amazonaws.com".into(),
                    kind: 5,
                    type_name: Some("CNAME"),
                    class: 1,
                    cache_flush: None,
                    ttl: 40828,
                    rdlength: 9,
                    rdata: DnsRdata::Cname {
                        cname: "s3-1-w.amazonaws.com".into()
                    },
                },
                DnsRecord {
                    name: "s3-1-w.amazonaws.com".into(),
                    kind: 1,
                    type_name: Some("A"),
                    class: 1,
                    cache_flush: None,
                    ttl: 3,
                    rdlength: 4,
                    rdata: DnsRdata::A {
                        address: Ipv4Addr::new(52, 217, 101, 4)
                    },
                },
            ]
        );
        let ns: Vec<_> = dns.authorities.iter().map(|r| r.rdata.clone()).collect();
        assert_eq!(
            ns,
            [
                DnsRdata::Ns {
                    ns: "ns-1035.awsdns-01.org".into()
                },
                DnsRdata::Ns {
                    ns: "ns-294.awsdns-36.com".into()
                }
            ]
        );
        assert!(dns.additionals.is_empty());
    }

    /// Builds a message: header, then `body`.
    fn message(flags: u16, counts: [u16; 4], body: &[u8]) -> Vec<u8> {
        let mut m = vec![0x12, 0x34];
        m.extend_from_slice(&flags.to_be_bytes());
        for c in counts {
            m.extend_from_slice(&c.to_be_bytes());
        }
        m.extend_from_slice(body);
        m
    }

    /// A record with owner name `name` (wire form), type, TTL 60 and `data`.
    fn rr(name: &[u8], kind: u16, class: u16, data: &[u8]) -> Vec<u8> {
        let mut r = name.to_vec();
        r.extend_from_slice(&kind.to_be_bytes());
        r.extend_from_slice(&class.to_be_bytes());
        r.extend_from_slice(&60u32.to_be_bytes());
        r.extend_from_slice(&(data.len() as u16).to_be_bytes());
        r.extend_from_slice(data);
        r
    }

    /// A response with a question and a record of every decoded type (and two kept as hex).
    fn every_type_message() -> Vec<u8> {
        // Question "ex.com" at byte 12; later names point to it (0xc00c).
        let mut body = b"\x02ex\x03com\x00\x00\xff\x00\x01".to_vec();
        let p = [0xc0, 0x0c];
        body.extend(rr(
            &p,
            28,
            1,
            &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        ));
        body.extend(rr(&p, 15, 1, b"\x00\x0a\x04mail\xc0\x0c"));
        body.extend(rr(&p, 16, 1, b"\x05hello\x00\x03a=b"));
        body.extend(rr(
            &p,
            6,
            1,
            b"\x02ns\xc0\x0c\x05admin\xc0\x0c\x00\x00\x00\x01\x00\x00\x0e\x10\x00\x00\x02\x58\x00\x09\x3a\x80\x00\x00\x01\x2c",
        ));
        body.extend(rr(&p, 33, 1, b"\x00\x01\x00\x02\x13\xc4\x03sip\xc0\x0c"));
        body.extend(rr(&p, 12, 1, b"\xc0\x0c"));
        body.extend(rr(&p, 99, 1, b"\xde\xad"));
        body.extend(rr(&p, 1, 1, b"\x01\x02\x03")); // A of 3 bytes: kept as hex
        // OPT: root name, class 4096 (UDP size), TTL: ext rcode 0, version 0, DO set.
        body.extend_from_slice(b"\x00\x00\x29\x10\x00\x00\x00\x80\x00\x00\x00");
        message(0x8180, [1, 8, 0, 1], &body)
    }

    /// Memory that earlier frames handed back (`recycle`) gives the same layers as fresh
    /// memory: a large message, a small one in its box, then the large one again.
    #[test]
    fn recycled_memory_gives_the_same_layers() {
        let big = every_type_message();
        let cases = [&big[..], &QUERY];
        crate::engine::native::assert_recycles(&[0, 1, 0], |i| {
            let mut partial = None;
            let d = decode(cases[i], cases[i].len(), Some(&udp(53)), &mut partial).unwrap();
            d.layer
        });
    }

    #[test]
    fn every_decoded_type() {
        let m = every_type_message();
        let (dns, partial, _) = run(&m, m.len(), &udp(53));
        assert_eq!(partial, None);
        assert_eq!(dns.questions[0].type_name, Some("ANY"));
        let rdata: Vec<DnsRdata> = dns.answers.iter().map(|r| r.rdata.clone()).collect();
        assert_eq!(
            rdata,
            [
                DnsRdata::Aaaa {
                    address: "2001:db8::1".parse().unwrap()
                },
                DnsRdata::Mx {
                    preference: 10,
                    exchange: "mail.ex.com".into()
                },
                DnsRdata::Txt {
                    txt: vec!["hello".into(), "".into(), "a=b".into()]
                },
                DnsRdata::Soa {
                    mname: "ns.ex.com".into(),
                    rname: "admin.ex.com".into(),
                    serial: 1,
                    refresh: 3600,
                    retry: 600,
                    expire: 604800,
                    minimum: 300
                },
                DnsRdata::Srv {
                    priority: 1,
                    weight: 2,
                    port: 5060,
                    target: "sip.ex.com".into()
                },
                DnsRdata::Ptr {
                    ptr: "ex.com".into()
                },
                DnsRdata::Other {
                    rdata: HexBytes(vec![0xde, 0xad])
                },
                DnsRdata::Other {
                    rdata: HexBytes(vec![1, 2, 3])
                },
            ]
        );
        let opt = &dns.additionals[0];
        assert_eq!(
            (opt.name.as_str(), opt.type_name, opt.class),
            (".", Some("OPT"), 4096)
        );
        assert_eq!(
            opt.rdata,
            DnsRdata::Opt {
                udp_payload_size: 4096,
                ext_rcode: 0,
                version: 0,
                do_flag: true,
                options: HexBytes(vec![])
            }
        );
        let json = serde_json::to_string(&dns.answers[1]).unwrap();
        assert_eq!(
            json,
            r#"{"name":"ex.com","type":15,"type_name":"MX","class":1,"ttl":60,"rdlength":9,"preference":10,"exchange":"mail.ex.com"}"#
        );
    }

    #[test]
    fn pointer_loops_and_forward_pointers_stop() {
        // The question's name is a pointer to itself.
        let m = message(0x0100, [1, 0, 0, 0], b"\xc0\x0c\x00\x01\x00\x01");
        let (dns, partial, _) = run(&m, m.len(), &udp(53));
        assert_eq!(
            partial.unwrap().to_string(),
            "DNS question 1 of 1 at byte 12: compression pointer at byte 12 to byte 12: not backwards (loop)"
        );
        assert!(dns.questions.is_empty());
        assert!(!looks_like_dns(&m, false));
        // Two names pointing at each other: the second jump is not backwards.
        let body = b"\x01a\xc0\x12\x00\x01\x00\x01\x01b\xc0\x0c";
        let m = message(0x8000, [1, 0, 0, 0], body);
        // Question at 12: "a" then pointer to 18 (forward): refused.
        let (_, partial, _) = run(&m, m.len(), &udp(53));
        assert!(
            partial
                .unwrap()
                .to_string()
                .ends_with("compression pointer at byte 14 to byte 18: not backwards (loop)")
        );
        // A record whose owner points back into a name that points further back: fine.
        let mut body = b"\x03www\x02ex\x00\x00\x01\x00\x01".to_vec();
        body.extend(rr(&[0x01, b'm', 0xc0, 0x10], 1, 1, &[10, 0, 0, 1])); // m.ex
        body.extend(rr(&[0x01, b'n', 0xc0, 0x18], 1, 1, &[10, 0, 0, 2])); // n.m.ex
        let m = message(0x8000, [1, 2, 0, 0], &body);
        let (dns, partial, _) = run(&m, m.len(), &udp(53));
        assert_eq!(partial, None);
        let names: Vec<_> = dns.answers.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["m.ex", "n.m.ex"]);
    }

    #[test]
    fn bad_labels_and_long_names() {
        let m = message(0, [1, 0, 0, 0], b"\x41abc\x00\x00\x01\x00\x01");
        let (_, partial, _) = run(&m, m.len(), &udp(53));
        assert_eq!(
            partial.unwrap().to_string(),
            "DNS question 1 of 1 at byte 12: label type 0x40 at byte 12 not supported"
        );
        // 5 labels of 63 bytes: 320 bytes, longer than 255.
        let mut body = Vec::new();
        for _ in 0..5 {
            body.push(63);
            body.extend_from_slice(&[b'x'; 63]);
        }
        body.extend_from_slice(b"\x00\x00\x01\x00\x01");
        let m = message(0, [1, 0, 0, 0], &body);
        let (_, partial, _) = run(&m, m.len(), &udp(53));
        assert_eq!(
            partial.unwrap().to_string(),
            "DNS question 1 of 1 at byte 12: name at byte 12 longer than 255 bytes"
        );
        // Escapes: a dot inside a label, a control byte, a non-UTF-8 byte.
        let m = message(0, [1, 0, 0, 0], b"\x03a.b\x02\x01\xff\x00\x00\x01\x00\x01");
        let (dns, _, _) = run(&m, m.len(), &udp(53));
        assert_eq!(dns.questions[0].name, "a\\.b.\\001\\255");
        // UTF-8 text as is, a space, a backslash, DEL and a C1 control, then plain ASCII.
        let m = message(
            0,
            [1, 0, 0, 0],
            b"\x08m\xc3\xbcnchen\x04a b\\\x02x\x7f\x02\xc2\x85\x03com\x00\x00\x01\x00\x01",
        );
        let (dns, _, _) = run(&m, m.len(), &udp(53));
        assert_eq!(
            dns.questions[0].name,
            "m\u{fc}nchen.a b\\\\.x\\127.\\133.com"
        );
    }

    #[test]
    fn counts_larger_than_the_message() {
        let mut body = QUERY[12..].to_vec();
        body.extend(rr(&[0xc0, 0x0c], 1, 1, &[1, 2, 3, 4]));
        let m = message(0x8180, [1, 65535, 0, 0], &body);
        let (dns, partial, _) = run(&m, m.len(), &udp(53));
        assert_eq!(
            partial.unwrap().to_string(),
            "DNS answer 2 of 65535 at byte 63: past the end of the message (63 bytes)"
        );
        assert_eq!(dns.answers.len(), 1);
        assert_eq!(dns.ancount, 65535);
        // An rdlength past the end of the message.
        let mut body = QUERY[12..].to_vec();
        body.extend(rr(&[0xc0, 0x0c], 1, 1, &[1, 2, 3, 4]));
        let n = body.len();
        body[n - 5] = 0x40;
        let m = message(0x8180, [1, 1, 0, 0], &body);
        let (dns, partial, _) = run(&m, m.len(), &udp(53));
        assert_eq!(
            partial.unwrap().to_string(),
            "DNS answer 1 of 1 at byte 47: past the end of the message (63 bytes)"
        );
        assert!(dns.answers.is_empty());
        assert_eq!(dns.questions.len(), 1);
        // Counts whose smallest encoding exceeds any DNS message: not DNS.
        let m = message(0, [65535, 65535, 0, 0], &QUERY[12..]);
        assert!(!looks_like_dns(&m, false));
    }

    #[test]
    fn over_tcp_with_length_prefix() {
        let mut seg = (QUERY.len() as u16).to_be_bytes().to_vec();
        seg.extend_from_slice(&QUERY);
        seg.extend_from_slice(&[0xaa; 3]); // the start of a next message
        assert!(looks_like_dns(&seg, true));
        assert!(!looks_like_dns(&QUERY, true)); // prefix 0x0023 then a header at "01 00 ..."
        let tcp = Layer::Tcp(Tcp {
            src_port: 40000,
            dst_port: 53,
            seq: 0,
            ack: 0,
            data_offset: 5,
            flags: TcpFlags(0x18),
            window: 0,
            checksum: 0,
            urgent: 0,
            options: vec![],
            header_len: 20,
            payload_len: 0,
        });
        let (dns, partial, d) = run(&seg, seg.len(), &tcp);
        assert_eq!(partial, None);
        assert_eq!(dns.tcp_len, Some(47));
        assert_eq!(dns.questions[0].name, "pagead2.googlesyndication.com");
        assert_eq!((d.header_len, d.payload_len), (49, 3));
        assert_eq!((dns.header_len, dns.payload_len), (49, 3));
        // The prefix alone is not enough.
        assert_eq!(
            decode(&seg[..1], 1, Some(&tcp), &mut None)
                .err()
                .unwrap()
                .to_string(),
            "DNS-over-TCP length needs 2 bytes, 1 captured"
        );
    }

    #[test]
    fn mdns_class_bits() {
        let mut body = b"\x05_http\x04_tcp\x05local\x00\x00\x0c\x80\x01".to_vec();
        body.extend(rr(&[0xc0, 0x0c], 1, 0x8001, &[192, 168, 1, 2]));
        let m = message(0x8400, [1, 1, 0, 0], &body);
        let (dns, partial, _) = run(&m, m.len(), &udp(5353));
        assert_eq!(partial, None);
        assert_eq!(
            (dns.questions[0].class, dns.questions[0].unicast_response),
            (1, Some(true))
        );
        assert_eq!(
            (dns.answers[0].class, dns.answers[0].cache_flush),
            (1, Some(true))
        );
        assert!(dns.aa);
        // Over port 53 the class is the whole field.
        let (dns, _, _) = run(&m, m.len(), &udp(53));
        assert_eq!(
            (dns.answers[0].class, dns.answers[0].cache_flush),
            (0x8001, None)
        );
    }

    #[test]
    fn header_checks() {
        assert_eq!(
            decode(&QUERY[..11], 47, Some(&udp(53)), &mut None)
                .err()
                .unwrap()
                .to_string(),
            "DNS header needs 12 bytes, 11 captured"
        );
        assert!(!looks_like_dns(&QUERY[..11], false));
        let mut bad = QUERY;
        bad[2] = 0x18; // opcode 3: unassigned
        assert!(!looks_like_dns(&bad, false));
        let mut bad = QUERY;
        bad[46] = 9; // class 9
        assert!(!looks_like_dns(&bad, false));
        // Cut inside the first question: the header decides.
        assert!(looks_like_dns(&QUERY[..20], false));
        let names: Vec<_> = [0u16, 3, 5, 9, 16, 12]
            .into_iter()
            .map(rcode_name)
            .collect();
        assert_eq!(
            names,
            [
                Some("NoError"),
                Some("NXDomain"),
                Some("Refused"),
                Some("NotAuth"),
                Some("BADVERS"),
                None
            ]
        );
    }

    /// Dissects IPv4 + UDP `src_port` → `dst_port` + `payload` (the UDP length claims `claimed` bytes
    /// of payload) as a raw-IP frame.
    fn walk_udp(
        src_port: u16,
        dst_port: u16,
        payload: &[u8],
        claimed: usize,
    ) -> crate::model::Frame {
        use crate::capture::RawFrame;
        use crate::engine::native::NativeDissector;
        use crate::engine::{DissectOptions, Dissector};
        use crate::model::LinkType;
        let total = ((28 + claimed) as u16).to_be_bytes();
        let udp_len = ((8 + claimed) as u16).to_be_bytes();
        let s = src_port.to_be_bytes();
        let d = dst_port.to_be_bytes();
        let mut f = vec![
            0x45, 0, total[0], total[1], 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        f.extend_from_slice(&[s[0], s[1], d[0], d[1], udp_len[0], udp_len[1], 0, 0]);
        f.extend_from_slice(payload);
        let raw = RawFrame {
            number: 1,
            timestamp: None,
            len: (28 + claimed) as u32,
            link_type: LinkType::RAW,
            interface: None,
            data: &f,
        };
        NativeDissector.dissect(&raw, &DissectOptions::default())
    }

    #[test]
    fn walker_keeps_the_records_before_the_cut() {
        let mut body = QUERY[12..].to_vec();
        body.extend(rr(&[0xc0, 0x0c], 1, 1, &[1, 2, 3, 4]));
        body.extend(rr(&[0xc0, 0x0c], 1, 1, &[5, 6, 7, 8]));
        let m = message(0x8180, [1, 2, 0, 0], &body);
        // Whole: no error.
        let frame = walk_udp(40000, 53, &m, m.len());
        assert_eq!(frame.protocol_chain(), "IPv4:UDP:DNS");
        assert_eq!(frame.error, None);
        // Cut by the snap length inside the second answer.
        let frame = walk_udp(40000, 53, &m[..70], m.len());
        assert_eq!(frame.protocol_chain(), "IPv4:UDP:DNS");
        let Layer::Dns(dns) = &frame.layers[2] else {
            panic!("{:?}", frame.layers[2])
        };
        assert_eq!(dns.answers.len(), 1);
        let error = frame.error.expect("an error");
        assert_eq!((error.layer, error.offset), (ProtoId::Dns, 28));
        assert_eq!(
            error.reason,
            "DNS answer 2 of 2 at byte 63: cut short (70 of 79 bytes present)"
        );
        // Not DNS on port 53 (opcode 15): left as Raw, no error.
        let mut junk = m.clone();
        junk[2] = 0x78;
        let frame = walk_udp(40000, 53, &junk, junk.len());
        assert_eq!(frame.protocol_chain(), "IPv4:UDP:Raw");
        assert_eq!(frame.error, None);
        // DNS content on another port: not DNS.
        let frame = walk_udp(40000, 8053, &m, m.len());
        assert_eq!(frame.protocol_chain(), "IPv4:UDP:Raw");
        // mDNS: port 5353 as source.
        let frame = walk_udp(5353, 5353, &m, m.len());
        assert_eq!(frame.protocol_chain(), "IPv4:UDP:DNS");
    }

    #[test]
    fn no_panic_on_any_prefix_or_garbage() {
        let mut body = b"\x02ex\x03com\x00\x00\xff\x00\x01".to_vec();
        body.extend(rr(&[0xc0, 0x0c], 15, 1, b"\x00\x0a\x04mail\xc0\x0c"));
        body.extend(rr(
            &[0xc0, 0x0c],
            6,
            1,
            b"\x02ns\xc0\x0c\x05admin\xc0\x0c\x00\x00",
        ));
        body.extend(rr(&[0xc0, 0x0c], 33, 1, b"\x00\x01\x00\x02\x13"));
        body.extend(rr(&[0xc0, 0x0c], 16, 1, b"\x09ab"));
        let m = message(0x8180, [1, 4, 3, 2], &body);
        let tcp_like = udp(53);
        for len in 0..=m.len() {
            for declared in [0, len, m.len(), usize::MAX] {
                let _ = decode(&m[..len], declared, Some(&tcp_like), &mut None);
                let _ = looks_like_dns(&m[..len], false);
                let _ = looks_like_dns(&m[..len], true);
            }
        }
        let mut x = 0x9e37_79b9u32;
        let mut junk = [0u8; 96];
        for _ in 0..2000 {
            for b in junk.iter_mut() {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                *b = x as u8;
            }
            junk[4..12].copy_from_slice(&[0, 1, 0, 2, 0, 1, 0, 1]);
            let _ = decode(&junk, junk.len(), Some(&udp(5353)), &mut None);
            let _ = looks_like_dns(&junk, false);
        }
    }

    /// The NDJSON encoder writes these names quoted without its escape scan.
    #[test]
    fn table_names_are_printable_ascii_without_quotes_or_backslashes() {
        let plain = |name: &str| {
            name.bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        };
        let opcodes = (0..=u8::MAX).filter_map(opcode_name);
        let rcodes = (0..=u16::MAX).filter_map(rcode_name);
        let types = (0..=u16::MAX).filter_map(type_name);
        for name in opcodes.chain(rcodes).chain(types) {
            assert!(plain(name), "{name:?}");
        }
    }
}
