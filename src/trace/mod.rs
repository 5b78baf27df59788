//! Trace: TCP flows (and UDP conversations) — one pcap per flow, an index, flow records, and
//! the reassembled byte stream of a connection (`follow`).
//!
//! A flow is keyed by its canonical endpoints ([`FlowKey`]), so both directions are one
//! flow. TCP flows are numbered like Wireshark 4.0's `tcp.stream` (order of first frame; a SYN
//! with a new initial sequence number on a known 4-tuple starts a new flow), using the
//! innermost IP header of each frame ([`packet`]). A flow ends after FIN both ways or a RST
//! plus a grace period, after an idle timeout, or when a bound needs its place; its file is
//! closed and its index entry written then ([`TraceStage`]).
//!
//! ```no_run
//! let done = pcapkit::trace("capture.pcap", "flows".as_ref(), &pcapkit::trace::TraceOptions::default())?;
//! println!("{} TCP flows", done.flows[0]);
//! # Ok::<(), pcapkit::Error>(())
//! ```

mod files;
mod follow;
mod index;
pub mod key;
pub mod packet;
mod stage;
pub mod table;
mod writer;

pub use follow::{FlowSelector, FollowFormat, Followed, follow};
pub use index::{JSON as INDEX_JSON, NDJSON as INDEX_NDJSON};
pub use key::{Endpoint, FlowKey, Transport};
pub use stage::{TraceHandle, TraceOptions, TraceOutcome, TraceStage};
pub use table::{DirStats, Flow, FlowState, TableLimits};
