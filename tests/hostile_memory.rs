//! Peak memory on hostile inputs of at most 1 MB whose length fields claim hundreds of MiB:
//! at most 32 MB, in-process (this test binary holds one test, so its peak is this test's) and
//! for the `pcapkit` command (measured with `/usr/bin/time -v` where it is installed).

use pcapkit::capture::CaptureReader;
use std::io::Cursor;
use std::process::Command;

/// The peak resident set allowed, in KiB.
const LIMIT_KIB: u64 = 32 * 1024;

/// 255 MiB: what the hostile headers claim.
const CLAIM: u32 = 255 << 20;

/// A pcapng block (little-endian) of type `t` whose header claims `len` bytes, with `body`.
fn ng_block(t: u32, len: u32, body: &[u8]) -> Vec<u8> {
    let mut out = t.to_le_bytes().to_vec();
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// A complete little-endian SHB and an Ethernet IDB.
fn ng_head() -> Vec<u8> {
    let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
    shb.extend_from_slice(&[1, 0, 0, 0]);
    shb.extend_from_slice(&[0xff; 8]);
    shb.extend_from_slice(&28u32.to_le_bytes());
    let mut out = ng_block(0x0a0d_0d0a, 28, &shb);
    out.extend_from_slice(&ng_block(1, 20, &[1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0]));
    out
}

/// The hostile inputs: name and bytes (each at most 1 MB).
fn hostile() -> Vec<(&'static str, Vec<u8>)> {
    let fill = vec![0x5a; 1_000_000 - 128];
    // The 12 bytes: a section header claiming 255 MiB.
    let mut shb12 = vec![0x0a, 0x0d, 0x0d, 0x0a];
    shb12.extend_from_slice(&(CLAIM - 4).to_le_bytes());
    shb12.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    // The same claim followed by almost 1 MB.
    let mut shb_big = shb12.clone();
    shb_big.extend_from_slice(&fill);
    // A pcap record claiming 255 MiB, with almost 1 MB of it.
    let mut pcap = Vec::new();
    for v in [
        0xa1b2_c3d4u32,
        0x0004_0002,
        0,
        0,
        65535,
        1,
        1,
        0,
        CLAIM,
        CLAIM,
    ] {
        pcap.extend_from_slice(&v.to_le_bytes());
    }
    pcap.extend_from_slice(&fill);
    // An enhanced packet block claiming 255 MiB, with almost 1 MB of it.
    let mut epb = ng_head();
    let mut body = Vec::new();
    for v in [0u32, 0, 0, CLAIM - 32, CLAIM - 32] {
        body.extend_from_slice(&v.to_le_bytes());
    }
    body.extend_from_slice(&fill);
    epb.extend_from_slice(&ng_block(6, CLAIM, &body));
    vec![
        ("12-byte pcapng", shb12),
        ("pcapng SHB + 1 MB", shb_big),
        ("pcap record + 1 MB", pcap),
        ("pcapng EPB + 1 MB", epb),
    ]
}

/// A `Status:` field of /proc/self/status in KiB (`VmHWM`: peak resident set).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn hostile_length_fields_cannot_grow_memory() {
    for (name, bytes) in hostile() {
        assert!(bytes.len() <= 1_000_000, "{name}");
        let done = CaptureReader::from_reader(name, Box::new(Cursor::new(bytes)));
        if let Ok(mut reader) = done {
            while reader.next_frame().is_some() {}
            assert!(
                reader.stopped_early().is_some(),
                "{name}: a lying length stops reading"
            );
        }
    }
    match status_kib("VmHWM:") {
        Some(peak) => {
            println!("in-process peak RSS: {peak} KiB");
            assert!(peak <= LIMIT_KIB, "peak RSS {peak} KiB > {LIMIT_KIB} KiB");
        }
        None => println!("SKIPPED in-process RSS check: no /proc/self/status"),
    }

    // The command, each input as a file.
    let time = std::path::Path::new("/usr/bin/time");
    if !time.exists() {
        println!("SKIPPED command RSS check: /usr/bin/time is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (i, (name, bytes)) in hostile().into_iter().enumerate() {
        let path = dir.path().join(format!("hostile-{i}.cap"));
        std::fs::write(&path, bytes).unwrap();
        let out = Command::new(time)
            .arg("-v")
            .arg(env!("CARGO_BIN_EXE_pcapkit"))
            .arg(&path)
            .args(["-j", "-o"])
            .arg(dir.path().join("report.json"))
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stderr);
        let peak: u64 = report
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
            })
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name}: no peak in {report}"));
        println!("{name}: pcapkit peak RSS {peak} KiB");
        assert!(
            peak <= LIMIT_KIB,
            "{name}: peak RSS {peak} KiB > {LIMIT_KIB} KiB"
        );
    }
}
