//! Throughput of the Arrow and Parquet paths, in rows (frames) per second:
//! - `columns`: building Arrow batches of 65,536 rows from frames dissected beforehand;
//! - `parquet_dumper`: the same frames through `-f parquet`'s dumper into `io::sink()`
//!   (columns, zstd encoding, row groups);
//! - `frame_batches`: `FrameBatches` over the input file (reading, dissecting, columns).
//!
//! Input: the shared bench input (`benches/common`: the 100,000-packet gen_mix.py capture, or
//! the synthetic sample conversation repeated; `PCAPKIT_BENCH_INPUT=FILE` for another).
//!
//! Run: `cargo bench --features parquet --bench arrow` (sample size 10).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit::arrow::{DEFAULT_BATCH_ROWS, FrameBatches, FrameColumns};
use pcapkit::dump::{Dumper, ParquetDumper};
use pcapkit::engine::FrameSink;
use pcapkit::{Extractor, model::Summary};
use std::hint::black_box;
use std::io;
use std::time::Duration;

mod common;
#[path = "common/dissected.rs"]
mod dissected;

use dissected::load_dissected;

fn arrow(c: &mut Criterion) {
    let (path, _, frames) = match load_dissected() {
        Ok(loaded) if !loaded.2.is_empty() => loaded,
        Ok(_) => {
            eprintln!("arrow bench skipped: the input has no frames");
            return;
        }
        Err(e) => {
            eprintln!("arrow bench skipped: {e}");
            return;
        }
    };
    eprintln!("input: {} ({} frames)", path.display(), frames.len());
    let mut group = c.benchmark_group("arrow");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(frames.len() as u64));
    group.bench_function("columns", |b| {
        b.iter(|| {
            let mut columns = FrameColumns::with_capacity(DEFAULT_BATCH_ROWS);
            let mut rows = 0;
            for (_, frame) in &frames {
                columns.push(frame);
                if columns.rows() == DEFAULT_BATCH_ROWS {
                    rows += columns.finish().expect("a valid batch").num_rows();
                }
            }
            rows + columns.finish().expect("a valid batch").num_rows()
        })
    });
    group.bench_function("parquet_dumper", |b| {
        b.iter(|| {
            let mut dumper = ParquetDumper::new(io::sink());
            for (owned, frame) in &frames {
                dumper
                    .frame(&owned.raw(), frame)
                    .expect("write to io::sink");
            }
            black_box(dumper.finish(&Summary::default(), None))
        })
    });
    group.bench_function("frame_batches", |b| {
        b.iter(|| {
            let extractor = Extractor::open(&path).expect("the bench input opens");
            let batches = FrameBatches::new(extractor, DEFAULT_BATCH_ROWS).expect("rows > 0");
            batches
                .map(|batch| batch.expect("a valid batch").num_rows())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, arrow);
criterion_main!(benches);
