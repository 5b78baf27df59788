//! Cost of reassembly, in frames per second.
//!
//! - `reassembly/dissect`: the native dissector alone over frames in memory (the baseline).
//! - `reassembly/dissect+stage`: the same plus a [`ReassemblyStage`] with every reassembler on
//!   (records built and dropped).
//! - `reassembly/fragments_never_complete`: 100,000 first fragments of distinct datagrams that
//!   never complete, through the stage with its default bounds (eviction on every frame once
//!   full).
//!
//! Input: as `benches/native.rs` (the 100,000-packet mixed capture from
//! `../shared/tools/gen_mix.py`, or `PCAPKIT_BENCH_INPUT=FILE`).
//!
//! Run: `cargo bench --bench reassembly` (about a minute; sample size 10).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit::engine::native::NativeDissector;
use pcapkit::engine::{DissectOptions, Dissector};
use pcapkit::model::{LinkType, MacAddr};
use pcapkit::pipeline::Stage;
use pcapkit::reassembly::{ReassemblyOptions, ReassemblyStage};
use pcapkit::synth::{self, Ipv4Fields};
use std::hint::black_box;
use std::net::Ipv4Addr;
use std::time::Duration;

mod common;

use common::{OwnedFrame, bench_input, load};

/// Runs `frames` through the dissector and, with `stage`, the reassembly stage.
fn run(frames: &[OwnedFrame], stage: bool) -> usize {
    let opts = DissectOptions::default();
    let mut stage = stage.then(|| ReassemblyStage::new(ReassemblyOptions::default()));
    let mut out = Vec::new();
    let mut records = 0;
    for f in frames {
        let raw = f.raw();
        let frame = NativeDissector.dissect(&raw, &opts);
        if let Some(stage) = stage.as_mut() {
            stage.frame(&raw, &frame, &mut out);
            records += out.len();
            out.clear();
        }
        black_box(frame);
    }
    if let Some(stage) = stage.as_mut() {
        stage.finish(&mut out);
        records += out.len();
    }
    records
}

/// First fragments of `n` distinct datagrams (never completed).
fn fragment_flood(n: u32) -> Vec<OwnedFrame> {
    (0..n)
        .map(|i| {
            let fields = Ipv4Fields {
                src: Ipv4Addr::from(0x0a00_0000 | (i >> 16)),
                dst: Ipv4Addr::new(192, 0, 2, 1),
                proto: 17,
                id: i as u16,
                ttl: 64,
                df: false,
                mf: true,
                frag_offset: 0,
            };
            let ip = synth::ipv4(fields, &[0x5a; 64]);
            let data = synth::ethernet(MacAddr([2; 6]), MacAddr([4; 6]), 0x0800, &ip);
            OwnedFrame {
                number: u64::from(i) + 1,
                timestamp: Some(pcapkit::model::Timestamp::new(1_700_000_000, u64::from(i))),
                len: data.len() as u32,
                link_type: LinkType::ETHERNET,
                interface: None,
                data,
            }
        })
        .collect()
}

fn reassembly(c: &mut Criterion) {
    let frames = match bench_input().and_then(|p| load(&p).map_err(std::io::Error::other)) {
        Ok((_, frames)) if !frames.is_empty() => frames,
        _ => {
            eprintln!("reassembly bench skipped: no input");
            return;
        }
    };
    let mut group = c.benchmark_group("reassembly");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(frames.len() as u64));
    group.bench_function("dissect", |b| b.iter(|| run(&frames, false)));
    group.bench_function("dissect+stage", |b| b.iter(|| run(&frames, true)));
    let flood = fragment_flood(100_000);
    group.throughput(Throughput::Elements(flood.len() as u64));
    group.bench_function("fragments_never_complete", |b| b.iter(|| run(&flood, true)));
    group.finish();
}

criterion_group!(benches, reassembly);
criterion_main!(benches);
