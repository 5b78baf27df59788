//! The record one reassembled datagram or message becomes.

use crate::model::{Frame, Layer};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::net::IpAddr;

/// What was reassembled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An IPv4 datagram from its fragments.
    Ipv4,
    /// An IPv6 datagram from its fragments.
    Ipv6,
    /// A message of one direction of a TCP connection.
    Tcp,
}

/// What identifies a datagram or the stream a message belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// IP fragments: (src, dst, protocol, identification). IPv6 has no protocol in its key
    /// (RFC 8200): `protocol` is then the Fragment header's next header, reported only.
    Ip {
        /// Source address.
        src: IpAddr,
        /// Destination address.
        dst: IpAddr,
        /// Protocol of the reassembled payload.
        protocol: u8,
        /// IPv4 Identification or IPv6 Fragment Identification.
        id: u32,
    },
    /// One direction of a TCP connection.
    Tcp {
        /// Sender's address.
        src: IpAddr,
        /// Sender's port.
        src_port: u16,
        /// Receiver's address.
        dst: IpAddr,
        /// Receiver's port.
        dst_port: u16,
        /// Connection index, 0, 1, 2... in order of first appearance.
        stream: u64,
        /// Stream offset of the message's first byte (0 = the byte after the SYN, or the first
        /// byte seen when the SYN was not captured).
        offset: u64,
    },
}

/// What kind of irregularity a datagram or message showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnomalyKind {
    /// A fragment or segment whose bytes had all arrived before, identical.
    Duplicate,
    /// Part of a fragment or segment covered bytes that had arrived before, identical.
    Overlap,
    /// An overlap whose bytes differ from the first copy (kept): the classic evasion case.
    OverlapConflict,
    /// TCP data at or before bytes already delivered.
    Retransmission,
    /// Fragment data past the end the last fragment set, or a second, different end.
    BeyondEnd,
    /// The datagram would exceed the per-datagram limit.
    TooLarge,
    /// The datagram waited longer than the fragment timeout.
    Timeout,
    /// Flushed early because a count or memory bound was hit.
    Evicted,
    /// The message is longer than the bytes kept for its dissection.
    Truncated,
    /// The last fragment (More Fragments clear) never arrived: the length is unknown.
    NoLastFragment,
}

/// One irregularity, where it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    /// What it was.
    pub kind: AnomalyKind,
    /// The frame it came with.
    pub frame: u64,
    /// The byte range concerned (datagram or stream offsets, end exclusive), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<[u64; 2]>,
}

/// A reassembled IP datagram or TCP message, re-dissected.
///
/// Serialized with the keys `record` (`"reassembly"`), `kind`, `key` (IP: `src`, `dst`,
/// `protocol`, `id`) or `flow` (TCP: `src`, `src_port`, `dst`, `dst_port`, `stream`) and
/// `offset`, `frames`, `complete`, `missing`, `anomalies`, `len`, `protocols`, `layers` and
/// `error` (when the re-dissection stopped early), in that order.
#[derive(Clone, Debug, PartialEq)]
pub struct Reassembled {
    /// Datagram or message.
    pub kind: Kind,
    /// What it belongs to.
    pub key: Key,
    /// Numbers of the frames that carried its bytes, in the order they arrived.
    pub frames: Vec<u64>,
    /// Whether every byte arrived (and for IP, the last fragment).
    pub complete: bool,
    /// Byte ranges that never arrived, `[from, to]` with `to` exclusive (datagram offsets for
    /// IP, stream offsets for TCP).
    pub missing: Vec<[u64; 2]>,
    /// Duplicates, overlaps, retransmissions, bounds hit.
    pub anomalies: Vec<Anomaly>,
    /// Its length in bytes (missing ranges included).
    pub len: u64,
    /// Its bytes re-dissected from the transport (IP) or application (TCP) layer: `number` is
    /// the frame it completed (or was flushed) with, `layers` what it contains.
    pub frame: Frame,
}

impl Reassembled {
    /// The first layer of the re-dissection, if any.
    pub fn first_layer(&self) -> Option<&Layer> {
        self.frame.layers.first()
    }
}

/// The `key` object of an IP datagram.
struct IpKeyOut<'a>(&'a Key);

impl Serialize for IpKeyOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Key", 4)?;
        if let Key::Ip {
            src,
            dst,
            protocol,
            id,
        } = self.0
        {
            st.serialize_field("src", src)?;
            st.serialize_field("dst", dst)?;
            st.serialize_field("protocol", protocol)?;
            st.serialize_field("id", id)?;
        }
        st.end()
    }
}

/// The `flow` object of a TCP message.
struct FlowOut<'a>(&'a Key);

impl Serialize for FlowOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Flow", 5)?;
        if let Key::Tcp {
            src,
            src_port,
            dst,
            dst_port,
            stream,
            ..
        } = self.0
        {
            st.serialize_field("src", src)?;
            st.serialize_field("src_port", src_port)?;
            st.serialize_field("dst", dst)?;
            st.serialize_field("dst_port", dst_port)?;
            st.serialize_field("stream", stream)?;
        }
        st.end()
    }
}

impl Serialize for Reassembled {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Reassembled", 13)?;
        st.serialize_field("record", "reassembly")?;
        st.serialize_field("kind", &self.kind)?;
        match &self.key {
            Key::Ip { .. } => {
                st.serialize_field("key", &IpKeyOut(&self.key))?;
                st.skip_field("flow")?;
                st.skip_field("offset")?;
            }
            Key::Tcp { offset, .. } => {
                st.skip_field("key")?;
                st.serialize_field("flow", &FlowOut(&self.key))?;
                st.serialize_field("offset", offset)?;
            }
        }
        st.serialize_field("frames", &self.frames)?;
        st.serialize_field("complete", &self.complete)?;
        st.serialize_field("missing", &self.missing)?;
        st.serialize_field("anomalies", &self.anomalies)?;
        st.serialize_field("len", &self.len)?;
        st.serialize_field("protocols", &self.frame.chain())?;
        st.serialize_field("layers", &self.frame.layers)?;
        match &self.frame.error {
            Some(error) => st.serialize_field("error", error)?,
            None => st.skip_field("error")?,
        }
        st.end()
    }
}
