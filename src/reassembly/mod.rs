//! Reassembly: IPv4/IPv6 fragments into datagrams and TCP segments into messages.
//!
//! [`ReassemblyStage`] is a pipeline [`Stage`](crate::pipeline::Stage): it sees every frame in
//! capture order and emits one [`Reassembled`] record per datagram or message, re-dissected from
//! its transport layer (IP) or its application layer (TCP). Every table is bounded
//! ([`ReassemblyOptions`]): when a bound is hit the oldest entry is flushed as incomplete and a
//! summary counter says so.

pub mod analyse;
pub(crate) mod defrag;
pub mod holes;
pub mod http;
mod ip;
pub mod ipv4;
pub mod ipv6;
mod record;
mod spare;
mod stage;
pub mod tcp;

pub use analyse::{HttpExchange, HttpMessage, analyse, analyse_each};
pub use record::{Anomaly, AnomalyKind, Key, Kind, Reassembled};
pub(crate) use spare::recycle;
pub use stage::ReassemblyStage;

use crate::capture::{CaptureInfo, CaptureReader, StoppedEarly};
use crate::engine::native::NativeDissector;
use crate::engine::{DissectOptions, Dissector};
use crate::model::Summary;
use crate::pipeline::{Record, Stage};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Which reassemblers run (`--reassemble ipv4,ipv6,tcp` or `all`); build from
/// [`Kinds::ALL`] or the default (none) with the setters: `Kinds::default().tcp(true)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Kinds {
    /// IPv4 fragments.
    pub ipv4: bool,
    /// IPv6 fragments.
    pub ipv6: bool,
    /// TCP streams.
    pub tcp: bool,
}

impl Kinds {
    /// All three.
    pub const ALL: Kinds = Kinds {
        ipv4: true,
        ipv6: true,
        tcp: true,
    };

    /// Whether none is on.
    pub fn is_empty(self) -> bool {
        !(self.ipv4 || self.ipv6 || self.tcp)
    }

    /// Those on in either.
    pub fn union(self, other: Kinds) -> Kinds {
        Kinds {
            ipv4: self.ipv4 || other.ipv4,
            ipv6: self.ipv6 || other.ipv6,
            tcp: self.tcp || other.tcp,
        }
    }

    crate::setters::setters! {
        ipv4: bool,
        ipv6: bool,
        tcp: bool,
    }
}

/// A `--reassemble` list that names something other than `ipv4`, `ipv6`, `tcp` or `all`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown reassembly kind {0:?} (expected ipv4, ipv6, tcp or all)")]
pub struct UnknownKind(pub String);

impl FromStr for Kinds {
    type Err = UnknownKind;

    fn from_str(list: &str) -> Result<Kinds, UnknownKind> {
        let mut kinds = Kinds::default();
        for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word.to_ascii_lowercase().as_str() {
                "ipv4" | "ip" => kinds.ipv4 = true,
                "ipv6" => kinds.ipv6 = true,
                "tcp" => kinds.tcp = true,
                "all" => kinds = Kinds::ALL,
                _ => return Err(UnknownKind(word.to_owned())),
            }
        }
        if kinds.is_empty() {
            return Err(UnknownKind(list.to_owned()));
        }
        Ok(kinds)
    }
}

impl fmt::Display for Kinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [(self.ipv4, "ipv4"), (self.ipv6, "ipv6"), (self.tcp, "tcp")];
        let mut first = true;
        for (_, name) in names.iter().filter(|(on, _)| *on) {
            if !first {
                f.write_str(",")?;
            }
            f.write_str(name)?;
            first = false;
        }
        Ok(())
    }
}

/// What is reassembled, what is reported, and the bounds that keep memory flat.
///
/// The defaults hold a few thousand concurrent datagrams and streams in well under 128 MB,
/// whatever the capture does (never-completing fragments, SYN floods, lying sequence numbers).
/// Build from the default (or [`ReassemblyOptions::new`]) with the setters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReassemblyOptions {
    /// The reassemblers that run (default: all).
    pub kinds: Kinds,
    /// Report only complete datagrams and messages (`--strict`; default off: incomplete ones
    /// are reported with `complete: false` and their missing byte ranges).
    pub strict: bool,
    /// Largest reassembled IP datagram, in bytes (default 131 072: IPv6 datagrams past 65 535
    /// are accepted, as Wireshark does); a fragment beyond it flushes its datagram incomplete.
    pub max_datagram: u32,
    /// Fragment bytes held over all open datagrams (default 16 MiB).
    pub max_fragment_memory: usize,
    /// Open datagrams (default 8 192).
    pub max_datagrams: usize,
    /// Seconds of capture time a datagram may wait for its fragments, from its first fragment
    /// (default 30, Linux's `ipfrag_time`).
    pub fragment_timeout: u32,
    /// Out-of-order bytes buffered per direction of a TCP connection (default 1 MiB); past it
    /// the stream skips the missing bytes as a gap.
    pub max_stream_buffer: usize,
    /// Out-of-order bytes buffered over all TCP streams (default 32 MiB).
    pub max_stream_memory: usize,
    /// Open TCP connections (default 16 384).
    pub max_streams: usize,
    /// Bytes of one message kept for its re-dissection (default 64 KiB): an HTTP head longer
    /// than this is not parsed as HTTP; an HTTP body is counted, never kept.
    pub max_message: usize,
}

impl Default for ReassemblyOptions {
    fn default() -> Self {
        ReassemblyOptions {
            kinds: Kinds::ALL,
            strict: false,
            max_datagram: 131_072,
            max_fragment_memory: 16 << 20,
            max_datagrams: 8_192,
            fragment_timeout: 30,
            max_stream_buffer: 1 << 20,
            max_stream_memory: 32 << 20,
            max_streams: 16_384,
            max_message: 64 << 10,
        }
    }
}

impl ReassemblyOptions {
    /// The defaults with `kinds` on.
    pub fn new(kinds: Kinds) -> ReassemblyOptions {
        ReassemblyOptions {
            kinds,
            ..ReassemblyOptions::default()
        }
    }

    crate::setters::setters! {
        kinds: Kinds,
        strict: bool,
        max_datagram: u32,
        max_fragment_memory: usize,
        max_datagrams: usize,
        fragment_timeout: u32,
        max_stream_buffer: usize,
        max_stream_memory: usize,
        max_streams: usize,
        max_message: usize,
    }
}

/// What [`reassemble`] found.
#[derive(Debug)]
pub struct Reassembly {
    /// The capture header.
    pub info: CaptureInfo,
    /// Every datagram and message reported, in report order.
    pub records: Vec<Reassembled>,
    /// Totals over the frames, with the stage's `reassembly.*` counters.
    pub summary: Summary,
    /// Where reading stopped before the end of the input, if it did.
    pub stopped_early: Option<StoppedEarly>,
}

/// Reads `input` with the native engine and returns its reassembled datagrams and messages
/// (they are kept in memory; to stream them beside frames use the stage in an extraction).
pub fn reassemble(input: impl AsRef<Path>, opts: &ReassemblyOptions) -> crate::Result<Reassembly> {
    let mut records = Vec::new();
    let (info, summary, stopped_early) = each_record(input.as_ref(), opts, |r| records.push(r))?;
    Ok(Reassembly {
        info,
        records,
        summary,
        stopped_early,
    })
}

/// Reads `input` with the native engine and hands each reassembled datagram and message to
/// `take` in report order, keeping none; returns the capture header, the totals and where
/// reading stopped early.
pub(crate) fn each_record(
    input: &Path,
    opts: &ReassemblyOptions,
    mut take: impl FnMut(Reassembled),
) -> crate::Result<(CaptureInfo, Summary, Option<StoppedEarly>)> {
    let mut reader = CaptureReader::open(input)?;
    let info = reader.info().clone();
    let mut stage = ReassemblyStage::new(*opts);
    let mut summary = Summary::default();
    let mut out = Vec::new();
    let dissect = DissectOptions::default();
    let mut hand_over = |out: &mut Vec<Record>| {
        for record in out.drain(..) {
            if let Record::Reassembly(r) = record {
                take(*r);
            }
        }
    };
    let mut frame = crate::model::Frame::default();
    while let Some(raw) = reader.next_frame() {
        NativeDissector.dissect_into(&raw, &dissect, &mut frame);
        summary.add(&frame);
        stage.frame(&raw, &frame, &mut out);
        hand_over(&mut out);
    }
    stage.finish(&mut out);
    hand_over(&mut out);
    stage.summarize(&mut summary);
    Ok((info, summary, reader.stopped_early().cloned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_and_print() {
        assert_eq!("all".parse::<Kinds>(), Ok(Kinds::ALL));
        let k: Kinds = "tcp, IPv6".parse().unwrap();
        assert_eq!(k.to_string(), "ipv6,tcp");
        assert_eq!(k, Kinds::default().ipv6(true).tcp(true));
        assert_eq!(k.union(Kinds::default().ipv4(true)), Kinds::ALL);
        assert!("udp".parse::<Kinds>().is_err());
        assert!("".parse::<Kinds>().is_err());
    }
}
