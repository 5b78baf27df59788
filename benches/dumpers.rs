//! Throughput of each report writer alone, in frames per second: frames are read and dissected
//! once into memory, then each dumper encodes all of them into `io::sink()` (`json`,
//! `ndjson`, `plist`, `tree`, `pcap`).
//!
//! Input: the shared bench input (`benches/common`: the 100,000-packet gen_mix.py capture, or
//! the synthetic sample conversation repeated; `PCAPKIT_BENCH_INPUT=FILE` for another).
//!
//! Run: `cargo bench --bench dumpers` (sample size 10).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit::dump::Format;
use std::hint::black_box;
use std::io;
use std::time::Duration;

mod common;
#[path = "common/dissected.rs"]
mod dissected;

use dissected::load_dissected;

fn dumpers(c: &mut Criterion) {
    let (path, info, frames) = match load_dissected() {
        Ok(loaded) if !loaded.2.is_empty() => loaded,
        Ok(_) => {
            eprintln!("dumpers bench skipped: the input has no frames");
            return;
        }
        Err(e) => {
            eprintln!("dumpers bench skipped: {e}");
            return;
        }
    };
    eprintln!("input: {} ({} frames)", path.display(), frames.len());
    let mut group = c.benchmark_group("dumpers");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(frames.len() as u64));
    for &format in Format::ALL {
        group.bench_function(format.name(), |b| {
            b.iter(|| {
                let mut dumper = format.dumper(Box::new(io::sink()));
                dumper.begin(&info).expect("write to io::sink");
                for (owned, frame) in &frames {
                    dumper
                        .frame(&owned.raw(), frame)
                        .expect("write to io::sink");
                }
                black_box(dumper.finish(&Default::default(), None))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, dumpers);
criterion_main!(benches);
