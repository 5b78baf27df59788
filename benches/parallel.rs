//! Throughput of the parallel engines against native, end to end, in frames per second.
//!
//! - `parallel/native`: `Extractor::open(..).run_into(NdjsonDumper(BackgroundWriter(io::sink())))`.
//! - `parallel/server_<N>`: the same with `-E server --threads N`, N = 1 .. the available cores
//!   (at least 2).
//! - `parallel/pipeline`: the same with `-E pipeline`.
//!
//! The report goes through a `BackgroundWriter` as the CLI's does, so the write thread is part
//! of the measurement. Input: as `benches/native.rs` (a 100,000-packet mixed capture from
//! `../shared/tools/gen_mix.py`, else `pcapkit::synth`; `PCAPKIT_BENCH_INPUT=FILE` for another).
//!
//! Run: `cargo bench --bench parallel` (about a minute; sample size 10). On a shared machine
//! compare runs made back to back only.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit::EngineKind;
use pcapkit::capture::CaptureReader;
use pcapkit::dump::{BackgroundWriter, NdjsonDumper};
use std::hint::black_box;
use std::io;
use std::time::Duration;

// Only the input is shared with the other benches (not the frames loaded into memory).
#[allow(dead_code)]
mod common;

use common::bench_input;

fn parallel(c: &mut Criterion) {
    let path = match bench_input() {
        Ok(path) => path,
        Err(e) => {
            eprintln!("parallel bench skipped: cannot prepare the input: {e}");
            return;
        }
    };
    let frames = match CaptureReader::open(&path) {
        Ok(mut reader) => std::iter::from_fn(|| reader.next_frame().map(|_| ())).count() as u64,
        Err(e) => {
            eprintln!(
                "parallel bench skipped: cannot read {}: {e}",
                path.display()
            );
            return;
        }
    };
    let cores = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .max(2);
    let mut runs: Vec<(String, EngineKind, usize)> = vec![("native".into(), EngineKind::Native, 0)];
    runs.extend((1..=cores).map(|n| (format!("server_{n}"), EngineKind::Server, n)));
    runs.push(("pipeline".into(), EngineKind::Pipeline, 0));
    let mut group = c.benchmark_group("parallel");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(frames));
    for (name, engine, threads) in runs {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut dumper = NdjsonDumper::new(BackgroundWriter::new(io::sink()));
                let done = pcapkit::Extractor::open(&path)
                    .expect("open the bench input")
                    .engine(engine)
                    .threads(threads)
                    .run_into(Some(&mut dumper))
                    .expect("write to io::sink");
                black_box(done.summary)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parallel);
criterion_main!(benches);
