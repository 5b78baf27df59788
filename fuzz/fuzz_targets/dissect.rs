//! Every engine's dissector on one raw frame: the first byte selects the link type (from the
//! table of `link_types.rs`: every link type the native dissector decodes), the rest is the
//! frame. No panic, no hang; the frame keeps its length and nesting stays
//! within the limit (IPv6 extension headers apart: at most 256 of them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pcapkit::EngineKind;
use pcapkit::capture::RawFrame;
use pcapkit::engine::DissectOptions;
use pcapkit::model::{LinkType, ProtoId};

#[path = "link_types.rs"]
mod link_types;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let link_type = LinkType(link_types::link_type(selector));
    let raw = RawFrame::whole(link_type, frame);
    let options = DissectOptions::default();
    for engine in EngineKind::ALL {
        let dissected = engine.dissector().dissect(&raw, &options);
        assert_eq!(dissected.cap_len as usize, frame.len());
        // IPv6 extension headers do not count towards `max_layers` (256 of them at most).
        let extensions = dissected
            .layers
            .iter()
            .filter(|l| {
                matches!(
                    l.proto(),
                    ProtoId::HopOpt | ProtoId::Ipv6Opts | ProtoId::Ipv6Route | ProtoId::Ipv6Frag
                )
            })
            .count();
        assert!(extensions <= 256);
        assert!(dissected.layers.len() - extensions <= options.max_layers + 1);
    }
});
