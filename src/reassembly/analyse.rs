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
    let mut out = Vec::new();
    for record in records {
        pairing.add(record);
        pairing.release(false, |e| out.push(e));
    }
    pairing.release(true, |e| out.push(e));
    out
}

/// Exchanges held at most while waiting for the oldest one's response: past it the oldest is
/// given out unanswered (a response arriving later becomes an exchange of its own).
pub const MAX_HELD: usize = 65_536;

/// The exchanges not given out yet (in first-message order), and per connection the requests
/// still waiting for a response.
#[derive(Default)]
struct Pairing {
    out: VecDeque<HttpExchange>,
    /// Position, in the order of all exchanges, of `out[0]`.
    base: usize,
    /// Positions (in that order) of the unanswered requests of each connection (no entry: none).
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
                let position = self.base + out.len();
                self.waiting.entry(stream).or_default().push_back(position);
                let mut exchange = new(from, to);
                exchange.request = Some(message);
                out.push_back(exchange);
            }
            HttpKind::Response => {
                let interim = http.status.is_some_and(|s| (100..200).contains(&s));
                let pending = match self.waiting.get_mut(&stream) {
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
                let held = self.base..self.base + out.len();
                let mut pending = pending.filter(|i| held.contains(i)).map(|i| i - self.base);
                if pending.is_none() {
                    // A response whose request the capture does not have (or was given out
                    // unanswered past MAX_HELD).
                    out.push_back(new(to, from));
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

impl Pairing {
    /// Gives out, in order, the exchanges at the front that are done (answered, or a response
    /// alone); with `all`, every exchange; and the oldest beyond [`MAX_HELD`].
    fn release(&mut self, all: bool, mut give: impl FnMut(HttpExchange)) {
        while let Some(front) = self.out.front() {
            let done = front.response.is_some() || front.request.is_none();
            if !(all || done || self.out.len() > MAX_HELD) {
                break;
            }
            if let Some(exchange) = self.out.pop_front() {
                self.base += 1;
                give(exchange);
            }
        }
    }
}

/// Reads `input`, reassembles its TCP streams and returns its HTTP exchanges in the order
/// their first message appears (see [`analyse_each`] to take them as they are paired).
pub fn analyse(input: impl AsRef<Path>) -> crate::Result<Vec<HttpExchange>> {
    let mut out = Vec::new();
    analyse_each(input, |exchange| out.push(exchange))?;
    Ok(out)
}

/// Reads `input` and hands each HTTP exchange to `take`, in the order their first message
/// appears, as soon as it and every exchange before it are answered.
///
/// Each record is paired as the reassembly stage emits it and then dropped: memory holds the
/// open streams and the exchanges waiting behind an unanswered request (at most
/// [`MAX_HELD`]), not the capture's exchanges.
pub fn analyse_each(
    input: impl AsRef<Path>,
    mut take: impl FnMut(HttpExchange),
) -> crate::Result<()> {
    let opts = ReassemblyOptions::new(Kinds::ALL);
    let mut pairing = Pairing::default();
    each_record(input.as_ref(), &opts, |record| {
        pairing.add(&record);
        pairing.release(false, &mut take);
    })?;
    pairing.release(true, &mut take);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn exchange(stream: u64, answered: bool) -> HttpExchange {
        let message = HttpMessage {
            method: None,
            target: None,
            status: None,
            reason: None,
            version: "HTTP/1.1".into(),
            headers: Vec::new(),
            header_len: 0,
            body_len: 0,
            frames: Vec::new(),
            complete: true,
            offset: 0,
        };
        HttpExchange {
            stream,
            client: Ipv4Addr::LOCALHOST.into(),
            client_port: 1,
            server: Ipv4Addr::LOCALHOST.into(),
            server_port: 2,
            request: Some(message.clone()),
            interim: Vec::new(),
            response: answered.then_some(message),
        }
    }

    #[test]
    fn exchanges_leave_in_order_once_everything_before_them_is_answered() {
        let mut pairing = Pairing::default();
        pairing
            .out
            .extend([exchange(0, false), exchange(1, true), exchange(2, true)]);
        let mut given = Vec::new();
        pairing.release(false, |e| given.push(e.stream));
        assert!(
            given.is_empty(),
            "stream 0 is unanswered: nothing passes it"
        );
        pairing.out[0].response = pairing.out[1].response.clone();
        pairing.release(false, |e| given.push(e.stream));
        assert_eq!(given, [0, 1, 2]);
        assert_eq!(pairing.base, 3);
        // Past the bound the oldest leaves unanswered; `all` empties the rest.
        pairing
            .out
            .extend((0..=MAX_HELD as u64).map(|s| exchange(s, false)));
        pairing.release(false, |e| given.push(e.stream));
        assert_eq!((given.len(), pairing.out.len()), (4, MAX_HELD));
        pairing.release(true, |_| {});
        assert!(pairing.out.is_empty());
    }
}
