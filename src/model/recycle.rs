//! Memory of per-frame model vectors kept across frames on one thread.
//!
//! A single-threaded engine keeps one [`Frame`](super::Frame) for the whole capture and hands
//! its layers back here ([`recycle_layers`]) before dissecting the next frame; the builders
//! take their vectors from here ([`tcp_options`]) instead of allocating and freeing one a frame.
//! Where nothing is handed back (the parallel engines' workers), the builders allocate as
//! before.

use super::{Layer, TcpOption};
use std::cell::RefCell;

/// The most option lists kept (a frame has a TCP layer or two; tunnels nest a few more).
const KEPT: usize = 16;

thread_local! {
    /// Empty TCP option lists with their memory, from earlier frames on this thread.
    static TCP_OPTIONS: RefCell<Vec<Vec<TcpOption>>> = const { RefCell::new(Vec::new()) };
}

/// An empty TCP option list with room for `capacity` options: the memory of a list recycled
/// earlier on this thread when there is one.
pub fn tcp_options(capacity: usize) -> Vec<TcpOption> {
    let mut list = TCP_OPTIONS
        .with(|kept| kept.try_borrow_mut().ok().and_then(|mut kept| kept.pop()))
        .unwrap_or_default();
    list.reserve(capacity);
    list
}

/// Empties `layers` (as `clear` does), keeping the memory of their TCP option lists for
/// [`tcp_options`].
pub fn recycle_layers(layers: &mut Vec<Layer>) {
    TCP_OPTIONS.with(|kept| {
        let Ok(mut kept) = kept.try_borrow_mut() else {
            return;
        };
        // In place: moving each layer out to look at it costs more than the lists save.
        for layer in layers.iter_mut() {
            if let Layer::Tcp(tcp) = layer
                && tcp.options.capacity() > 0
                && kept.len() < KEPT
            {
                let mut list = std::mem::take(&mut tcp.options);
                list.clear();
                kept.push(list);
            }
        }
    });
    layers.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Tcp, TcpFlags, Udp};

    fn tcp(options: Vec<TcpOption>) -> Layer {
        Layer::Tcp(Tcp {
            src_port: 1,
            dst_port: 2,
            seq: 0,
            ack: 0,
            data_offset: 5,
            flags: TcpFlags(0x010),
            window: 0,
            checksum: 0,
            urgent: 0,
            options,
            header_len: 20,
            payload_len: 0,
        })
    }

    /// A recycled list comes back empty with its memory; the layers are gone; without recycled
    /// lists a new one is allocated; at most `KEPT` lists are kept.
    #[test]
    fn option_lists_come_back_empty_with_their_memory() {
        let list = vec![TcpOption::Nop, TcpOption::Mss { value: 1460 }];
        let address = list.as_ptr();
        let mut layers = vec![
            tcp(list),
            Layer::Udp(Udp {
                src_port: 1,
                dst_port: 2,
                len: 8,
                checksum: 0,
                header_len: 8,
                payload_len: 0,
            }),
            tcp(Vec::new()),
        ];
        recycle_layers(&mut layers);
        assert!(layers.is_empty());
        let again = tcp_options(2);
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), address, "the same memory");
        let fresh = tcp_options(3);
        assert!(fresh.is_empty() && fresh.capacity() >= 3);
        let mut many: Vec<Layer> = (0..KEPT + 5).map(|_| tcp(vec![TcpOption::Nop])).collect();
        recycle_layers(&mut many);
        assert_eq!(TCP_OPTIONS.with(|kept| kept.borrow().len()), KEPT);
    }
}
