//! The IPv4 and IPv6 fragment tables together: every frame's fragments in (at any depth,
//! tunnels and ICMP quotes included), finished datagrams out. The reassembly stage and
//! `follow` share it.

use super::ReassemblyOptions;
use super::ip::{Done, FragTable, Limits};
use super::ipv4::{self, Ipv4Key};
use super::ipv6::{self, Ipv6Key};
use crate::model::{Frame, Layer};

/// Both fragment tables and the datagrams they finished since last drained.
#[derive(Debug)]
pub(crate) struct Defragmenter {
    /// Whether IPv4 fragments are reassembled.
    ipv4: bool,
    /// Whether IPv6 fragments are reassembled.
    ipv6: bool,
    /// Open IPv4 datagrams.
    pub v4: FragTable<Ipv4Key>,
    /// Open IPv6 datagrams.
    pub v6: FragTable<Ipv6Key>,
    /// IPv4 datagrams completed or flushed, in order.
    pub v4_done: Vec<Done<Ipv4Key>>,
    /// IPv6 datagrams completed or flushed, in order.
    pub v6_done: Vec<Done<Ipv6Key>>,
}

impl Defragmenter {
    /// Tables bounded by `opts` for the IP kinds it enables.
    pub fn new(opts: &ReassemblyOptions) -> Defragmenter {
        let limits = Limits {
            max_datagram: u64::from(opts.max_datagram),
            max_memory: opts.max_fragment_memory,
            max_datagrams: opts.max_datagrams,
            timeout: i64::from(opts.fragment_timeout),
        };
        Defragmenter {
            ipv4: opts.kinds.ipv4,
            ipv6: opts.kinds.ipv6,
            v4: FragTable::new(limits),
            v6: FragTable::new(limits),
            v4_done: Vec::new(),
            v6_done: Vec::new(),
        }
    }

    /// Whether any datagram finished since the lists were last drained.
    pub fn has_done(&self) -> bool {
        !self.v4_done.is_empty() || !self.v6_done.is_empty()
    }

    /// Feeds the fragments of one frame; `now` is its capture time in whole seconds.
    pub fn feed(&mut self, frame: &Frame, data: &[u8], now: i64) {
        let mut ipv6_header = None;
        for (i, layer) in frame.layers.iter().enumerate() {
            match layer {
                // The flags first: a fragment is rare, its payload is only looked up for one.
                Layer::Ipv4(ip) if self.ipv4 && ipv4::is_fragment(ip) => {
                    let payload = frame.payload(i, data).unwrap_or_default();
                    if let Some((key, frag)) = ipv4::fragment(ip, payload, frame.number, now) {
                        self.v4.insert(key, frag, &mut self.v4_done);
                    }
                }
                Layer::Ipv6(ip) => ipv6_header = Some(ip),
                Layer::Ipv6Frag(fh) if self.ipv6 && ipv6::is_fragment(fh) => {
                    let payload = frame.payload(i, data).unwrap_or_default();
                    if let Some(ip) = ipv6_header
                        && let Some((key, frag)) =
                            ipv6::fragment(ip, fh, payload, frame.number, now)
                    {
                        self.v6.insert(key, frag, &mut self.v6_done);
                    }
                }
                _ => {}
            }
        }
    }

    /// Flushes every open datagram as of frame `last` (the end of the capture).
    pub fn flush_all(&mut self, last: u64) {
        self.v4.flush_all(last, &mut self.v4_done);
        self.v6.flush_all(last, &mut self.v6_done);
    }

    /// Bytes held by the open datagrams.
    pub fn memory(&self) -> usize {
        self.v4.memory() + self.v6.memory()
    }
}
