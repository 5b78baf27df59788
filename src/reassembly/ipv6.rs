//! IPv6 fragments (RFC 8200 §4.5): keyed on (source, destination, Fragment Identification),
//! never the flow label; the Fragment header may follow other extension headers.

use super::ip::Fragment;
use crate::model::{Ipv6, Ipv6Frag};
use std::net::Ipv6Addr;

/// What identifies the fragments of one IPv6 datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ipv6Key {
    /// Source address.
    pub src: Ipv6Addr,
    /// Destination address.
    pub dst: Ipv6Addr,
    /// Fragment Identification.
    pub id: u32,
}

/// Whether a Fragment header makes its packet a fragment: not an "atomic fragment" (offset 0
/// and M clear, RFC 6946), which is a whole datagram.
pub fn is_fragment(frag: &Ipv6Frag) -> bool {
    frag.mf || frag.frag_offset != 0
}

/// The key and fragment a Fragment header carries; `ip` is the IPv6 header it belongs to and
/// `payload` the captured bytes after the Fragment header.
///
/// A Fragment header with offset 0 and M clear (an "atomic fragment", RFC 6946) is a whole
/// datagram and is not reassembled.
pub(crate) fn fragment<'a>(
    ip: &Ipv6,
    frag: &Ipv6Frag,
    payload: &'a [u8],
    frame: u64,
    time: i64,
) -> Option<(Ipv6Key, Fragment<'a>)> {
    if !is_fragment(frag) {
        return None;
    }
    let key = Ipv6Key {
        src: ip.src,
        dst: ip.dst,
        id: frag.id,
    };
    let fragment = Fragment {
        offset: u64::from(frag.frag_offset),
        more: frag.mf,
        data: payload,
        protocol: frag.next_header,
        declared: u64::from(frag.payload_len),
        frame,
        time,
    };
    Some((key, fragment))
}
