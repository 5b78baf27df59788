//! Throughput of the native path, stage by stage, in frames per second.
//!
//! - `read`: the streaming capture reader alone (`CaptureReader::next_frame`).
//! - `dissect`: the native dissector over frames already in memory.
//! - `dissect_ndjson`: dissect + NDJSON encoding into `io::sink()` (frames in memory).
//! - `end_to_end`: `Extractor::open(..).run_into(NdjsonDumper(io::sink()))`: read, dissect, encode.
//!
//! Input: a 100,000-packet mixed capture from `../shared/tools/gen_mix.py` (generated once into
//! the target directory, then reused); without python3 or the generator, the repository's
//! synthetic sample conversation repeated to 100,000 frames (forced with `PCAPKIT_BENCH_SYNTH=1`).
//! `PCAPKIT_BENCH_INPUT=FILE` benches any other capture instead.
//!
//! Run: `cargo bench --bench native` (about a minute; sample size 10).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit::capture::CaptureReader;
use pcapkit::dump::NdjsonDumper;
use pcapkit::engine::native::NativeDissector;
use pcapkit::engine::{DissectOptions, Dissector, FrameSink};
use std::hint::black_box;
use std::io::{self};
use std::time::Duration;

mod common;

use common::{bench_input, load};

fn native(c: &mut Criterion) {
    let path = match bench_input() {
        Ok(path) => path,
        Err(e) => {
            eprintln!("native bench skipped: cannot prepare the input: {e}");
            return;
        }
    };
    let frames = match load(&path) {
        Ok((_, frames)) if !frames.is_empty() => frames,
        Ok(_) => {
            eprintln!("native bench skipped: {} has no frames", path.display());
            return;
        }
        Err(e) => {
            eprintln!("native bench skipped: cannot read {}: {e}", path.display());
            return;
        }
    };
    let count = frames.len() as u64;
    let bytes: usize = frames.iter().map(|f| f.data.len()).sum();
    eprintln!(
        "input: {} ({count} frames, {bytes} captured bytes)",
        path.display()
    );

    let mut group = c.benchmark_group("native");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(count));

    group.bench_function("read", |b| {
        b.iter(|| {
            let mut reader = CaptureReader::open(&path).expect("open the bench input");
            let mut n = 0u64;
            while let Some(raw) = reader.next_frame() {
                n += u64::from(raw.cap_len());
            }
            black_box(n)
        })
    });

    let dissector = NativeDissector;
    let opts = DissectOptions::default();
    group.bench_function("dissect", |b| {
        b.iter(|| {
            for frame in &frames {
                black_box(dissector.dissect(&frame.raw(), &opts));
            }
        })
    });

    group.bench_function("dissect_ndjson", |b| {
        b.iter(|| {
            let mut dumper = NdjsonDumper::new(io::sink());
            for frame in &frames {
                let raw = frame.raw();
                let dissected = dissector.dissect(&raw, &opts);
                dumper.frame(&raw, &dissected).expect("write to io::sink");
            }
            black_box(dumper)
        })
    });

    group.bench_function("end_to_end", |b| {
        b.iter(|| {
            let mut dumper = NdjsonDumper::new(io::sink());
            let done = pcapkit::Extractor::open(&path)
                .expect("open the bench input")
                .run_into(Some(&mut dumper))
                .expect("write to io::sink");
            black_box(done.summary)
        })
    });

    group.finish();
}

criterion_group!(benches, native);
criterion_main!(benches);
