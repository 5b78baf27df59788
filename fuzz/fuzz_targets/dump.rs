//! Each dumper on one dissected frame (link type selected by the first byte, as in `dissect`):
//! every format writes it; `json` and `ndjson` parse back with serde_json.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pcapkit::EngineKind;
use pcapkit::capture::{CaptureInfo, RawFrame};
use pcapkit::dump::Format;
use pcapkit::engine::DissectOptions;
use pcapkit::model::{LinkType, Summary};

#[path = "link_types.rs"]
mod link_types;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let link_type = LinkType(link_types::link_type(selector));
    let raw = RawFrame::whole(link_type, frame);
    let dissected = EngineKind::Native
        .dissector()
        .dissect(&raw, &DissectOptions::default());
    let info = CaptureInfo {
        path: "fuzz".into(),
        format: "pcap",
        version: "2.4".into(),
        byte_order: "little",
        ts_resolution: Some("ns"),
        snaplen: Some(65535),
        link_type: Some(link_type),
    };
    let mut summary = Summary::default();
    summary.add(&dissected);
    for &format in Format::ALL {
        let mut out = Vec::new();
        {
            let mut dumper = format.dumper(Box::new(&mut out));
            dumper.begin(&info).expect("begin");
            dumper.frame(&raw, &dissected).expect("frame");
            dumper.finish(&summary, None).expect("finish");
        }
        match format {
            Format::Json => {
                serde_json::from_slice::<serde_json::Value>(&out).expect("json parses back");
            }
            Format::Ndjson => {
                for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                    serde_json::from_slice::<serde_json::Value>(line).expect("ndjson parses back");
                }
            }
            _ => assert!(!out.is_empty(), "{format} wrote nothing"),
        }
    }
});
