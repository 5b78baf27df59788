//! Engines: what turns raw capture records into [`Frame`]s.
//!
//! A [`Dissector`] turns one [`RawFrame`] into one [`Frame`]; an [`Engine`] drives a whole
//! capture through dissection into a [`FrameSink`]. `--engine` picks an [`EngineKind`].

pub mod native;

use crate::capture::{CaptureReader, RawFrame};
use crate::error::{Error, Result};
use crate::model::{Frame, Level, ProtoId, Summary};
use std::fmt;
use std::io;
use std::str::FromStr;

/// Where dissection stops, from `-P/--protocol` or `-L/--layer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Stop after the first layer of this protocol; the rest of the frame is `Raw`.
    Protocol(ProtoId),
    /// Dissect only protocols of this level and below; the rest of the frame is `Raw`.
    Level(Level),
}

/// Options that change how frames are dissected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DissectOptions {
    /// Where to stop dissecting, if anywhere before the end.
    pub stop: Option<Stop>,
}

/// Dissects one raw frame into the unified model. Pure, thread-safe, no I/O.
pub trait Dissector: Send + Sync {
    /// Dissects `raw`; problems are recorded in the frame's `error`, never raised.
    fn dissect(&self, raw: &RawFrame<'_>, opts: &DissectOptions) -> Frame;
}

/// Receives frames in capture order: a dumper, a collector, a counter.
pub trait FrameSink {
    /// Takes one frame; `raw` carries the frame's original bytes.
    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()>;
}

/// Drives a whole capture through dissection into a sink; what `--engine` selects.
pub trait Engine {
    /// Reads `input` to its end, dissecting every frame into `sink`, and returns the totals.
    ///
    /// Errors are the sink's write errors; a damaged tail of the input ends the run normally
    /// (see [`CaptureReader::stopped_early`]).
    fn run(
        &self,
        input: &mut CaptureReader,
        opts: &DissectOptions,
        sink: &mut dyn FrameSink,
    ) -> io::Result<Summary>;
}

/// Runs any single-threaded [`Dissector`] over a capture, frame by frame.
pub fn run_sequential(
    dissector: &dyn Dissector,
    input: &mut CaptureReader,
    opts: &DissectOptions,
    sink: &mut dyn FrameSink,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    while let Some(raw) = input.next_frame() {
        let frame = dissector.dissect(&raw, opts);
        summary.add(&frame);
        sink.frame(&raw, &frame)?;
    }
    Ok(summary)
}

/// The engines a caller can choose at run time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// pcapkit's own zero-copy dissector.
    #[default]
    Native,
}

impl EngineKind {
    /// Every engine this build has.
    pub const ALL: &'static [EngineKind] = &[EngineKind::Native];

    /// The engine's name as `--engine` takes it.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Native => "native",
        }
    }

    /// What the engine decodes itself, for `--engines`.
    pub fn description(self) -> &'static str {
        match self {
            EngineKind::Native => {
                "pcapkit's zero-copy dissector: Ethernet, SLL, SLL2, Null, NFLOG, VLAN/QinQ, ARP, RARP, \
                 IPv4, IPv6 + extension headers, TCP, UDP, ICMP, ICMPv6, HTTP/1.x"
            }
        }
    }

    /// The single-frame dissector the engine uses (parallel engines use the native one).
    pub fn dissector(self) -> Box<dyn Dissector> {
        match self {
            EngineKind::Native => Box::new(native::NativeDissector),
        }
    }

    /// The engine itself.
    pub fn engine(self) -> Box<dyn Engine + Send + Sync> {
        match self {
            EngineKind::Native => Box::new(native::NativeEngine),
        }
    }
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for EngineKind {
    type Err = Error;

    /// Parses an engine name, case-insensitively.
    fn from_str(name: &str) -> Result<EngineKind> {
        EngineKind::ALL
            .iter()
            .copied()
            .find(|e| e.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let valid: Vec<&str> = EngineKind::ALL.iter().map(|e| e.name()).collect();
                Error::Usage(format!(
                    "unknown engine '{name}' (valid: {})",
                    valid.join(", ")
                ))
            })
    }
}
