//! Memory of per-frame model values kept across frames on one thread.
//!
//! A single-threaded engine keeps one [`Frame`](super::Frame) for the whole capture and hands
//! its layers back here ([`recycle_layers`]) before dissecting the next frame; the builders
//! take their memory from here instead of allocating and freeing it a frame: TCP option lists
//! ([`tcp_options`]), the boxes of DNS, HTTP and ARP layers with their vectors ([`dns`],
//! [`http`], [`arp`], filled by [`boxed`]) and the strings of DNS names and HTTP heads
//! ([`text`], [`text_bytes`]). Where nothing is handed back (the parallel engines' workers),
//! the builders allocate as before.

use super::{AnyAddr, Arp, Dns, DnsRdata, DnsRecord, Http, Layer, Raw, TcpOption};
use std::cell::RefCell;

/// The most option lists, and boxes of each kind, kept (a frame has a layer or two of each;
/// tunnels nest a few more).
const KEPT: usize = 16;
/// The most strings kept (a DNS message or an HTTP head has a few dozen).
const KEPT_TEXTS: usize = 256;
/// The longest string (in capacity) kept: longer ones are freed, so that what is kept stays
/// small whatever the capture holds.
const MAX_TEXT: usize = 1024;
/// The most elements a kept vector (DNS section, HTTP header list; the reassembly records'
/// layer and span vectors) may have room for.
pub(crate) const MAX_ITEMS: usize = 64;

/// What this thread keeps between frames (the boxes themselves are what the layers reuse).
#[allow(clippy::vec_box)]
struct Kept {
    tcp_options: Vec<Vec<TcpOption>>,
    dns: Vec<Box<Dns>>,
    http: Vec<Box<Http>>,
    arp: Vec<Box<Arp>>,
    texts: Vec<String>,
}

impl Kept {
    /// Keeps `s`'s memory for [`text`] (emptied), unless there are enough or it is long.
    fn text(&mut self, mut s: String) {
        if s.capacity() > 0 && s.capacity() <= MAX_TEXT && self.texts.len() < KEPT_TEXTS {
            s.clear();
            self.texts.push(s);
        }
    }

    /// Keeps the strings of DNS records (names and names in their data), emptying `records`;
    /// frees the vector's memory if it is large.
    fn records(&mut self, records: &mut Vec<DnsRecord>) {
        for r in records.drain(..) {
            self.text(r.name);
            match r.rdata {
                DnsRdata::Cname { cname: s }
                | DnsRdata::Ns { ns: s }
                | DnsRdata::Ptr { ptr: s }
                | DnsRdata::Mx { exchange: s, .. }
                | DnsRdata::Srv { target: s, .. } => self.text(s),
                DnsRdata::Soa { mname, rname, .. } => {
                    self.text(mname);
                    self.text(rname);
                }
                DnsRdata::Txt { txt } => txt.into_iter().for_each(|s| self.text(s)),
                _ => {}
            }
        }
        shrink(records);
    }

    /// Keeps a DNS layer's box, its sections emptied and their strings kept.
    fn dns(&mut self, mut d: Box<Dns>) {
        if self.dns.len() >= KEPT {
            return;
        }
        for q in d.questions.drain(..) {
            self.text(q.name);
        }
        shrink(&mut d.questions);
        self.records(&mut d.answers);
        self.records(&mut d.authorities);
        self.records(&mut d.additionals);
        self.dns.push(d);
    }

    /// Keeps an HTTP layer's box, its strings taken and kept, its header list emptied.
    fn http(&mut self, mut h: Box<Http>) {
        if self.http.len() >= KEPT {
            return;
        }
        for s in [h.method.take(), h.target.take(), h.reason.take()]
            .into_iter()
            .flatten()
        {
            self.text(s);
        }
        let version = std::mem::take(&mut h.version);
        self.text(version);
        for (name, value) in h.headers.drain(..) {
            self.text(name);
            self.text(value);
        }
        shrink(&mut h.headers);
        self.http.push(h);
    }
}

/// Frees the memory of an empty vector with room for more than [`MAX_ITEMS`].
fn shrink<T>(list: &mut Vec<T>) {
    if list.capacity() > MAX_ITEMS {
        *list = Vec::new();
    }
}

thread_local! {
    /// What earlier frames on this thread handed back.
    static KEPT_HERE: RefCell<Kept> = const {
        RefCell::new(Kept {
            tcp_options: Vec::new(),
            dns: Vec::new(),
            http: Vec::new(),
            arp: Vec::new(),
            texts: Vec::new(),
        })
    };
}

/// Runs `take` on what this thread keeps (`None` if it is in use).
fn with_kept<R>(take: impl FnOnce(&mut Kept) -> Option<R>) -> Option<R> {
    KEPT_HERE.with(|kept| {
        kept.try_borrow_mut()
            .ok()
            .and_then(|mut kept| take(&mut kept))
    })
}

/// An empty TCP option list with room for `capacity` options: the memory of a list recycled
/// earlier on this thread when there is one.
pub fn tcp_options(capacity: usize) -> Vec<TcpOption> {
    let mut list = with_kept(|kept| kept.tcp_options.pop()).unwrap_or_default();
    list.reserve(capacity);
    list
}

/// `s` as a `String`, in the memory of a string recycled earlier when there is one.
pub fn text(s: &str) -> String {
    let mut kept = with_kept(|kept| kept.texts.pop()).unwrap_or_default();
    kept.push_str(s);
    kept
}

/// An empty byte buffer with room for `capacity` bytes, for text built byte by byte (turned
/// into a `String` with `String::from_utf8`): a recycled string's memory when there is one.
pub fn text_bytes(capacity: usize) -> Vec<u8> {
    let mut bytes = with_kept(|kept| kept.texts.pop())
        .unwrap_or_default()
        .into_bytes();
    bytes.reserve(capacity);
    bytes
}

/// Keeps the memory of a buffer from [`text_bytes`] that did not become a layer's text (a name
/// whose reading failed), for the next [`text`] or [`text_bytes`].
pub fn give_back_bytes(mut bytes: Vec<u8>) {
    bytes.clear();
    if let Ok(s) = String::from_utf8(bytes) {
        with_kept(|kept| {
            kept.text(s);
            Some(())
        });
    }
}

/// A DNS layer's box recycled earlier, with empty sections that keep their memory (its other
/// fields are those of an earlier frame: [`boxed`] replaces them all).
pub fn dns() -> Option<Box<Dns>> {
    with_kept(|kept| kept.dns.pop())
}

/// An HTTP layer's box recycled earlier, with empty strings and an empty header list that
/// keeps its memory (replace the value with [`boxed`]).
pub fn http() -> Option<Box<Http>> {
    with_kept(|kept| kept.http.pop())
}

/// An ARP or RARP layer's box recycled earlier, whose four address vectors keep their memory
/// (replace the value with [`boxed`]).
pub fn arp() -> Option<Box<Arp>> {
    with_kept(|kept| kept.arp.pop())
}

/// `value` in the box `kept` (from [`dns`], [`http`] or [`arp`]) when there is one, else in a
/// new box.
pub fn boxed<T>(kept: Option<Box<T>>, value: T) -> Box<T> {
    match kept {
        Some(mut b) => {
            *b = value;
            b
        }
        None => Box::new(value),
    }
}

/// `a`'s bytes replaced by `bytes`, in its memory.
pub fn refill(a: &mut AnyAddr, bytes: &[u8]) -> AnyAddr {
    let mut kept = std::mem::take(&mut a.0);
    kept.clear();
    kept.extend_from_slice(bytes);
    AnyAddr(kept)
}

/// Empties `layers` (as `clear` does), keeping the memory of their TCP option lists, of their
/// DNS, HTTP and ARP boxes and of those boxes' strings for the builders above.
pub fn recycle_layers(layers: &mut Vec<Layer>) {
    KEPT_HERE.with(|kept| {
        let Ok(mut kept) = kept.try_borrow_mut() else {
            return;
        };
        // In place: moving each layer out to look at it costs more than the lists save; the
        // boxed layers are swapped for a `Raw` (no allocation) to take their box.
        for layer in layers.iter_mut() {
            match layer {
                Layer::Tcp(tcp) if tcp.options.capacity() > 0 && kept.tcp_options.len() < KEPT => {
                    let mut list = std::mem::take(&mut tcp.options);
                    list.clear();
                    kept.tcp_options.push(list);
                }
                Layer::Dns(_) | Layer::Http(_) | Layer::Arp(_) | Layer::Rarp(_) => {
                    let placeholder = Layer::Raw(Raw {
                        header_len: 0,
                        payload_len: 0,
                    });
                    match std::mem::replace(layer, placeholder) {
                        Layer::Dns(d) => kept.dns(d),
                        Layer::Http(h) => kept.http(h),
                        Layer::Arp(a) | Layer::Rarp(a) if kept.arp.len() < KEPT => kept.arp.push(a),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    });
    layers.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Tcp, TcpFlags, Udp};

    fn tcp(options: Vec<TcpOption>) -> Layer {
        Layer::Tcp(Tcp {
            src_port: 1,
            dst_port: 2,
            seq: 0,
            ack: 0,
            data_offset: 5,
            flags: TcpFlags(0x010),
            window: 0,
            checksum: 0,
            urgent: 0,
            options,
            header_len: 20,
            payload_len: 0,
        })
    }

    /// A buffer given back (a DNS name whose reading failed) is the next text's memory.
    #[test]
    fn bytes_given_back_are_the_next_text() {
        let mut bytes = text_bytes(64);
        bytes.extend_from_slice(b"www.exa");
        let address = bytes.as_ptr();
        give_back_bytes(bytes);
        let again = text_bytes(8);
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), address, "the same memory");
    }

    /// A recycled list comes back empty with its memory; the layers are gone; without recycled
    /// lists a new one is allocated; at most `KEPT` lists are kept.
    #[test]
    fn option_lists_come_back_empty_with_their_memory() {
        let list = vec![TcpOption::Nop, TcpOption::Mss { value: 1460 }];
        let address = list.as_ptr();
        let mut layers = vec![
            tcp(list),
            Layer::Udp(Udp {
                src_port: 1,
                dst_port: 2,
                len: 8,
                checksum: 0,
                header_len: 8,
                payload_len: 0,
            }),
            tcp(Vec::new()),
        ];
        recycle_layers(&mut layers);
        assert!(layers.is_empty());
        let again = tcp_options(2);
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), address, "the same memory");
        let fresh = tcp_options(3);
        assert!(fresh.is_empty() && fresh.capacity() >= 3);
        let mut many: Vec<Layer> = (0..KEPT + 5).map(|_| tcp(vec![TcpOption::Nop])).collect();
        recycle_layers(&mut many);
        assert_eq!(KEPT_HERE.with(|kept| kept.borrow().tcp_options.len()), KEPT);
    }
}
