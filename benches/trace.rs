//! Cost of `--trace`, in frames per second.
//!
//! - `trace/dissect`: the native dissector alone over frames in memory (the baseline).
//! - `trace/dissect+table`: plus the flow table alone (what every frame costs to place: the
//!   locator, the table, timers; no files).
//! - `trace/dissect+stage`: plus the whole trace stage into a folder under `/dev/shm` when it
//!   exists (else the system temp folder): one pcap per flow, the index.
//!
//! Input: as `benches/native.rs` (the 100,000-packet mixed capture from
//! `../shared/tools/gen_mix.py`, or `PCAPKIT_BENCH_INPUT=FILE`).
//!
//! Run: `cargo bench --bench trace` (sample size 10).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit::capture::CaptureInfo;
use pcapkit::engine::native::NativeDissector;
use pcapkit::engine::{DissectOptions, Dissector};
use pcapkit::pipeline::Stage;
use pcapkit::trace::packet::{self, Fragments};
use pcapkit::trace::table::{FlowTable, TableLimits};
use pcapkit::trace::{TraceOptions, TraceStage};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod common;

use common::{OwnedFrame, bench_input, load};

/// What each frame goes through after dissection.
#[derive(Clone, Copy)]
enum Step {
    Dissect,
    Table,
    Stage,
}

fn run(info: &CaptureInfo, frames: &[OwnedFrame], step: Step, dir: &Path) -> usize {
    let opts = DissectOptions::default();
    let mut table = FlowTable::new(TableLimits::default());
    let mut frags = Fragments::default();
    let mut stage = match step {
        Step::Stage => {
            let _ = std::fs::remove_dir_all(dir);
            Some(TraceStage::new(dir, info, &TraceOptions::default()).expect("trace folder"))
        }
        _ => None,
    };
    let (mut out, mut ended, mut records) = (Vec::new(), Vec::new(), 0);
    for f in frames {
        let raw = f.raw();
        let frame = NativeDissector.dissect(&raw, &opts);
        match (step, stage.as_mut()) {
            (Step::Table, _) => {
                if let Some(seen) = packet::locate(&raw, &frame, false, &mut frags) {
                    let name = |_, _, _, _| String::new();
                    table.observe(&seen, raw.number, raw.timestamp, raw.len, name, &mut ended);
                    records += ended.len();
                    ended.clear();
                }
            }
            (Step::Stage, Some(stage)) => {
                stage.frame(&raw, &frame, &mut out);
                records += out.len();
                out.clear();
            }
            _ => {}
        }
        black_box(frame);
    }
    if let Some(stage) = stage.as_mut() {
        stage.finish(&mut out);
        records += out.len();
    }
    records
}

fn trace(c: &mut Criterion) {
    let path = bench_input().expect("bench input");
    let (info, frames) = load(&path).expect("bench input");
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("pcapkit-bench-trace-{}", std::process::id()));
    let mut group = c.benchmark_group("trace");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(frames.len() as u64));
    for (name, step) in [
        ("dissect", Step::Dissect),
        ("dissect+table", Step::Table),
        ("dissect+stage", Step::Stage),
    ] {
        group.bench_function(name, |b| b.iter(|| run(&info, &frames, step, &dir)));
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, trace);
criterion_main!(benches);
