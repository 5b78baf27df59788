//! Address and number types with the textual form users script against.

use serde::{Serialize, Serializer};
use std::fmt::{self, Write as _};

/// A 48-bit IEEE MAC address, serialized as `aa:bb:cc:dd:ee:ff`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// Reads a MAC address from the first six bytes of `bytes`, if there are six.
    pub fn from_slice(bytes: &[u8]) -> Option<MacAddr> {
        Some(MacAddr(bytes.get(..6)?.try_into().ok()?))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl Serialize for MacAddr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = [b':'; 17];
        for (i, byte) in self.0.iter().enumerate() {
            out[i * 3] = HEX[usize::from(byte >> 4)];
            out[i * 3 + 1] = HEX[usize::from(byte & 0xf)];
        }
        s.serialize_str(std::str::from_utf8(&out).unwrap_or_default())
    }
}

/// Bytes shown as a lowercase hex string (`"0a1b"`), the same in JSON and plist.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

impl fmt::Display for HexBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in &self.0 {
            f.write_char(char::from(HEX[usize::from(byte >> 4)]))?;
            f.write_char(char::from(HEX[usize::from(byte & 0xf)]))?;
        }
        Ok(())
    }
}

impl Serialize for HexBytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A link-layer or protocol address of any length, as ARP and SLL carry them.
///
/// Six bytes print as a MAC address, four as dotted IPv4, sixteen as IPv6, anything else as
/// colon-separated hex.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnyAddr(pub Vec<u8>);

impl fmt::Display for AnyAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.len() {
            4 => {
                let b: [u8; 4] = self.0[..4].try_into().map_err(|_| fmt::Error)?;
                std::net::Ipv4Addr::from(b).fmt(f)
            }
            16 => {
                let b: [u8; 16] = self.0[..16].try_into().map_err(|_| fmt::Error)?;
                std::net::Ipv6Addr::from(b).fmt(f)
            }
            _ => {
                for (i, byte) in self.0.iter().enumerate() {
                    if i > 0 {
                        f.write_char(':')?;
                    }
                    write!(f, "{byte:02x}")?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for AnyAddr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An Ethertype, serialized by name where pcapkit knows one (`"IPv4"`), else as `"0x88cc"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EtherType(pub u16);

impl EtherType {
    /// IPv4 (0x0800).
    pub const IPV4: EtherType = EtherType(0x0800);
    /// ARP (0x0806).
    pub const ARP: EtherType = EtherType(0x0806);
    /// RARP (0x8035).
    pub const RARP: EtherType = EtherType(0x8035);
    /// 802.1Q VLAN tag (0x8100).
    pub const VLAN: EtherType = EtherType(0x8100);
    /// 802.1ad service VLAN tag (0x88a8).
    pub const QINQ: EtherType = EtherType(0x88a8);
    /// Legacy QinQ tag used by some switches (0x9100).
    pub const QINQ_LEGACY: EtherType = EtherType(0x9100);
    /// IPv6 (0x86dd).
    pub const IPV6: EtherType = EtherType(0x86dd);

    /// The Ethertype's short name, if pcapkit knows it.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x0800 => "IPv4",
            0x0806 => "ARP",
            0x0842 => "WoL",
            0x22f3 => "TRILL",
            0x6558 => "TEB",
            0x8035 => "RARP",
            0x809b => "AppleTalk",
            0x80f3 => "AARP",
            0x8100 => "VLAN",
            0x8137 => "IPX",
            0x86dd => "IPv6",
            0x8808 => "EthernetFlowControl",
            0x8809 => "SlowProtocols",
            0x880b => "PPP",
            0x8847 => "MPLS",
            0x8848 => "MPLS-multicast",
            0x8863 => "PPPoE-Discovery",
            0x8864 => "PPPoE-Session",
            0x888e => "EAPOL",
            0x88a8 => "802.1ad",
            0x88cc => "LLDP",
            0x88e5 => "MACsec",
            0x88f7 => "PTP",
            0x8906 => "FCoE",
            0x9000 => "Loopback",
            0x9100 => "QinQ",
            _ => return None,
        })
    }
}

impl fmt::Display for EtherType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:04x}", self.0),
        }
    }
}

impl Serialize for EtherType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(name) => s.serialize_str(name),
            None => s.collect_str(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textual_forms() {
        let mac = MacAddr([0, 0x1a, 0x2b, 0x3c, 0x4d, 0xff]);
        assert_eq!(
            serde_json::to_string(&mac).unwrap(),
            "\"00:1a:2b:3c:4d:ff\""
        );
        assert_eq!(mac.to_string(), "00:1a:2b:3c:4d:ff");
        assert_eq!(
            serde_json::to_string(&HexBytes(vec![0xa, 0xbc])).unwrap(),
            "\"0abc\""
        );
        assert_eq!(AnyAddr(vec![10, 0, 0, 1]).to_string(), "10.0.0.1");
        assert_eq!(AnyAddr(vec![1, 2, 0xab]).to_string(), "01:02:ab");
        assert_eq!(serde_json::to_string(&EtherType::IPV6).unwrap(), "\"IPv6\"");
        assert_eq!(
            serde_json::to_string(&EtherType(0x1234)).unwrap(),
            "\"0x1234\""
        );
    }
}
