//! The unified frame: what every engine produces and every dumper writes.

use super::layer::Layer;
use super::proto::ProtoId;
use super::time::Timestamp;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::fmt;

/// One dissected frame.
///
/// Serialized with the keys `number`, `time`, `time_epoch`, `len`, `cap_len`, `link_type`,
/// `interface` (pcapng only), `protocols`, `layers` and `error` (only when dissection stopped
/// early), in that order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    /// 1-based position of the frame in the capture.
    pub number: u64,
    /// Capture time; `None` where the format records none (pcapng Simple Packet Block).
    pub timestamp: Option<Timestamp>,
    /// Original length on the wire.
    pub len: u32,
    /// Captured length (bytes present in the file).
    pub cap_len: u32,
    /// Link type the frame was captured with.
    pub link_type: LinkType,
    /// pcapng interface index within its section; `None` for classic pcap.
    pub interface: Option<u32>,
    /// Dissected layers, outermost first.
    pub layers: Vec<Layer>,
    /// Where each layer sits in the frame's captured bytes, parallel to `layers` (not
    /// serialized): what stages use to find a layer's payload without parsing it again.
    pub spans: Vec<Span>,
    /// Where and why dissection stopped early, if it did.
    pub error: Option<FrameError>,
}

impl Frame {
    /// The protocols of the frame, outermost first (what `protocols` spells with `:`).
    pub fn protocols(&self) -> impl Iterator<Item = ProtoId> + '_ {
        self.layers.iter().map(Layer::proto)
    }

    /// The protocol chain as text, e.g. `Ethernet:IPv4:TCP:HTTP`.
    pub fn protocol_chain(&self) -> String {
        ChainText(&self.layers).to_string()
    }

    /// The protocol chain as a value that displays and serializes as `A:B:C` without
    /// building a string (what reassembly records write under `protocols`).
    pub fn chain(&self) -> impl fmt::Display + Serialize + '_ {
        ChainText(&self.layers)
    }

    /// The first layer of protocol `proto`, if the frame has one.
    pub fn layer(&self, proto: ProtoId) -> Option<&Layer> {
        self.layers.iter().find(|l| l.proto() == proto)
    }

    /// The captured payload bytes of layer `index` (what follows its header, trimmed to the
    /// length the header declares), given the frame's bytes (`RawFrame::data`).
    pub fn payload<'d>(&self, index: usize, data: &'d [u8]) -> Option<&'d [u8]> {
        self.spans.get(index)?.payload(data)
    }
}

/// A layer's place in the captured bytes of its frame: the header is `start..header_end`, the
/// captured payload `header_end..end` (offsets into `RawFrame::data`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// Offset of the layer's first byte.
    pub start: u32,
    /// Offset of the first payload byte (the end of the header as captured).
    pub header_end: u32,
    /// Offset one past the last captured payload byte the header declares.
    pub end: u32,
}

impl Span {
    /// The header bytes of this layer within `data`.
    pub fn header<'d>(&self, data: &'d [u8]) -> Option<&'d [u8]> {
        data.get(self.start as usize..self.header_end as usize)
    }

    /// The payload bytes of this layer within `data`.
    pub fn payload<'d>(&self, data: &'d [u8]) -> Option<&'d [u8]> {
        data.get(self.header_end as usize..self.end as usize)
    }
}

/// Why dissection of a frame stopped before its end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameError {
    /// The protocol whose header could not be read.
    pub layer: ProtoId,
    /// Byte offset in the frame where that header starts.
    pub offset: u32,
    /// What was wrong, e.g. `header needs 20 bytes, 12 captured`.
    pub reason: String,
}

/// How the nesting-limit error's reason ends (see [`FrameError::nesting_limit`]).
const NESTING_LIMIT: &str = " nested layers: dissection stopped";

impl FrameError {
    /// The error of a frame whose layers reached the nesting limit `max` at `layer`.
    pub fn nesting_limit(layer: ProtoId, offset: u32, max: usize) -> FrameError {
        FrameError {
            layer,
            offset,
            reason: format!("more than {max}{NESTING_LIMIT}"),
        }
    }

    /// Whether this is the nesting-limit error (counted in the summary's `limits`).
    pub fn is_nesting_limit(&self) -> bool {
        self.reason.ends_with(NESTING_LIMIT)
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at offset {}: {}",
            self.layer, self.offset, self.reason
        )
    }
}

/// The protocol chain of a list of layers, displayed and serialized as `A:B:C`.
struct ChainText<'a>(&'a [Layer]);

impl fmt::Display for ChainText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, layer) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            f.write_str(layer.proto().name())?;
        }
        Ok(())
    }
}

impl Serialize for ChainText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 256];
        let mut len = 0;
        for layer in self.0 {
            let name = layer.proto().name().as_bytes();
            let sep = usize::from(len > 0);
            if len + sep + name.len() > buf.len() {
                return s.collect_str(self);
            }
            buf[len] = b':';
            buf[len + sep..len + sep + name.len()].copy_from_slice(name);
            len += sep + name.len();
        }
        s.serialize_str(std::str::from_utf8(&buf[..len]).unwrap_or_default())
    }
}

/// A frame's time in the `secs.nanos` form of `time_epoch`.
struct EpochText(Timestamp);

impl Serialize for EpochText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.write_epoch(&mut [0; 40]))
    }
}

impl Serialize for Frame {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Frame", 10)?;
        st.serialize_field("number", &self.number)?;
        match self.timestamp {
            Some(ts) => {
                st.serialize_field("time", &ts)?;
                st.serialize_field("time_epoch", &EpochText(ts))?;
            }
            None => {
                st.skip_field("time")?;
                st.skip_field("time_epoch")?;
            }
        }
        st.serialize_field("len", &self.len)?;
        st.serialize_field("cap_len", &self.cap_len)?;
        st.serialize_field("link_type", &self.link_type)?;
        match self.interface {
            Some(interface) => st.serialize_field("interface", &interface)?,
            None => st.skip_field("interface")?,
        }
        st.serialize_field("protocols", &ChainText(&self.layers))?;
        st.serialize_field("layers", &self.layers)?;
        match &self.error {
            Some(error) => st.serialize_field("error", error)?,
            None => st.skip_field("error")?,
        }
        st.end()
    }
}

/// A pcap/pcapng link type (LINKTYPE_* number), serialized by name (`"ETHERNET"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback (0).
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet (1).
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IP, as written literally on some BSDs (12).
    pub const RAW_BSD: LinkType = LinkType(12);
    /// Raw IP, as written literally on OpenBSD (14).
    pub const RAW_OPENBSD: LinkType = LinkType(14);
    /// Raw IP (101).
    pub const RAW: LinkType = LinkType(101);
    /// OpenBSD loopback (108).
    pub const LOOP: LinkType = LinkType(108);
    /// Linux cooked capture v1 (113).
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4 (228).
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6 (229).
    pub const IPV6: LinkType = LinkType(229);
    /// Linux netfilter NFLOG (239).
    pub const NFLOG: LinkType = LinkType(239);
    /// Linux cooked capture v2 (276).
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// The link type's LINKTYPE_ name without the prefix, if pcapkit knows it.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "NULL",
            1 => "ETHERNET",
            3 => "AX25",
            6 => "IEEE802_5",
            7 => "ARCNET_BSD",
            8 => "SLIP",
            9 => "PPP",
            10 => "FDDI",
            12 | 14 | 101 => "RAW",
            50 => "PPP_HDLC",
            51 => "PPP_ETHER",
            104 => "C_HDLC",
            105 => "IEEE802_11",
            107 => "FRELAY",
            108 => "LOOP",
            113 => "LINUX_SLL",
            114 => "LTALK",
            117 => "PFLOG",
            119 => "IEEE802_11_PRISM",
            122 => "IP_OVER_FC",
            123 => "SUNATM",
            127 => "IEEE802_11_RADIOTAP",
            129 => "ARCNET_LINUX",
            138 => "APPLE_IP_OVER_IEEE1394",
            139 => "MTP2_WITH_PHDR",
            140 => "MTP2",
            141 => "MTP3",
            142 => "SCCP",
            143 => "DOCSIS",
            144 => "LINUX_IRDA",
            147..=162 => "USER",
            163 => "IEEE802_11_AVS",
            165 => "BACNET_MS_TP",
            166 => "PPP_PPPD",
            169 => "GPRS_LLC",
            177 => "LINUX_LAPD",
            187 => "BLUETOOTH_HCI_H4",
            189 => "USB_LINUX",
            192 => "PPI",
            195 => "IEEE802_15_4_WITHFCS",
            201 => "BLUETOOTH_HCI_H4_WITH_PHDR",
            220 => "USB_LINUX_MMAPPED",
            226 => "IPNET",
            227 => "CAN_SOCKETCAN",
            228 => "IPV4",
            229 => "IPV6",
            239 => "NFLOG",
            240 => "NETANALYZER",
            249 => "USBPCAP",
            252 => "WIRESHARK_UPPER_PDU",
            263 => "BLUETOOTH_LE_LL",
            264 => "IEEE802_15_4_NOFCS",
            270 => "NETLINK",
            276 => "LINUX_SLL2",
            284 => "DSA_TAG_BRCM",
            _ => return None,
        })
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some("USER") => write!(f, "USER{}", self.0 - 147),
            Some(name) => f.write_str(name),
            None => write!(f, "LINKTYPE_{}", self.0),
        }
    }
}

impl Serialize for LinkType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some("USER") | None => s.collect_str(self),
            Some(name) => s.serialize_str(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::layer::Raw;

    #[test]
    fn frame_keys_in_contract_order() {
        let frame = Frame {
            number: 1,
            timestamp: Some(Timestamp::new(1, 5)),
            len: 60,
            cap_len: 60,
            link_type: LinkType(160),
            interface: None,
            layers: vec![Layer::Raw(Raw {
                header_len: 0,
                payload_len: 60,
            })],
            spans: Vec::new(),
            error: None,
        };
        assert_eq!(
            serde_json::to_string(&frame).unwrap(),
            r#"{"number":1,"time":"1970-01-01T00:00:01.000000005Z","time_epoch":"1.000000005","len":60,"cap_len":60,"link_type":"USER13","protocols":"Raw","layers":[{"protocol":"Raw","header_len":0,"payload_len":60}]}"#
        );
        assert_eq!(frame.protocol_chain(), "Raw");
        assert_eq!(LinkType(4000).to_string(), "LINKTYPE_4000");
    }
}
