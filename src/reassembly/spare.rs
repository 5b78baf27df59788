//! Memory of reassembly records kept across records on one thread.
//!
//! The report hands each record back once it is written ([`recycle`]); the stage builds the
//! next records in that memory: the record's box, its frame list and its re-dissection's layer
//! and span vectors. The layers themselves go back to [`model::recycle`] (TCP option lists,
//! DNS, HTTP and ARP boxes with their strings), which the dissectors and [`http_copy`] take
//! them from. Where records are not handed back (a library caller keeps them, the report runs
//! on another thread), everything is allocated as before. Each list is bounded ([`KEPT`]), and
//! so is what a kept item may hold ([`MAX_FRAME_LIST`] for a frame list,
//! [`recycle::MAX_ITEMS`] for a layer or span vector), so this holds little memory.
//!
//! [`model::recycle`]: crate::model::recycle

use super::record::Reassembled;
use crate::model::recycle::{self, MAX_ITEMS};
use crate::model::{Frame, Http, Layer, Span};
use std::cell::RefCell;

/// The most items of each kind kept.
const KEPT: usize = 32;

/// The largest frame list (capacity) kept: longer messages are rare.
const MAX_FRAME_LIST: usize = 256;

/// What is kept, each list emptied of its values but not of its memory.
struct Spare {
    /// Record boxes holding no memory of their own.
    #[expect(clippy::vec_box, reason = "a pool of the boxes records travel in")]
    records: Vec<Box<Reassembled>>,
    /// Empty frame-number lists.
    frame_lists: Vec<Vec<u64>>,
    /// Empty layer and span vectors of a frame (a pair moves in fewer bytes than a frame).
    frames: Vec<(Vec<Layer>, Vec<Span>)>,
}

thread_local! {
    static SPARE: RefCell<Spare> = const {
        RefCell::new(Spare {
            records: Vec::new(),
            frame_lists: Vec::new(),
            frames: Vec::new(),
        })
    };
}

/// Runs `f` on this thread's spares; `None` when they are in use (never, in practice).
fn with<R>(f: impl FnOnce(&mut Spare) -> R) -> Option<R> {
    SPARE.with(|spare| spare.try_borrow_mut().ok().map(|mut spare| f(&mut spare)))
}

/// Keeps the memory of `record`, which the caller is done with, for the next records.
pub(crate) fn recycle(mut record: Box<Reassembled>) {
    let mut frames = std::mem::take(&mut record.frames);
    let mut layers = std::mem::take(&mut record.frame.layers);
    let mut spans = std::mem::take(&mut record.frame.spans);
    // Rarely allocated: dropped, so a kept box holds no memory.
    record.frame.error = None;
    drop(std::mem::take(&mut record.missing));
    drop(std::mem::take(&mut record.anomalies));
    // The layers' own memory goes back to the dissectors' pool (emptying `layers`).
    recycle::recycle_layers(&mut layers);
    spans.clear();
    with(|spare| {
        if frames.capacity() > 0
            && frames.capacity() <= MAX_FRAME_LIST
            && spare.frame_lists.len() < KEPT
        {
            frames.clear();
            spare.frame_lists.push(std::mem::take(&mut frames));
        }
        if spare.frames.len() < KEPT
            && layers.capacity() <= MAX_ITEMS
            && spans.capacity() <= MAX_ITEMS
        {
            spare.frames.push((layers, spans));
        }
        if spare.records.len() < KEPT {
            spare.records.push(record);
        }
    });
}

/// `record` in a box, a kept one when there is one.
pub(crate) fn boxed(record: Reassembled) -> Box<Reassembled> {
    recycle::boxed(with(|spare| spare.records.pop()).flatten(), record)
}

/// An empty frame-number list, with the memory of a kept one when there is one.
pub(crate) fn frame_list() -> Vec<u64> {
    with(|spare| spare.frame_lists.pop())
        .flatten()
        .unwrap_or_default()
}

/// A frame with every field at its default and room for a few layers: a kept one's memory
/// when there is one (what `dissect_from_into` fills).
pub(crate) fn frame() -> Frame {
    let (layers, spans) = with(|spare| spare.frames.pop())
        .flatten()
        .unwrap_or_else(|| (Vec::with_capacity(4), Vec::with_capacity(4)));
    Frame {
        layers,
        spans,
        ..Frame::default()
    }
}

/// A boxed copy of `from`, in a recycled HTTP layer's box and header list with recycled
/// strings ([`recycle::http`], [`recycle::text`]) when there are some.
pub(crate) fn http_copy(from: &Http) -> Box<Http> {
    let Some(mut kept) = recycle::http() else {
        return Box::new(from.clone());
    };
    // Every field by name: a field added to `Http` must be copied here too.
    let Http {
        kind,
        method,
        target,
        version,
        status,
        reason,
        headers,
        body_len,
        header_len,
        payload_len,
    } = from;
    let mut list = std::mem::take(&mut kept.headers);
    list.clear();
    list.extend(
        headers
            .iter()
            .map(|(name, value)| (recycle::text(name), recycle::text(value))),
    );
    let text = |s: &Option<String>| s.as_deref().map(recycle::text);
    let copy = Http {
        kind: *kind,
        method: text(method),
        target: text(target),
        version: recycle::text(version),
        status: *status,
        reason: text(reason),
        headers: list,
        body_len: *body_len,
        header_len: *header_len,
        payload_len: *payload_len,
    };
    recycle::boxed(Some(kept), copy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HttpKind, Layer, Raw, Span};
    use crate::reassembly::{Key, Kind};
    use std::net::{IpAddr, Ipv4Addr};

    fn http(kind: HttpKind, headers: &[(&str, &str)]) -> Http {
        Http {
            kind,
            method: (kind == HttpKind::Request).then(|| "GET".to_string()),
            target: (kind == HttpKind::Request).then(|| "/index.html".to_string()),
            version: "HTTP/1.1".to_string(),
            status: (kind == HttpKind::Response).then_some(200),
            reason: (kind == HttpKind::Response).then(|| "OK".to_string()),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body_len: 7,
            header_len: 60,
            payload_len: 7,
        }
    }

    fn record(layers: Vec<Layer>, frames: Vec<u64>) -> Box<Reassembled> {
        let spans = vec![Span::default(); layers.len()];
        Box::new(Reassembled {
            kind: Kind::Tcp,
            key: Key::Ip {
                src: IpAddr::V4(Ipv4Addr::LOCALHOST),
                dst: IpAddr::V4(Ipv4Addr::BROADCAST),
                protocol: 6,
                id: 9,
            },
            frames,
            complete: true,
            missing: vec![[1, 2]],
            anomalies: Vec::new(),
            len: 10,
            frame: Frame {
                number: 5,
                len: 10,
                cap_len: 10,
                layers,
                spans,
                ..Frame::default()
            },
        })
    }

    /// A copy in a recycled layer's box equals the original whatever the recycled one held
    /// (more or fewer headers, the other kind); without one it is a plain clone.
    #[test]
    fn http_copies_equal_their_original() {
        let request = http(
            HttpKind::Request,
            &[("Host", "example.com"), ("Accept", "*/*"), ("X", "y")],
        );
        let response = http(HttpKind::Response, &[("Content-Length", "7")]);
        for (kept, from) in [
            (&request, &response),
            (&response, &request),
            (&request, &request),
        ] {
            let old = Box::new(kept.clone());
            let at = &*old as *const Http;
            recycle::recycle_layers(&mut vec![Layer::Http(old)]);
            let copy = http_copy(from);
            assert_eq!(&*copy, from);
            assert_eq!(&*copy as *const Http, at, "the recycled box");
        }
        assert_eq!(*http_copy(&request), request);
    }

    /// A recycled record's box, frame list, layer vectors and HTTP layer come back empty with
    /// their memory; what is built in them equals what would be built anew.
    #[test]
    fn recycled_memory_comes_back_empty() {
        let request = Box::new(http(HttpKind::Request, &[("Host", "a")]));
        let http_at = &*request as *const Http;
        let layers = vec![
            Layer::Http(request),
            Layer::Raw(Raw {
                header_len: 0,
                payload_len: 3,
            }),
        ];
        let old = record(layers, vec![1, 2, 3]);
        let (box_at, frames_at) = (&*old as *const Reassembled, old.frames.as_ptr());
        let layers_at = old.frame.layers.as_ptr();
        recycle(old);

        let frames = frame_list();
        assert!(frames.is_empty());
        assert_eq!(frames.as_ptr(), frames_at, "the same frame list");
        let frame = frame();
        assert_eq!(frame.layers.as_ptr(), layers_at, "the same layer vector");
        assert!(frame.layers.is_empty() && frame.spans.is_empty());
        assert_eq!(
            Frame {
                layers: Vec::new(),
                spans: Vec::new(),
                ..frame.clone()
            },
            Frame::default()
        );
        let response = http(HttpKind::Response, &[("Server", "x"), ("Date", "now")]);
        let copy = http_copy(&response);
        assert_eq!(*copy, response);
        assert_eq!(&*copy as *const Http, http_at, "the same HTTP box");

        let fresh = record(Vec::new(), vec![4]);
        let again = boxed(*fresh.clone());
        assert_eq!(&*again as *const Reassembled, box_at, "the same box");
        assert_eq!(again, fresh);
    }

    /// What a kept item may hold is bounded: layer and span vectors with room for more than
    /// `MAX_ITEMS` are freed, and an HTTP layer's header list is cut down to that room.
    #[test]
    fn kept_memory_is_capped() {
        let headers: Vec<(String, String)> = (0..200)
            .map(|i| (format!("H{i}"), "v".repeat(2000)))
            .collect();
        let big = Http {
            headers,
            ..http(HttpKind::Request, &[])
        };
        let mut layers = Vec::with_capacity(MAX_ITEMS + 1);
        layers.push(Layer::Http(Box::new(big)));
        recycle(record(layers, vec![1]));
        assert_eq!(with(|spare| spare.frames.len()), Some(0), "not kept");
        let kept = recycle::http().expect("the HTTP box is kept");
        assert!(kept.headers.is_empty() && kept.headers.capacity() <= MAX_ITEMS);

        let mut spans = Vec::with_capacity(MAX_ITEMS + 1);
        spans.push(Span::default());
        let mut small = record(Vec::new(), vec![1]);
        small.frame.spans = spans;
        recycle(small);
        assert_eq!(with(|spare| spare.frames.len()), Some(0), "not kept");
        recycle(record(Vec::new(), vec![1]));
        assert_eq!(with(|spare| spare.frames.len()), Some(1), "kept");
    }
}
