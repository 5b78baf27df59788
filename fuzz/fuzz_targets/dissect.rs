//! Every engine's dissector on one raw frame: the first two bytes (big-endian) are the link
//! type, the rest the frame. No panic, no hang; the frame keeps its length and nesting stays
//! within the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pcapkit::EngineKind;
use pcapkit::capture::RawFrame;
use pcapkit::engine::DissectOptions;
use pcapkit::model::LinkType;

fuzz_target!(|data: &[u8]| {
    let Some((&[high, low], frame)) = data.split_first_chunk::<2>() else {
        return;
    };
    let link_type = LinkType(u32::from(u16::from_be_bytes([high, low])));
    let raw = RawFrame::whole(link_type, frame);
    let options = DissectOptions::default();
    for engine in EngineKind::ALL {
        let dissected = engine.dissector().dissect(&raw, &options);
        assert_eq!(dissected.cap_len as usize, frame.len());
        assert!(dissected.layers.len() <= options.max_layers + 1);
    }
});
