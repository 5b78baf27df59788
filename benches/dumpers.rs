//! Throughput of each report writer alone, in frames per second: frames are read and dissected
//! once into memory, then each dumper encodes all of them into `io::sink()` (`json`,
//! `ndjson`, `plist`, `tree`, `pcap`).
//!
//! Input: `target/bench-mix-100k.pcap` (the mixed capture `cargo bench --bench native`
//! generates) when present, else the synthetic sample conversation repeated to 100,000 frames;
//! `PCAPKIT_BENCH_INPUT=FILE` benches another capture.
//!
//! Run: `cargo bench --bench dumpers` (sample size 10).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit::capture::{CaptureReader, RawFrame};
use pcapkit::dump::Format;
use pcapkit::engine::native::NativeDissector;
use pcapkit::engine::{DissectOptions, Dissector};
use pcapkit::model::{Frame, LinkType, Timestamp};
use std::hint::black_box;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Frames in the synthetic input.
const PACKETS: usize = 100_000;

/// A frame copied out of the reader, with its dissection.
struct Loaded {
    number: u64,
    timestamp: Option<Timestamp>,
    len: u32,
    link_type: LinkType,
    interface: Option<u32>,
    data: Vec<u8>,
    frame: Frame,
}

impl Loaded {
    fn raw(&self) -> RawFrame<'_> {
        RawFrame {
            number: self.number,
            timestamp: self.timestamp,
            len: self.len,
            link_type: self.link_type,
            interface: self.interface,
            data: &self.data,
        }
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Reads and dissects the bench input (see the module docs).
fn load() -> pcapkit::Result<(String, pcapkit::capture::CaptureInfo, Vec<Loaded>)> {
    let dissector = NativeDissector;
    let opts = DissectOptions::default();
    let given = std::env::var_os("PCAPKIT_BENCH_INPUT").map(PathBuf::from);
    let mix = target_dir().join("bench-mix-100k.pcap");
    let path = given.or_else(|| mix.is_file().then_some(mix));
    let mut frames = Vec::new();
    let (name, info) = match path {
        Some(path) => {
            let mut reader = CaptureReader::open(&path)?;
            let info = reader.info().clone();
            while let Some(raw) = reader.next_frame() {
                frames.push(Loaded {
                    number: raw.number,
                    timestamp: raw.timestamp,
                    len: raw.len,
                    link_type: raw.link_type,
                    interface: raw.interface,
                    data: raw.data.to_vec(),
                    frame: dissector.dissect(&raw, &opts),
                });
            }
            (path.display().to_string(), info)
        }
        None => {
            let conversation = pcapkit::synth::sample_conversation();
            for (i, synth) in conversation.iter().cycle().take(PACKETS).enumerate() {
                let data = synth.data.clone();
                let raw = RawFrame {
                    number: i as u64 + 1,
                    timestamp: Some(synth.timestamp),
                    len: synth.orig_len,
                    link_type: LinkType::ETHERNET,
                    interface: None,
                    data: &data,
                };
                let frame = dissector.dissect(&raw, &opts);
                frames.push(Loaded {
                    number: raw.number,
                    timestamp: raw.timestamp,
                    len: raw.len,
                    link_type: raw.link_type,
                    interface: None,
                    data,
                    frame,
                });
            }
            let info = pcapkit::capture::CaptureInfo {
                path: "synthetic".into(),
                format: "pcap",
                version: "2.4".into(),
                byte_order: "little",
                ts_resolution: Some("us"),
                snaplen: Some(65535),
                link_type: Some(LinkType::ETHERNET),
            };
            ("the synthetic sample conversation".into(), info)
        }
    };
    Ok((name, info, frames))
}

fn dumpers(c: &mut Criterion) {
    let (name, info, frames) = match load() {
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
    eprintln!("input: {name} ({} frames)", frames.len());
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
                for loaded in &frames {
                    dumper
                        .frame(&loaded.raw(), &loaded.frame)
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
