//! IPv4 fragments (RFC 791): keyed on (source, destination, protocol, identification).

use super::ip::Fragment;
use crate::model::Ipv4;
use std::net::Ipv4Addr;

/// What identifies the fragments of one IPv4 datagram (RFC 791 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ipv4Key {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Protocol number.
    pub protocol: u8,
    /// Identification.
    pub id: u16,
}

/// Whether the header is that of a fragment (More Fragments set or a non-zero offset).
pub fn is_fragment(ip: &Ipv4) -> bool {
    ip.mf || ip.frag_offset != 0
}

/// The key and fragment an IPv4 layer carries, if it is a fragment; `payload` is its captured
/// payload (what follows the header, trimmed to the total length).
pub(crate) fn fragment<'a>(
    ip: &Ipv4,
    payload: &'a [u8],
    frame: u64,
    time: i64,
) -> Option<(Ipv4Key, Fragment<'a>)> {
    if !is_fragment(ip) {
        return None;
    }
    let key = Ipv4Key {
        src: ip.src,
        dst: ip.dst,
        protocol: ip.proto,
        id: ip.id,
    };
    let frag = Fragment {
        offset: u64::from(ip.frag_offset),
        more: ip.mf,
        data: payload,
        protocol: ip.proto,
        declared: u64::from(ip.payload_len),
        frame,
        time,
    };
    Some((key, frag))
}
