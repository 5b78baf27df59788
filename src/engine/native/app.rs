//! Choosing the protocol inside a TCP segment or UDP datagram.
//!
//! A port is only a hint: content must confirm it, so a payload is never labelled by its port
//! alone. HTTP is recognised on any port by its request or status line.

use super::http;
use crate::model::ProtoId;

/// The application protocol of a TCP payload, if pcapkit recognises it.
pub fn over_tcp(_src_port: u16, _dst_port: u16, payload: &[u8]) -> Option<ProtoId> {
    http::is_http_start(payload).then_some(ProtoId::Http)
}

/// The protocol of a UDP payload, if pcapkit recognises it.
pub fn over_udp(_src_port: u16, _dst_port: u16, _payload: &[u8]) -> Option<ProtoId> {
    None
}
