//! Writes the seed corpora of the fuzz targets (`fuzz/`) from pcapkit's own builders:
//! `cargo run --example fuzz_seeds [DIR]` (default `fuzz/corpus`). Seeds are generated, never
//! committed.
//!
//! - `capture_reader/`: whole captures: classic pcap (µs and ns, both byte orders, Kuznetzov's
//!   modified format) and pcapng (both byte orders; EPB, SPB, obsolete PB, options, two
//!   sections, an unknown block).
//! - `dissect/` and `dump/`: one frame each, prefixed with its link type (2 bytes, big-endian):
//!   the sample conversation on Ethernet, raw IP, Linux SLL and BSD Null.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{Ng, Pcap};
use std::fs;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::write(dir.join(name), bytes)
}

fn main() -> std::io::Result<()> {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".to_owned()),
    );
    let frames = pcapkit::synth::sample_conversation();

    let reader = root.join("capture_reader");
    for (name, big_endian, nanos) in [
        ("us-le.pcap", false, false),
        ("ns-le.pcap", false, true),
        ("us-be.pcap", true, false),
        ("ns-be.pcap", true, true),
    ] {
        let mut pcap = Pcap::new(big_endian, nanos, 1, 65535);
        for f in &frames {
            pcap = pcap.record(f.timestamp.secs as u32, 7, f.orig_len, &f.data);
        }
        write(&reader, name, &pcap.bytes())?;
    }
    let mut modified = Pcap::modified(1, 65535);
    for f in frames.iter().take(4) {
        modified = modified.record(1, 2, f.orig_len, &f.data);
    }
    write(&reader, "modified.pcap", &modified.bytes())?;
    for (name, big_endian) in [("le.pcapng", false), ("be.pcapng", true)] {
        let mut ng = Ng::new(big_endian).idb(1, 0, &[Ng::tsresol(9)]);
        let offset = ng.tsoffset(-3);
        ng = ng.idb(101, 128, &[Ng::tsresol(0x86), offset]);
        for (i, f) in frames.iter().enumerate() {
            ng = ng.epb(
                0,
                i as u64 * 1000,
                f.orig_len,
                &f.data,
                &[(1, b"comment".to_vec())],
            );
        }
        let ip = frames
            .get(2)
            .map_or(&[][..], |f| f.data.get(14..).unwrap_or_default());
        ng = ng
            .epb(1, 5, ip.len() as u32, ip, &[])
            .spb(60, &frames[0].data)
            .opb(0, 9, 60, &frames[1].data)
            .block(0x0bad_cafe, b"unknown")
            .shb(!big_endian, 1, 0, &[(4, b"second section".to_vec())])
            .idb(1, 0, &[])
            .epb(0, 1, 60, &frames[0].data, &[]);
        write(&reader, name, &ng.bytes())?;
    }

    for (i, (link_type, data)) in common::generated_frames().iter().enumerate() {
        let mut seed = (link_type.0 as u16).to_be_bytes().to_vec();
        seed.extend_from_slice(data);
        for target in ["dissect", "dump"] {
            write(&root.join(target), &format!("frame-{i:03}"), &seed)?;
        }
    }
    println!("wrote the seed corpora under {}", root.display());
    Ok(())
}
