//! `analyse`: the HTTP/1.x exchanges of a capture, from its reassembled TCP streams.

use super::record::{Key, Kind, Reassembled};
use super::tcp::Endpoint;
use super::{Kinds, ReassemblyOptions, each_record};
use crate::model::{Http, HttpKind, Layer};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::path::Path;

/// One HTTP request or response, as reassembled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HttpMessage {
    /// Request method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Request target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Response status code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response reason phrase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Protocol version (`HTTP/1.1`).
    pub version: String,
    /// Header fields in order.
    pub headers: Vec<(String, String)>,
    /// Bytes of the head.
    pub header_len: u32,
    /// Bytes of the body (as sent: chunked framing included).
    pub body_len: u32,
    /// Frames that carried it.
    pub frames: Vec<u64>,
    /// Whether all of it arrived and it ended where its framing says.
    pub complete: bool,
    /// Stream offset of its first byte.
    pub offset: u64,
}

impl HttpMessage {
    fn of(http: &Http, record: &Reassembled, offset: u64) -> HttpMessage {
        HttpMessage {
            method: http.method.clone(),
            target: http.target.clone(),
            status: http.status,
            reason: http.reason.clone(),
            version: http.version.clone(),
            headers: http.headers.clone(),
            header_len: http.header_len,
            body_len: http.body_len,
            frames: record.frames.clone(),
            complete: record.complete,
            offset,
        }
    }
}

/// A request and its response on one connection (either may be missing from the capture).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HttpExchange {
    /// Connection index (as in the `tcp` records' `flow.stream`).
    pub stream: u64,
    /// Address of the side that sent the request (or received the response).
    pub client: IpAddr,
    /// Its port.
    pub client_port: u16,
    /// Address of the other side.
    pub server: IpAddr,
    /// Its port.
    pub server_port: u16,
    /// The request.
    pub request: Option<HttpMessage>,
    /// Interim (1xx) responses before the final one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interim: Vec<HttpMessage>,
    /// The final response.
    pub response: Option<HttpMessage>,
}

/// Pairs the HTTP messages among `records` (TCP messages in report order) into exchanges:
/// on each connection the responses answer the requests in order (HTTP/1.1 pipelining).
pub fn exchanges(records: &[Reassembled]) -> Vec<HttpExchange> {
    let mut pairing = Pairing::default();
    for record in records {
        pairing.add(record);
    }
    pairing.out
}

/// The exchanges found so far, and per connection the requests still waiting for a response.
#[derive(Default)]
struct Pairing {
    out: Vec<HttpExchange>,
    /// Indexes into `out` of the unanswered requests of each connection (no entry: none).
    waiting: HashMap<u64, VecDeque<usize>>,
}

impl Pairing {
    /// Takes the next record in report order (records other than HTTP messages are ignored).
    fn add(&mut self, record: &Reassembled) {
        let (Kind::Tcp, Some(Layer::Http(http))) = (record.kind, record.first_layer()) else {
            return;
        };
        let Key::Tcp {
            src,
            src_port,
            dst,
            dst_port,
            stream,
            offset,
        } = record.key
        else {
            return;
        };
        let message = HttpMessage::of(http, record, offset);
        let (from, to) = (
            Endpoint {
                addr: src,
                port: src_port,
            },
            Endpoint {
                addr: dst,
                port: dst_port,
            },
        );
        let new = |client: Endpoint, server: Endpoint| HttpExchange {
            stream,
            client: client.addr,
            client_port: client.port,
            server: server.addr,
            server_port: server.port,
            request: None,
            interim: Vec::new(),
            response: None,
        };
        let out = &mut self.out;
        match http.kind {
            HttpKind::Request => {
                self.waiting.entry(stream).or_default().push_back(out.len());
                let mut exchange = new(from, to);
                exchange.request = Some(message);
                out.push(exchange);
            }
            HttpKind::Response => {
                let interim = http.status.is_some_and(|s| (100..200).contains(&s));
                let mut pending = match self.waiting.get_mut(&stream) {
                    Some(queue) if interim => queue.front().copied(),
                    Some(queue) => {
                        let first = queue.pop_front();
                        if queue.is_empty() {
                            // Forget the connection until its next request: the map holds
                            // only connections with requests waiting.
                            self.waiting.remove(&stream);
                        }
                        first
                    }
                    None => None,
                };
                if pending.is_none_or(|i| i >= out.len()) {
                    // A response whose request the capture does not have.
                    out.push(new(to, from));
                    pending = Some(out.len() - 1);
                }
                let Some(exchange) = pending.and_then(|i| out.get_mut(i)) else {
                    return;
                };
                if interim {
                    exchange.interim.push(message);
                } else {
                    exchange.response = Some(message);
                }
            }
        }
    }
}

/// Reads `input`, reassembles its TCP streams and returns its HTTP exchanges in the order
/// their first message appears.
///
/// Each record is paired as the reassembly stage emits it and then dropped: memory holds the
/// exchanges (the result) and the open streams, not every reassembled message with its layers.
pub fn analyse(input: impl AsRef<Path>) -> crate::Result<Vec<HttpExchange>> {
    let opts = ReassemblyOptions::new(Kinds::ALL);
    let mut pairing = Pairing::default();
    each_record(input.as_ref(), &opts, |record| pairing.add(&record))?;
    Ok(pairing.out)
}
