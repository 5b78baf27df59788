//! Engines: what turns raw capture records into [`Frame`]s.
//!
//! A [`Dissector`] turns one [`RawFrame`] into one [`Frame`]; an [`Engine`] drives a whole
//! capture through dissection into the pipeline's [`Tail`]. `--engine` picks an [`EngineKind`].

// The dissectors face hostile input, as the reader does: no panicking shortcuts outside tests
// (DESIGN-NOTES, "Panic-free dissectors").
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

#[cfg(any(feature = "etherparse", feature = "pnet", feature = "pdu"))]
mod adapter;
pub(crate) mod batch;
#[cfg(feature = "etherparse")]
pub mod etherparse;
pub mod mp_pipeline;
pub mod mp_server;
pub mod native;
#[cfg(feature = "pdu")]
pub mod pdu;
#[cfg(feature = "pnet")]
pub mod pnet;

use crate::capture::{CaptureReader, RawFrame};
use crate::error::{Error, Result};
use crate::model::{Frame, Level, ProtoId, recycle};
use crate::pipeline::Tail;
use std::fmt;
use std::io;
use std::str::FromStr;
use std::thread;

/// Where dissection stops, from `-P/--protocol` or `-L/--layer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Stop after the first layer of this protocol; the rest of the frame is `Raw`.
    Protocol(ProtoId),
    /// Dissect only protocols of this level and below; the rest of the frame is `Raw`.
    Level(Level),
}

impl Stop {
    /// The stop of `-P NAME` or `-L LAYER` (at most one of them; neither: `None`), as the CLI
    /// and the bindings spell them (case-insensitive).
    pub fn from_names(protocol: Option<&str>, layer: Option<&str>) -> Result<Option<Stop>> {
        match (protocol, layer) {
            (Some(_), Some(_)) => Err(Error::Usage(
                "give a protocol or a layer to stop after, not both".into(),
            )),
            (Some(name), None) => {
                let proto = ProtoId::from_name(name).ok_or_else(|| {
                    let known: Vec<&str> = ProtoId::ALL.iter().map(|p| p.name()).collect();
                    Error::Usage(format!(
                        "unknown protocol '{name}' for -P (known: {})",
                        known.join(", ")
                    ))
                })?;
                Ok(Some(Stop::Protocol(proto)))
            }
            (None, Some(name)) => {
                let level = Level::from_name(name).ok_or_else(|| {
                    Error::Usage(format!(
                        "unknown layer '{name}' for -L (valid: raw, link, inet, trans, app)"
                    ))
                })?;
                Ok(Some(Stop::Level(level)))
            }
            (None, None) => Ok(None),
        }
    }
}

/// The default [`DissectOptions::max_layers`].
pub const DEFAULT_MAX_LAYERS: usize = 32;

/// Options that change how frames are dissected (build from the default with the setters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DissectOptions {
    /// Where to stop dissecting, if anywhere before the end.
    pub stop: Option<Stop>,
    /// The most layers one frame may have (tunnels in tunnels); deeper nesting ends the
    /// frame with an error, counted in the summary's `limits`. Default 32.
    pub max_layers: usize,
}

impl Default for DissectOptions {
    fn default() -> Self {
        DissectOptions {
            stop: None,
            max_layers: DEFAULT_MAX_LAYERS,
        }
    }
}

impl DissectOptions {
    crate::setters::setters! { stop: Option<Stop>, max_layers: usize }
}

/// Dissects one raw frame into the unified model. Pure, thread-safe, no I/O.
pub trait Dissector: Send + Sync {
    /// Dissects `raw`; problems are recorded in the frame's `error`, never raised.
    fn dissect(&self, raw: &RawFrame<'_>, opts: &DissectOptions) -> Frame;

    /// Dissects `raw` into `frame`, replacing what it held: the same frame as
    /// [`dissect`](Dissector::dissect), in vectors whose memory is reused (an engine's loop
    /// keeps one frame for the whole capture).
    fn dissect_into(&self, raw: &RawFrame<'_>, opts: &DissectOptions, frame: &mut Frame) {
        *frame = self.dissect(raw, opts);
    }
}

/// Receives frames in capture order: a dumper, a collector, a counter.
pub trait FrameSink {
    /// Takes one frame; `raw` carries the frame's original bytes.
    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()>;
}

/// Drives a whole capture through dissection into the pipeline's [`Tail`]; what `--engine`
/// selects.
pub trait Engine {
    /// Reads `input` to its end, dissecting every frame into `tail` in capture order, and
    /// reports the reader's position into [`Tail::position`].
    ///
    /// Errors are the report's write errors; a damaged tail of the input ends the run normally
    /// (see [`CaptureReader::stopped_early`]).
    fn run(
        &self,
        input: &mut CaptureReader,
        opts: &DissectOptions,
        tail: &mut Tail<'_>,
    ) -> io::Result<()>;
}

/// A single-threaded engine: its dissector over the capture, frame by frame, on the calling
/// thread (`native`, `etherparse`, `pnet` and `pdu` are this with their own dissector).
#[derive(Clone, Copy, Debug, Default)]
pub struct Sequential<D>(pub D);

impl<D: Dissector> Engine for Sequential<D> {
    fn run(
        &self,
        input: &mut CaptureReader,
        opts: &DissectOptions,
        tail: &mut Tail<'_>,
    ) -> io::Result<()> {
        let position = tail.position().clone();
        let mut frame = Frame::default();
        while let Some(raw) = input.next_frame() {
            self.0.dissect_into(&raw, opts, &mut frame);
            tail.frame(&raw, &mut frame)?;
            position.set(input.bytes_read());
            // The next frame's builders reuse this one's vectors.
            recycle::recycle_layers(&mut frame.layers);
        }
        position.set(input.bytes_read());
        Ok(())
    }
}

/// The adapter engines and the cargo feature that builds each: parsing a name of an engine
/// this build lacks says which feature would add it.
const ADAPTER_FEATURES: &[(&str, &str)] = &[
    ("etherparse", "etherparse"),
    ("pnet", "pnet"),
    ("pdu", "pdu"),
];

/// The engines a caller can choose at run time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// pcapkit's own zero-copy dissector.
    #[default]
    Native,
    /// The etherparse crate's `LaxSlicedPacket`, the rest handed to native (cargo feature
    /// `etherparse`).
    #[cfg(feature = "etherparse")]
    Etherparse,
    /// The pnet_packet crate's views, the rest handed to native (cargo feature `pnet`).
    #[cfg(feature = "pnet")]
    Pnet,
    /// The pdu crate's views, the rest handed to native (cargo feature `pdu`).
    #[cfg(feature = "pdu")]
    Pdu,
    /// Native on N worker threads that dissect and encode; a re-sequencer keeps frame order.
    Server,
    /// Native in two stages on two threads: read, dissect and stages; encode and report.
    Pipeline,
}

impl EngineKind {
    /// Every engine this build has.
    pub const ALL: &'static [EngineKind] = &[
        EngineKind::Native,
        #[cfg(feature = "etherparse")]
        EngineKind::Etherparse,
        #[cfg(feature = "pnet")]
        EngineKind::Pnet,
        #[cfg(feature = "pdu")]
        EngineKind::Pdu,
        EngineKind::Server,
        EngineKind::Pipeline,
    ];

    /// Whether the engine runs on several threads (`server`, `pipeline`: the native dissector).
    pub fn is_parallel(self) -> bool {
        matches!(self, EngineKind::Server | EngineKind::Pipeline)
    }

    /// The engine's name as `--engine` takes it.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Native => "native",
            #[cfg(feature = "etherparse")]
            EngineKind::Etherparse => "etherparse",
            #[cfg(feature = "pnet")]
            EngineKind::Pnet => "pnet",
            #[cfg(feature = "pdu")]
            EngineKind::Pdu => "pdu",
            EngineKind::Server => "server",
            EngineKind::Pipeline => "pipeline",
        }
    }

    /// What the engine decodes itself, for `--engines`.
    pub fn description(self) -> &'static str {
        match self {
            EngineKind::Native => {
                "pcapkit's zero-copy dissector: Ethernet, 802.2 LLC/SNAP, SLL, SLL2, Null, NFLOG, \
                 Radiotap, PPI, Prism, IEEE 802.11, Frame Relay, Cisco HDLC, IPoIB, ARCNET, IPNET, VLAN/QinQ, Arista AVSP, MPLS, \
                 ARP, RARP, PPP, PPPoE, IPX, IPv4, IPv6 + extension headers, AH, ESP, HIP, MH, \
                 OSPFv2/v3, IGMP, PIMv2, GRE, ERSPAN, IP-in-IP, L2TP, VXLAN, GENEVE, Teredo, \
                 GTP-U, TCP, UDP, SCTP, ICMP, ICMPv6 (+ quoted datagram, NDP, MLD), \
                 DNS/mDNS/LLMNR, DHCP, DHCPv6, NTP, TLS, QUIC, SIP, HTTP/1.x"
            }
            #[cfg(feature = "etherparse")]
            EngineKind::Etherparse => {
                "etherparse 0.21 LaxSlicedPacket: Ethernet II, VLAN tags, ARP/RARP, IPv4 + options, \
                 AH, IPv6 + Hop-by-Hop/Routing/Fragment/Destination Options, TCP + options, UDP, \
                 ICMP/ICMPv6 echo; the rest by native"
            }
            #[cfg(feature = "pnet")]
            EngineKind::Pnet => {
                "pnet_packet 0.35 views: Ethernet, SLL, SLL2, VLAN, ARP, IPv4, IPv6 + extension \
                 headers, TCP, UDP, ICMP/ICMPv6 echo, GRE v0; the rest by native"
            }
            #[cfg(feature = "pdu")]
            EngineKind::Pdu => {
                "pdu 1.5: Ethernet with one VLAN tag, ARP, IPv4, IPv6 + Hop-by-Hop/Routing/\
                 Destination Options, TCP, UDP, ICMP/ICMPv6 echo, GRE v0, ESP; the rest by native"
            }
            EngineKind::Server => {
                "native on --threads worker threads (default: all cores) that dissect and \
                 encode; a reader thread and a re-sequencer keep frame order"
            }
            EngineKind::Pipeline => {
                "native in two stages on two threads joined by a bounded channel: read, \
                 dissect and stages; encode and report (with --threads 1: one thread)"
            }
        }
    }

    /// The single-frame dissector the engine uses (parallel engines use the native one).
    pub fn dissector(self) -> Box<dyn Dissector> {
        match self {
            EngineKind::Native => Box::new(native::NativeDissector),
            #[cfg(feature = "etherparse")]
            EngineKind::Etherparse => Box::new(etherparse::EtherparseDissector),
            #[cfg(feature = "pnet")]
            EngineKind::Pnet => Box::new(pnet::PnetDissector),
            #[cfg(feature = "pdu")]
            EngineKind::Pdu => Box::new(pdu::PduDissector),
            EngineKind::Server | EngineKind::Pipeline => Box::new(native::NativeDissector),
        }
    }

    /// The engine itself; `threads` is the parallel engines' worker count (0: one per
    /// available core), ignored by the others.
    pub fn engine(self, threads: usize) -> Box<dyn Engine + Send + Sync> {
        let threads = if threads == 0 {
            thread::available_parallelism().map_or(1, usize::from)
        } else {
            threads
        };
        match self {
            EngineKind::Native => Box::new(Sequential(native::NativeDissector)),
            #[cfg(feature = "etherparse")]
            EngineKind::Etherparse => Box::new(Sequential(etherparse::EtherparseDissector)),
            #[cfg(feature = "pnet")]
            EngineKind::Pnet => Box::new(Sequential(pnet::PnetDissector)),
            #[cfg(feature = "pdu")]
            EngineKind::Pdu => Box::new(Sequential(pdu::PduDissector)),
            EngineKind::Server => Box::new(mp_server::Server { threads }),
            EngineKind::Pipeline => Box::new(mp_pipeline::Pipeline { threads }),
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
                let missing = ADAPTER_FEATURES
                    .iter()
                    .find(|(engine, _)| engine.eq_ignore_ascii_case(name));
                Error::Usage(match missing {
                    Some((engine, feature)) => format!(
                        "engine '{engine}' is not in this build: rebuild pcapkit with the cargo \
                         feature '{feature}' (cargo build --features {feature}; built engines: {})",
                        valid.join(", ")
                    ),
                    None => format!("unknown engine '{name}' (valid: {})", valid.join(", ")),
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_parse_by_name_and_a_missing_adapter_names_its_feature() {
        for &kind in EngineKind::ALL {
            assert_eq!(
                kind.name().to_uppercase().parse::<EngineKind>().unwrap(),
                kind
            );
        }
        assert_eq!("pnet".parse::<EngineKind>().is_ok(), cfg!(feature = "pnet"));
        assert_eq!("pdu".parse::<EngineKind>().is_ok(), cfg!(feature = "pdu"));
        assert_eq!(
            "etherparse".parse::<EngineKind>().is_ok(),
            cfg!(feature = "etherparse")
        );
        for (engine, feature) in ADAPTER_FEATURES {
            let built = EngineKind::ALL.iter().any(|kind| kind.name() == *engine);
            match engine.parse::<EngineKind>() {
                Ok(kind) => assert!(built && kind.name() == *engine),
                Err(err) => {
                    let text = err.to_string();
                    assert!(!built, "{text}");
                    assert!(text.contains(&format!("feature '{feature}'")), "{text}");
                }
            }
        }
        let err = "scapy".parse::<EngineKind>().unwrap_err().to_string();
        assert!(err.starts_with("unknown engine 'scapy'"), "{err}");
    }
}
