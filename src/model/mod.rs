//! The unified frame model shared by every engine and every dumper.
//!
//! A [`Frame`] holds the capture record's metadata and one typed [`Layer`] record per
//! dissected protocol. Field names are the JSON/plist keys promised to users (DESIGN.md).

mod access;
mod addr;
mod frame;
mod layer;
mod proto;
pub mod recycle;
mod summary;
mod tagged;
mod time;

pub use access::LayerRecord;
pub use addr::{AnyAddr, EtherType, HexBytes, MacAddr};
pub use frame::{Frame, FrameError, LinkType, Span};
pub use layer::*;
pub use proto::{Level, ProtoId};
pub use summary::{LimitHits, ProtocolCounts, Summary};
pub use time::Timestamp;
