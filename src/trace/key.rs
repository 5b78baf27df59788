//! Canonical flow keys: both directions of a conversation map to one key.

use serde::Serialize;
use std::fmt;
use std::net::IpAddr;

/// The transport protocol of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Transport {
    /// A TCP connection (numbered like Wireshark's `tcp.stream`).
    #[serde(rename = "TCP")]
    Tcp,
    /// A UDP conversation (with `--trace-udp`).
    #[serde(rename = "UDP")]
    Udp,
}

impl Transport {
    /// `TCP` or `UDP`.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Tcp => "TCP",
            Transport::Udp => "UDP",
        }
    }

    /// Position in per-transport tables (TCP 0, UDP 1).
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// One end of a flow: an address and a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Endpoint {
    /// IPv4 or IPv6 address.
    #[serde(rename = "ip")]
    pub addr: IpAddr,
    /// TCP or UDP port.
    pub port: u16,
}

impl fmt::Display for Endpoint {
    /// `10.0.0.1:80`, `[2001:db8::1]:443`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            IpAddr::V4(a) => write!(f, "{a}:{}", self.port),
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.port),
        }
    }
}

/// A flow's identity regardless of direction: the lower endpoint, the higher one, the
/// transport (VLAN tags and tunnels are not part of it, as in Wireshark 4.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    /// The lower endpoint (address, then port).
    pub lo: Endpoint,
    /// The higher endpoint.
    pub hi: Endpoint,
    /// TCP or UDP.
    pub transport: Transport,
}

impl FlowKey {
    /// The key of a packet from `src` to `dst`, and whether `src` is the lower endpoint.
    pub fn new(transport: Transport, src: Endpoint, dst: Endpoint) -> (FlowKey, bool) {
        if src <= dst {
            (
                FlowKey {
                    lo: src,
                    hi: dst,
                    transport,
                },
                true,
            )
        } else {
            (
                FlowKey {
                    lo: dst,
                    hi: src,
                    transport,
                },
                false,
            )
        }
    }
}

/// An address as it appears in a file name: IPv6 colons become dots (`2001.db8..1`).
pub fn file_safe(addr: IpAddr) -> String {
    addr.to_string().replace(':', ".")
}

/// A flow file's name: `<id>_<a>_<pa>-<b>_<pb>.pcap` for TCP, `udp<id>_...` for UDP.
pub fn file_name(transport: Transport, id: u64, a: Endpoint, b: Endpoint) -> String {
    let prefix = match transport {
        Transport::Tcp => "",
        Transport::Udp => "udp",
    };
    format!(
        "{prefix}{id}_{}_{}-{}_{}.pcap",
        file_safe(a.addr),
        a.port,
        file_safe(b.addr),
        b.port
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(s: &str, port: u16) -> Endpoint {
        Endpoint {
            addr: s.parse().unwrap(),
            port,
        }
    }

    #[test]
    fn both_directions_share_a_key() {
        let (k1, lo1) = FlowKey::new(Transport::Tcp, ep("10.0.0.2", 80), ep("10.0.0.1", 5000));
        let (k2, lo2) = FlowKey::new(Transport::Tcp, ep("10.0.0.1", 5000), ep("10.0.0.2", 80));
        assert_eq!(k1, k2);
        assert!(!lo1 && lo2);
        // Same address: the ports decide.
        let (k3, lo3) = FlowKey::new(Transport::Udp, ep("::1", 9), ep("::1", 7));
        assert_eq!(k3.lo.port, 7);
        assert!(!lo3);
    }

    #[test]
    fn file_names_are_safe() {
        let name = file_name(Transport::Tcp, 3, ep("2001:db8::1", 443), ep("10.0.0.1", 2));
        assert_eq!(name, "3_2001.db8..1_443-10.0.0.1_2.pcap");
        assert!(!name.contains(['/', ':']));
        assert_eq!(
            file_name(Transport::Udp, 0, ep("1.2.3.4", 53), ep("5.6.7.8", 9)),
            "udp0_1.2.3.4_53-5.6.7.8_9.pcap"
        );
        assert_eq!(ep("::1", 5).to_string(), "[::1]:5");
    }
}
