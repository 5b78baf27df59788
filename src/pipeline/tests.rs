//! Records of a test stage through every format, the iterator and the totals.

use super::{Record, RecordKind, Stage};
use crate::capture::{CaptureReader, RawFrame};
use crate::dump::Format;
use crate::model::{Frame, Summary};
use crate::{Extractor, synth};
use serde_json::{Value, json};

fn extractor() -> Extractor {
    let reader = CaptureReader::from_reader(
        "sample",
        Box::new(std::io::Cursor::new(synth::sample_pcap().unwrap())),
    )
    .unwrap();
    Extractor::new(reader)
}

/// Emits a `reassembly` record after every second frame, and a `flow` one at the end.
#[derive(Default)]
struct Every2 {
    seen: u64,
}

impl Stage for Every2 {
    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame, out: &mut Vec<Record>) {
        self.seen += 1;
        assert_eq!(raw.number, frame.number);
        if frame.number.is_multiple_of(2) {
            let value = json!({"record": "reassembly", "after": frame.number, "time": "x"});
            out.push(Record::Test(RecordKind::Reassembly, value));
        }
    }

    fn finish(&mut self, out: &mut Vec<Record>) {
        let value = json!({"record": "flow", "frames": self.seen});
        out.push(Record::Test(RecordKind::Flow, value));
    }

    fn summarize(&self, summary: &mut Summary) {
        summary.count_event("test.seen", self.seen);
    }
}

fn report(format: Format, stage: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut dumper = format.dumper(Box::new(&mut out));
    let mut extractor = extractor();
    if stage {
        extractor = extractor.stage(Box::<Every2>::default());
    }
    extractor.run_into(Some(dumper.as_mut())).unwrap();
    drop(dumper);
    out
}

#[test]
fn ndjson_writes_records_as_lines_after_their_frame() {
    let text = String::from_utf8(report(Format::Ndjson, true)).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let n = synth::sample_conversation().len() as u64;
    assert_eq!(lines.len() as u64, n + n / 2 + 1);
    assert_eq!(lines[0]["number"], 1);
    assert_eq!(lines[1]["number"], 2);
    assert_eq!(
        lines[2],
        json!({"record": "reassembly", "after": 2, "time": "x"})
    );
    assert_eq!(
        lines.last().unwrap(),
        &json!({"record": "flow", "frames": n})
    );
    let without = String::from_utf8(report(Format::Ndjson, false)).unwrap();
    let frames: Vec<&str> = text.lines().filter(|l| !l.contains("\"record\"")).collect();
    assert_eq!(frames.join("\n") + "\n", without);
}

#[test]
fn json_lists_records_in_sections_after_frames() {
    let bytes = report(Format::Json, true);
    let text = String::from_utf8_lossy(&bytes);
    let at = |key: &str| text.find(&format!("\"{key}\":[")).unwrap();
    assert!(at("frames") < at("reassembly") && at("reassembly") < at("flows"));
    assert!(at("flows") < text.find("\"summary\":").unwrap());
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    let n = synth::sample_conversation().len() as u64;
    assert_eq!(doc["reassembly"].as_array().unwrap().len() as u64, n / 2);
    assert_eq!(doc["reassembly"][0]["after"], 2);
    assert_eq!(doc["flows"][0]["frames"], n);
    assert_eq!(doc["summary"]["counters"]["test.seen"], n);
    let plain: Value = serde_json::from_slice(&report(Format::Json, false)).unwrap();
    assert_eq!(plain["frames"], doc["frames"]);
}

#[test]
fn plist_lists_records_in_sections_after_frames() {
    let doc = plist::Value::from_reader_xml(&report(Format::Plist, true)[..]).unwrap();
    let dict = doc.as_dictionary().unwrap();
    let keys: Vec<&str> = dict.keys().map(String::as_str).collect();
    assert_eq!(keys, ["file", "frames", "reassembly", "flows", "summary"]);
    let n = synth::sample_conversation().len();
    assert_eq!(dict["reassembly"].as_array().unwrap().len(), n / 2);
}

#[test]
fn tree_prints_records_after_their_frame_and_pcap_ignores_them() {
    let text = String::from_utf8(report(Format::Tree, true)).unwrap();
    let at = text.find("Record: reassembly\n").unwrap();
    assert!(text[..at].contains("Frame 2:") && !text[..at].contains("Frame 3:"));
    assert!(
        text[at..].contains("    after: 2\n"),
        "{}",
        &text[at..at + 200]
    );
    assert!(text.contains("Record: flow\n"));
    assert_eq!(report(Format::Pcap, true), report(Format::Pcap, false));
}

#[test]
fn the_iterator_yields_the_same_records_and_frames() {
    let records: Vec<Record> = extractor()
        .stage(Box::<Every2>::default())
        .records()
        .collect();
    let n = synth::sample_conversation().len();
    assert_eq!(records.len(), n + n / 2 + 1);
    assert_eq!(records[2].kind(), RecordKind::Reassembly);
    let frames: Vec<Frame> = extractor()
        .stage(Box::<Every2>::default())
        .frames()
        .collect();
    let from_records: Vec<Frame> = records
        .into_iter()
        .filter_map(|r| r.as_frame().cloned())
        .collect();
    assert_eq!(frames, from_records);
    let stored = extractor().store(true).run_into(None).unwrap().frames;
    assert_eq!(stored, frames);
}

#[test]
fn progress_reports_the_reader_position() {
    let total = synth::sample_pcap().unwrap().len() as u64;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    extractor()
        .progress(move |bytes| log.lock().unwrap().push(bytes))
        .run_into(None)
        .unwrap();
    assert_eq!(seen.lock().unwrap().last(), Some(&total));
}

#[test]
fn kinds_and_their_table_agree() {
    for (i, kind) in RecordKind::ALL.iter().enumerate() {
        assert_eq!(kind.index(), i);
        assert_eq!(RecordKind::NAMES[i].0, *kind);
    }
    assert_eq!(RecordKind::Flow.section(), "flows");
    assert_eq!(RecordKind::Reassembly.name(), "reassembly");
}
