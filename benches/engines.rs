//! Throughput of every engine (native, etherparse, pnet, pdu), in frames per second.
//!
//! - `engine_<name>/dissect`: the engine's dissector over frames already in memory (the mixed capture).
//! - `engine_<name>/dissect_hot`: the same over a small hot set (the 21-frame synthetic conversation,
//!   repeated to 10,000 frames: every frame in cache).
//! - `engine_<name>/end_to_end`: `Extractor::open(..).engine(kind).run_into(NdjsonDumper(io::sink()))`:
//!   read, dissect, encode NDJSON.
//!
//! Input: as `benches/native.rs`: a 100,000-packet mixed capture from `../shared/tools/gen_mix.py`
//! (generated once into the target directory), else `pcapkit::synth` repeated to 100,000 frames
//! (forced with `PCAPKIT_BENCH_SYNTH=1`); `PCAPKIT_BENCH_INPUT=FILE` benches any other capture.
//!
//! Run: `cargo bench --bench engines` (a few minutes; sample size 10).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit::dump::NdjsonDumper;
use pcapkit::engine::{DissectOptions, EngineKind};
use pcapkit::model::LinkType;
use std::hint::black_box;
use std::io::{self};
use std::time::Duration;

mod common;

use common::{OwnedFrame, bench_input, load};

fn engines(c: &mut Criterion) {
    let path = match bench_input() {
        Ok(path) => path,
        Err(e) => {
            eprintln!("engines bench skipped: cannot prepare the input: {e}");
            return;
        }
    };
    let frames = match load(&path) {
        Ok((_, frames)) if !frames.is_empty() => frames,
        Ok(_) => {
            eprintln!("engines bench skipped: {} has no frames", path.display());
            return;
        }
        Err(e) => {
            eprintln!("engines bench skipped: cannot read {}: {e}", path.display());
            return;
        }
    };
    let hot: Vec<OwnedFrame> = pcapkit::synth::sample_conversation()
        .into_iter()
        .cycle()
        .take(10_000)
        .enumerate()
        .map(|(i, f)| OwnedFrame {
            number: i as u64 + 1,
            timestamp: Some(f.timestamp),
            len: f.orig_len,
            link_type: LinkType::ETHERNET,
            interface: None,
            data: f.data,
        })
        .collect();
    eprintln!("input: {} ({} frames)", path.display(), frames.len());
    let opts = DissectOptions::default();
    for &kind in EngineKind::ALL {
        let dissector = kind.dissector();
        let mut group = c.benchmark_group(format!("engine_{}", kind.name()));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(5));
        group.throughput(Throughput::Elements(frames.len() as u64));
        group.bench_function("dissect", |b| {
            b.iter(|| {
                for frame in &frames {
                    black_box(dissector.dissect(&frame.raw(), &opts));
                }
            })
        });
        group.throughput(Throughput::Elements(hot.len() as u64));
        group.bench_function("dissect_hot", |b| {
            b.iter(|| {
                for frame in &hot {
                    black_box(dissector.dissect(&frame.raw(), &opts));
                }
            })
        });
        group.throughput(Throughput::Elements(frames.len() as u64));
        group.bench_function("end_to_end", |b| {
            b.iter(|| {
                let mut dumper = NdjsonDumper::new(io::sink());
                let done = pcapkit::Extractor::open(&path)
                    .expect("open the bench input")
                    .engine(kind)
                    .run_into(Some(&mut dumper))
                    .expect("write to io::sink");
                black_box(done.summary)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, engines);
criterion_main!(benches);
