//! Memory of reassembly records kept across records on one thread.
//!
//! The report hands each record back once it is written ([`recycle`]); the stage builds the
//! next records in that memory: the record's box, its frame list, its re-dissection's layer
//! and span vectors, and the boxes (with their strings) of HTTP layers it copies from a
//! frame. Where records are not handed back (a library caller keeps them, the report runs on
//! another thread), everything is allocated as before. Each list is bounded ([`KEPT`], and
//! [`MAX_FRAME_LIST`] for a frame list's capacity), so this holds little memory.

use super::record::Reassembled;
use crate::model::{Frame, Http, Layer, Raw};
use std::cell::RefCell;

/// The most items of each kind kept.
const KEPT: usize = 32;

/// What an HTTP layer taken out of a kept frame's layers is replaced with.
const EMPTY: Layer = Layer::Raw(Raw {
    header_len: 0,
    payload_len: 0,
});

/// The largest frame list (capacity) kept: longer messages are rare.
const MAX_FRAME_LIST: usize = 256;

/// What is kept, each list emptied of its values but not of its memory.
struct Spare {
    /// Record boxes holding no memory of their own.
    #[expect(clippy::vec_box, reason = "a pool of the boxes records travel in")]
    records: Vec<Box<Reassembled>>,
    /// Empty frame-number lists.
    frame_lists: Vec<Vec<u64>>,
    /// Frames with empty layer and span vectors, every other field at its default.
    frames: Vec<Frame>,
    /// HTTP layers, overwritten by [`http_copy`].
    #[expect(clippy::vec_box, reason = "a pool of the boxes `Layer::Http` holds")]
    http: Vec<Box<Http>>,
}

thread_local! {
    static SPARE: RefCell<Spare> = const {
        RefCell::new(Spare {
            records: Vec::new(),
            frame_lists: Vec::new(),
            frames: Vec::new(),
            http: Vec::new(),
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
    let frame = std::mem::take(&mut record.frame);
    // Rarely allocated: dropped, so a kept box holds no memory.
    drop(std::mem::take(&mut record.missing));
    drop(std::mem::take(&mut record.anomalies));
    with(|spare| {
        if frames.capacity() > 0
            && frames.capacity() <= MAX_FRAME_LIST
            && spare.frame_lists.len() < KEPT
        {
            frames.clear();
            spare.frame_lists.push(std::mem::take(&mut frames));
        }
        if spare.frames.len() < KEPT {
            let Frame {
                mut layers,
                mut spans,
                ..
            } = frame;
            for layer in &mut layers {
                // Only HTTP layers are taken out (moving every layer costs more).
                if matches!(layer, Layer::Http(_))
                    && spare.http.len() < KEPT
                    && let Layer::Http(http) = std::mem::replace(layer, EMPTY)
                {
                    spare.http.push(http);
                }
            }
            layers.clear();
            spans.clear();
            spare.frames.push(Frame {
                layers,
                spans,
                ..Frame::default()
            });
        }
        if spare.records.len() < KEPT {
            spare.records.push(record);
        }
    });
}

/// `record` in a box, a kept one when there is one.
pub(crate) fn boxed(record: Reassembled) -> Box<Reassembled> {
    match with(|spare| spare.records.pop()).flatten() {
        Some(mut spare) => {
            *spare = record;
            spare
        }
        None => Box::new(record),
    }
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
    with(|spare| spare.frames.pop())
        .flatten()
        .unwrap_or_else(|| Frame {
            layers: Vec::with_capacity(4),
            spans: Vec::with_capacity(4),
            ..Frame::default()
        })
}

/// A boxed copy of `from`, written over a kept HTTP layer (its strings' memory reused) when
/// there is one.
pub(crate) fn http_copy(from: &Http) -> Box<Http> {
    let Some(mut to) = with(|spare| spare.http.pop()).flatten() else {
        return Box::new(from.clone());
    };
    copy_http(&mut to, from);
    to
}

/// Makes `to` equal to `from`, reusing `to`'s strings and header list.
fn copy_http(to: &mut Http, from: &Http) {
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
    to.kind = *kind;
    to.method.clone_from(method);
    to.target.clone_from(target);
    to.version.clone_from(version);
    to.status = *status;
    to.reason.clone_from(reason);
    to.headers.truncate(headers.len());
    let reused = to.headers.len();
    for ((to_name, to_value), (name, value)) in to.headers.iter_mut().zip(headers) {
        to_name.clone_from(name);
        to_value.clone_from(value);
    }
    to.headers
        .extend(headers.get(reused..).unwrap_or_default().iter().cloned());
    to.body_len = *body_len;
    to.header_len = *header_len;
    to.payload_len = *payload_len;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HttpKind, Span};
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

    /// A copy over a kept layer equals the original whatever the kept one held (more or
    /// fewer headers, the other kind).
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
            let mut to = kept.clone();
            copy_http(&mut to, from);
            assert_eq!(&to, from);
        }
    }

    /// A recycled record's box, frame list, layer vectors and HTTP layer come back empty with
    /// their memory; what is built in them equals what would be built anew.
    #[test]
    fn recycled_memory_comes_back_empty() {
        let layers = vec![
            Layer::Http(Box::new(http(HttpKind::Request, &[("Host", "a")]))),
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
        assert_eq!(*http_copy(&response), response);

        let fresh = record(Vec::new(), vec![4]);
        let again = boxed(*fresh.clone());
        assert_eq!(&*again as *const Reassembled, box_at, "the same box");
        assert_eq!(again, fresh);
    }
}
