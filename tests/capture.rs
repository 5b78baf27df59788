//! The capture reader on generated files (every format feature, every damaged tail) and on the
//! shared real captures against tshark's view of them.

mod common;

use common::{Ng, Pcap, pattern, temp_file};
use pcapkit::Error;
use pcapkit::capture::{CaptureInfo, CaptureReader, PcapWriter, StoppedEarly};
use pcapkit::model::{LinkType, Timestamp};
use std::io::{self, Read};
use std::path::Path;

/// A frame copied out of the reader.
#[derive(Clone, Debug, PartialEq)]
struct Owned {
    number: u64,
    timestamp: Option<Timestamp>,
    len: u32,
    link_type: LinkType,
    interface: Option<u32>,
    data: Vec<u8>,
}

struct ReadAll {
    info: CaptureInfo,
    frames: Vec<Owned>,
    stopped: Option<StoppedEarly>,
    bytes_read: u64,
}

fn drain(mut reader: CaptureReader) -> ReadAll {
    let mut frames = Vec::new();
    while let Some(f) = reader.next_frame() {
        assert_eq!(f.cap_len() as usize, f.data.len());
        frames.push(Owned {
            number: f.number,
            timestamp: f.timestamp,
            len: f.len,
            link_type: f.link_type,
            interface: f.interface,
            data: f.data.to_vec(),
        });
    }
    assert!(reader.next_frame().is_none(), "None stays None");
    ReadAll {
        info: reader.info().clone(),
        frames,
        stopped: reader.stopped_early().cloned(),
        bytes_read: reader.bytes_read(),
    }
}

/// Reads `bytes` from memory through `from_reader` (as a pipe would deliver them).
fn read(bytes: &[u8]) -> ReadAll {
    let reader = CaptureReader::from_reader("mem", Box::new(io::Cursor::new(bytes.to_vec())))
        .expect("capture opens");
    drain(reader)
}

/// Reads `bytes` from a temporary file through `open`.
fn read_file(bytes: &[u8]) -> ReadAll {
    let file = temp_file(bytes);
    let reader = CaptureReader::open(file.path()).expect("capture opens");
    assert_eq!(reader.total_len(), Some(bytes.len() as u64));
    drain(reader)
}

fn format_error(bytes: &[u8]) -> String {
    match CaptureReader::from_reader("mem", Box::new(io::Cursor::new(bytes.to_vec()))) {
        Err(Error::Format { reason, .. }) => reason,
        Err(other) => panic!("expected a format error, got {other}"),
        Ok(_) => panic!("expected a format error, the capture opened"),
    }
}

fn ts(secs: i64, nanos: u64) -> Option<Timestamp> {
    Some(Timestamp::new(secs, nanos))
}

/// A reader that returns one byte per `read` call and cannot seek (a slow pipe).
struct OneByte(io::Cursor<Vec<u8>>);

impl Read for OneByte {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(1);
        self.0.read(&mut buf[..n])
    }
}

// ---------------------------------------------------------------------------------------------
// classic pcap

#[test]
fn pcap_both_byte_orders_and_resolutions() {
    for big_endian in [false, true] {
        for nanos in [false, true] {
            let frac = if nanos { 123_456_789 } else { 123_456 };
            let a = pattern(60, 1);
            let b = pattern(40, 2);
            let bytes = Pcap::new(big_endian, nanos, 113, 65535)
                .record(1_700_000_000, frac, 60, &a)
                .record(0x8000_0000, 0, 1514, &b) // ts_sec past 2038 (unsigned), cap < len
                .record(5, if nanos { 1_000_000_000 } else { 1_000_000 }, 0, &[]) // invalid frac
                .bytes();
            let r = read_file(&bytes);
            let what = format!("big_endian={big_endian} nanos={nanos}");
            assert_eq!(r.stopped, None, "{what}");
            assert_eq!(
                r.info,
                CaptureInfo {
                    path: r.info.path.clone(),
                    format: "pcap",
                    version: "2.4".into(),
                    byte_order: if big_endian { "big" } else { "little" },
                    ts_resolution: Some(if nanos { "ns" } else { "us" }),
                    snaplen: Some(65535),
                    link_type: Some(LinkType::LINUX_SLL),
                },
                "{what}"
            );
            assert_eq!(r.frames.len(), 3, "{what}");
            let f = &r.frames[0];
            assert_eq!(f.number, 1);
            assert_eq!(
                f.timestamp,
                ts(1_700_000_000, 123_456_789 - if nanos { 0 } else { 789 })
            );
            assert_eq!((f.len, f.data.as_slice()), (60, a.as_slice()));
            assert_eq!((f.link_type, f.interface), (LinkType::LINUX_SLL, None));
            let f = &r.frames[1];
            assert_eq!(f.number, 2);
            assert_eq!(f.timestamp, ts(2_147_483_648, 0));
            assert_eq!((f.len, f.data.as_slice()), (1514, b.as_slice()));
            let f = &r.frames[2];
            assert_eq!((f.number, f.len, f.data.len()), (3, 0, 0));
            assert_eq!(f.timestamp, ts(6, 0), "sub-second overflow carries");
            assert_eq!(r.bytes_read, bytes.len() as u64);
        }
    }
}

#[test]
fn pcap_link_type_upper_bits_are_masked() {
    let bytes = Pcap::new(false, false, 0x3000_0001, 64)
        .record(1, 0, 10, &[0; 10])
        .bytes();
    let r = read(&bytes);
    assert_eq!(r.info.link_type, Some(LinkType::ETHERNET));
    assert_eq!(r.frames[0].link_type, LinkType::ETHERNET);
}

#[test]
fn pcap_caplen_above_snaplen_is_reported_as_is() {
    let bytes = Pcap::new(false, false, 1, 41)
        .record(1, 0, 100, &[7; 90])
        .bytes();
    let r = read(&bytes);
    assert_eq!(r.frames[0].data.len(), 90);
    assert_eq!(r.info.snaplen, Some(41));
}

#[test]
fn pcap_modified_format() {
    let a = pattern(98, 3);
    let bytes = Pcap::modified(1, 262_144)
        .record(1_600_000_000, 999_999, 98, &a)
        .record(1_600_000_001, 1, 200, &a[..50])
        .bytes();
    let r = read_file(&bytes);
    assert_eq!(r.stopped, None);
    assert_eq!(r.info.format, "pcap-modified");
    assert_eq!(r.info.ts_resolution, Some("us"));
    assert_eq!(r.frames.len(), 2);
    assert_eq!(r.frames[0].timestamp, ts(1_600_000_000, 999_999_000));
    assert_eq!(r.frames[0].data, a);
    assert_eq!(
        (r.frames[1].len, r.frames[1].data.as_slice()),
        (200, &a[..50])
    );
}

#[test]
fn pcap_truncated_in_record_header() {
    let p = Pcap::new(false, false, 1, 65535)
        .record(1, 0, 60, &[1; 60])
        .record(2, 0, 60, &[2; 60]);
    let cut = p.len();
    let bytes = p.raw(&[0; 10]).bytes();
    let r = read(&bytes);
    assert_eq!(r.frames.len(), 2);
    assert_eq!(
        r.stopped,
        Some(StoppedEarly {
            offset: cut as u64,
            reason: "file ends inside a record header".into()
        })
    );
}

#[test]
fn pcap_truncated_in_record_data() {
    let p = Pcap::new(true, false, 1, 65535).record(1, 0, 60, &[1; 60]);
    let cut = p.len();
    let mut bytes = p.record(2, 0, 1514, &[2; 1514]).bytes();
    bytes.truncate(cut + 16 + 200);
    let r = read_file(&bytes);
    assert_eq!(r.frames.len(), 1);
    assert_eq!(r.frames[0].data, vec![1; 60]);
    assert_eq!(
        r.stopped,
        Some(StoppedEarly {
            offset: cut as u64,
            reason: "file ends inside a record (header says 1514 bytes, 200 present)".into()
        })
    );
}

#[test]
fn pcap_record_larger_than_the_buffer() {
    let big = pattern(3 << 20, 9);
    let bytes = Pcap::new(false, true, 1, 0)
        .record(1, 0, 60, &[1; 60])
        .record(2, 5, big.len() as u32, &big)
        .record(3, 0, 60, &[3; 60])
        .bytes();
    for r in [read(&bytes), read_file(&bytes)] {
        assert_eq!(r.stopped, None);
        assert_eq!(r.frames.len(), 3);
        assert!(r.frames[1].data == big, "3 MiB record intact");
        assert_eq!(r.frames[1].timestamp, ts(2, 5));
        assert_eq!(r.frames[2].data, vec![3; 60]);
    }
}

#[test]
fn pcap_untrusted_caplen_stops_without_allocating() {
    let p = Pcap::new(false, false, 1, 65535).record(1, 0, 60, &[1; 60]);
    let cut = p.len();
    // caplen 1 GiB, 0 bytes follow.
    let mut hdr = Vec::new();
    for v in [2u32, 0, 1 << 30, 1 << 30] {
        hdr.extend_from_slice(&v.to_le_bytes());
    }
    let r = read(&p.raw(&hdr).bytes());
    assert_eq!(r.frames.len(), 1);
    let stop = r.stopped.expect("stops");
    assert_eq!(stop.offset, cut as u64);
    assert!(stop.reason.contains("not trusted"), "{}", stop.reason);
}

#[test]
fn pcap_header_only_and_header_errors() {
    let r = read_file(&Pcap::new(false, false, 1, 65535).bytes());
    assert!(r.frames.is_empty());
    assert_eq!(r.stopped, None);
    assert_eq!(r.bytes_read, 24);

    assert_eq!(format_error(b""), "empty file");
    assert_eq!(
        format_error(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
        "not a pcap or pcapng file (magic 0x7f454c46)"
    );
    let short = Pcap::new(false, false, 1, 65535).bytes();
    assert!(format_error(&short[..20]).contains("pcap file header"));
    let v1 = Pcap::with_magic(false, 0xa1b2_c3d4, 1, 4, 1, 65535).record(1, 0, 4, &[0; 4]);
    assert!(format_error(&v1.bytes()).contains("version 1.4"));
}

#[test]
fn open_appends_pcap_and_reports_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Pcap::new(false, false, 1, 65535)
        .record(1, 0, 4, b"abcd")
        .bytes();
    std::fs::write(dir.path().join("cap.pcap"), &bytes).unwrap();
    let reader = CaptureReader::open(&dir.path().join("cap")).expect("cap -> cap.pcap");
    assert_eq!(reader.info().path, dir.path().join("cap").to_string_lossy());
    assert_eq!(drain(reader).frames.len(), 1);
    match CaptureReader::open(&dir.path().join("missing")) {
        Err(Error::Read { path, source }) => {
            assert_eq!(path, dir.path().join("missing"));
            assert_eq!(source.kind(), io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
    // An empty file.
    std::fs::write(dir.path().join("empty.pcap"), b"").unwrap();
    match CaptureReader::open(&dir.path().join("empty.pcap")) {
        Err(Error::Format { reason, .. }) => assert_eq!(reason, "empty file"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn pipe_delivering_one_byte_per_read() {
    let a = pattern(1514, 4);
    let pcap = Pcap::new(true, true, 1, 65535)
        .record(1, 7, 1514, &a)
        .record(2, 8, 60, &a[..60])
        .raw(&[0; 5])
        .bytes();
    let reader =
        CaptureReader::from_reader("-", Box::new(OneByte(io::Cursor::new(pcap.clone())))).unwrap();
    assert_eq!(reader.total_len(), None);
    assert_eq!(reader.info().path, "-");
    let r = drain(reader);
    assert_eq!(r.frames.len(), 2);
    assert_eq!(r.frames[0].data, a);
    assert_eq!(r.frames[1].timestamp, ts(2, 8));
    assert_eq!(r.stopped.map(|s| s.offset), Some(pcap.len() as u64 - 5));

    let ng = Ng::new(false)
        .idb(1, 0, &[Ng::tsresol(9)])
        .epb(0, 1_000_000_123, 1514, &a, &[(1, b"comment".to_vec())])
        .spb(60, &a[..60])
        .bytes();
    let reader =
        CaptureReader::from_reader("-", Box::new(OneByte(io::Cursor::new(ng.clone())))).unwrap();
    let r = drain(reader);
    assert_eq!(r.stopped, None);
    assert_eq!(r.frames.len(), 2);
    assert_eq!(r.frames[0].data, a);
    assert_eq!(r.frames[0].timestamp, ts(1, 123));
    assert_eq!(r.frames[1].data, &a[..60]);
    assert_eq!(r.bytes_read, ng.len() as u64);
}

#[test]
fn read_errors_mid_file_stop_early() {
    struct Failing(io::Cursor<Vec<u8>>);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::other("disk on fire")),
                n => Ok(n),
            }
        }
    }
    let p = Pcap::new(false, false, 1, 65535).record(1, 0, 60, &[1; 60]);
    let cut = p.len();
    let bytes = p.raw(&[0; 8]).bytes();
    let r =
        drain(CaptureReader::from_reader("x", Box::new(Failing(io::Cursor::new(bytes)))).unwrap());
    assert_eq!(r.frames.len(), 1);
    let stop = r.stopped.expect("stops");
    assert_eq!(stop.offset, cut as u64);
    assert!(stop.reason.contains("disk on fire"), "{}", stop.reason);
}

#[test]
fn writer_round_trip() {
    let mut w = PcapWriter::new(Vec::new(), LinkType::RAW, 1000, false).unwrap();
    w.write_frame(Timestamp::new(10, 123_456_789), 20, &[0x45; 20])
        .unwrap();
    let r = read(&w.into_inner());
    assert_eq!(r.info.link_type, Some(LinkType::RAW));
    assert_eq!(r.info.snaplen, Some(1000));
    assert_eq!(r.frames[0].timestamp, ts(10, 123_456_000));
}

// ---------------------------------------------------------------------------------------------
// pcapng

#[test]
fn pcapng_interfaces_with_their_own_link_types_and_resolutions() {
    for big_endian in [false, true] {
        let a = pattern(61, 5);
        let b = pattern(30, 6);
        let ng = Ng::new(big_endian);
        let offset = ng.tsoffset(1_000_000_000);
        let bytes = ng
            .idb(1, 65535, &[(2, b"eth0".to_vec()), Ng::tsresol(6)])
            .idb(113, 0, &[Ng::tsresol(9)])
            .block(4, &[0; 8]) // NRB, skipped
            .idb(101, 128, &[Ng::tsresol(0x88), offset])
            .epb(0, 1_700_000_000_123_456, 61, &a, &[])
            .epb(
                1,
                1_700_000_000_123_456_789,
                100,
                &b,
                &[(1, b"hi".to_vec())],
            )
            .block(5, &[0; 12]) // ISB, skipped
            .epb(2, 257, 30, &b, &[])
            .block(0x0000_0bad, &[1, 2, 3, 4, 5]) // custom, skipped
            .bytes();
        let r = read_file(&bytes);
        let what = format!("big_endian={big_endian}");
        assert_eq!(r.stopped, None, "{what}");
        assert_eq!(r.info.format, "pcapng");
        assert_eq!(r.info.version, "1.0");
        assert_eq!(r.info.byte_order, if big_endian { "big" } else { "little" });
        assert_eq!(
            (r.info.ts_resolution, r.info.snaplen, r.info.link_type),
            (None, None, None)
        );
        assert_eq!(r.frames.len(), 3, "{what}");
        let f = &r.frames[0];
        assert_eq!(
            (f.number, f.interface, f.link_type),
            (1, Some(0), LinkType::ETHERNET)
        );
        assert_eq!(f.timestamp, ts(1_700_000_000, 123_456_000));
        assert_eq!(
            (f.len, f.data.as_slice()),
            (61, a.as_slice()),
            "padding not included"
        );
        let f = &r.frames[1];
        assert_eq!(
            (f.number, f.interface, f.link_type),
            (2, Some(1), LinkType::LINUX_SLL)
        );
        assert_eq!(f.timestamp, ts(1_700_000_000, 123_456_789));
        assert_eq!((f.len, f.data.as_slice()), (100, b.as_slice()));
        let f = &r.frames[2];
        assert_eq!(
            (f.number, f.interface, f.link_type),
            (3, Some(2), LinkType::RAW)
        );
        assert_eq!(
            f.timestamp,
            ts(1_000_000_001, 3_906_250),
            "2^-8 s ticks + if_tsoffset"
        );
        assert_eq!(r.bytes_read, bytes.len() as u64);
    }
}

#[test]
fn pcapng_second_section_resets_interfaces() {
    let first = Ng::new(false)
        .idb(1, 0, &[])
        .idb(0, 0, &[])
        .epb(1, 5_000_000, 4, b"null", &[]);
    let second = first
        .shb(true, 1, 0, &[(4, b"second".to_vec())])
        .idb(101, 0, &[Ng::tsresol(9)])
        .epb(0, 7, 20, &[0x45; 20], &[]);
    let cut = second.len();
    let bytes = second.epb(1, 0, 4, b"gone", &[]).bytes();
    let r = read(&bytes);
    assert_eq!(r.frames.len(), 2);
    assert_eq!(
        (r.frames[0].link_type, r.frames[0].interface),
        (LinkType::NULL, Some(1))
    );
    assert_eq!(r.frames[0].timestamp, ts(5, 0));
    assert_eq!(
        (r.frames[1].link_type, r.frames[1].interface),
        (LinkType::RAW, Some(0))
    );
    assert_eq!(r.frames[1].timestamp, ts(0, 7));
    assert_eq!(r.info.byte_order, "little", "first section's byte order");
    let stop = r.stopped.expect("interface 1 is gone with the new section");
    assert_eq!(stop.offset, cut as u64);
    assert!(stop.reason.contains("names interface 1"), "{}", stop.reason);
    assert!(stop.reason.contains("only 1 interface"), "{}", stop.reason);
}

#[test]
fn pcapng_later_section_with_unknown_version_stops() {
    let ng = Ng::new(false).idb(1, 0, &[]).epb(0, 1, 4, b"abcd", &[]);
    let cut = ng.len();
    let bytes = ng
        .shb(false, 2, 0, &[])
        .idb(1, 0, &[])
        .epb(0, 1, 4, b"efgh", &[])
        .bytes();
    let r = read(&bytes);
    assert_eq!(r.frames.len(), 1);
    let stop = r.stopped.expect("stops at the 2.0 section");
    assert_eq!(stop.offset, cut as u64);
    assert!(stop.reason.contains("version 2.0"), "{}", stop.reason);
}

#[test]
fn pcapng_simple_packet_blocks() {
    let a = pattern(100, 7);
    let bytes = Ng::new(false)
        .idb(1, 64, &[])
        .spb(100, &a) // snaplen 64 cuts it
        .spb(30, &a[..30]) // block holds 32 bytes with padding: 30
        .spb(1514, &a[..40]) // the block holds fewer bytes than the original length
        .bytes();
    let r = read_file(&bytes);
    assert_eq!(r.stopped, None);
    assert_eq!(r.frames.len(), 3);
    for f in &r.frames {
        assert_eq!((f.timestamp, f.interface), (None, Some(0)));
    }
    assert_eq!(
        (r.frames[0].len, r.frames[0].data.as_slice()),
        (100, &a[..64])
    );
    assert_eq!(
        (r.frames[1].len, r.frames[1].data.as_slice()),
        (30, &a[..30])
    );
    assert_eq!(
        (r.frames[2].len, r.frames[2].data.as_slice()),
        (1514, &a[..40])
    );

    // Interface snaplen 0: no limit.
    let bytes = Ng::new(true).idb(1, 0, &[]).spb(100, &a).bytes();
    let r = read(&bytes);
    assert_eq!(r.frames[0].data, a);
}

#[test]
fn pcapng_obsolete_packet_blocks() {
    for big_endian in [false, true] {
        let a = pattern(63, 8);
        let bytes = Ng::new(big_endian)
            .idb(101, 0, &[])
            .idb(1, 0, &[Ng::tsresol(3)])
            .opb(0, 1_500_000, 63, &a)
            .opb(1, 2_500, 100, &a[..10])
            .bytes();
        let r = read(&bytes);
        assert_eq!(r.stopped, None);
        assert_eq!(r.frames.len(), 2);
        let f = &r.frames[0];
        assert_eq!(
            (f.interface, f.link_type, f.len),
            (Some(0), LinkType::RAW, 63)
        );
        assert_eq!(
            (f.timestamp, f.data.as_slice()),
            (ts(1, 500_000_000), a.as_slice())
        );
        let f = &r.frames[1];
        assert_eq!(
            (f.interface, f.link_type, f.len),
            (Some(1), LinkType::ETHERNET, 100)
        );
        assert_eq!(
            (f.timestamp, f.data.as_slice()),
            (ts(2, 500_000_000), &a[..10])
        );
    }
}

#[test]
fn pcapng_without_interface_stops() {
    let ng = Ng::new(false);
    let cut = ng.len();
    let r = read(&ng.epb(0, 1, 4, b"abcd", &[]).bytes());
    assert!(r.frames.is_empty());
    let stop = r.stopped.expect("stops");
    assert_eq!(stop.offset, cut as u64);
    assert!(
        stop.reason.contains("no interface description block"),
        "{}",
        stop.reason
    );

    // A Simple Packet Block needs interface 0 as well.
    let r = read(&Ng::new(true).spb(4, b"abcd").bytes());
    assert!(r.frames.is_empty());
    assert!(r.stopped.is_some());

    // Only custom blocks, no IDB, no packets: a clean end.
    let r = read(
        &Ng::new(false)
            .block(0x0000_0bad, &[0; 12])
            .block(0x4000_0bad, &[0; 8])
            .bytes(),
    );
    assert!(r.frames.is_empty());
    assert_eq!(r.stopped, None);
}

#[test]
fn pcapng_epb_naming_a_missing_interface_stops() {
    let ng = Ng::new(false).idb(1, 0, &[]).epb(0, 1, 4, b"abcd", &[]);
    let cut = ng.len();
    let r = read(
        &ng.epb(3, 1, 4, b"efgh", &[])
            .epb(0, 1, 4, b"ijkl", &[])
            .bytes(),
    );
    assert_eq!(r.frames.len(), 1);
    let stop = r.stopped.expect("stops");
    assert_eq!(stop.offset, cut as u64);
    assert!(stop.reason.contains("names interface 3"), "{}", stop.reason);
}

#[test]
fn pcapng_truncated_tails() {
    let ng = Ng::new(false).idb(1, 0, &[]).epb(0, 1, 60, &[1; 60], &[]);
    let cut = ng.len();
    let full = ng.epb(0, 2, 1514, &[2; 1514], &[]).bytes();

    // Inside the block header.
    let r = read(&full[..cut + 6]);
    assert_eq!(r.frames.len(), 1);
    assert_eq!(
        r.stopped,
        Some(StoppedEarly {
            offset: cut as u64,
            reason: "file ends inside a block header".into()
        })
    );

    // Inside the block.
    let r = read_file(&full[..cut + 228]);
    assert_eq!(r.frames.len(), 1);
    assert_eq!(r.frames[0].data, vec![1; 60]);
    assert_eq!(
        r.stopped,
        Some(StoppedEarly {
            offset: cut as u64,
            reason: "file ends inside a block (header says 1548 bytes, 228 present)".into()
        })
    );
}

#[test]
fn pcapng_damaged_blocks_stop() {
    let ng = Ng::new(false).idb(1, 0, &[]);
    let cut = ng.len() as u64;
    // EPB whose captured length runs past the block.
    let mut bad = ng.bytes();
    let good = Ng::new(false)
        .idb(1, 0, &[])
        .epb(0, 1, 8, &[9; 8], &[])
        .bytes();
    bad.extend_from_slice(&good[cut as usize..]);
    bad[cut as usize + 20] = 200; // caplen 200 in a 40-byte block
    let r = read(&bad);
    assert!(r.frames.is_empty());
    let stop = r.stopped.expect("stops");
    assert_eq!(stop.offset, cut);
    assert!(
        stop.reason.contains("200 captured bytes"),
        "{}",
        stop.reason
    );

    // Trailing length that does not match.
    let mut bad = good.clone();
    let last = bad.len() - 4;
    bad[last] = 44;
    let stop = read(&bad).stopped.expect("stops");
    assert!(stop.reason.contains("mismatch"), "{}", stop.reason);

    // A block length that is not a multiple of 4, and one that is absurd.
    for len in [41u32, 0x7fff_fff0] {
        let mut bad = good.clone();
        bad[cut as usize + 4..cut as usize + 8].copy_from_slice(&len.to_le_bytes());
        let stop = read(&bad).stopped.expect("stops");
        assert_eq!(stop.offset, cut);
    }

    // An IDB whose option runs past the block.
    let mut bad = Ng::new(false).idb(1, 0, &[Ng::tsresol(9)]).bytes();
    let opt_len_at = bad.len() - 4 - 4 - 8 + 2; // tsresol option: code, len, value+pad; endofopt
    bad[opt_len_at] = 200;
    let stop = read(&bad).stopped.expect("stops");
    assert!(stop.reason.contains("runs past"), "{}", stop.reason);
}

#[test]
fn pcapng_block_larger_than_the_buffer() {
    let big = pattern((3 << 20) + 3, 10);
    let bytes = Ng::new(false)
        .idb(1, 0, &[])
        .epb(0, 1, big.len() as u32, &big, &[])
        .epb(0, 2, 4, b"tail", &[])
        .bytes();
    let r = read(&bytes);
    assert_eq!(r.stopped, None);
    assert_eq!(r.frames.len(), 2);
    assert!(r.frames[0].data == big);
    assert_eq!(r.frames[1].data, b"tail");
}

#[test]
fn pcapng_header_errors() {
    // SHB option running past the block (like libpcap's shb-option-too-long.pcapng).
    let mut bytes = Ng::new(false)
        .shb(false, 1, 0, &[(3, b"linux".to_vec())])
        .bytes();
    bytes.drain(..28); // drop the first (plain) SHB
    bytes[26] = 0x30;
    bytes[27] = 0x30;
    let reason = format_error(&bytes);
    assert!(reason.contains("runs past the block"), "{reason}");

    let bytes = Ng::new(false).bytes();
    assert!(format_error(&bytes[..20]).contains("file ends inside the section header block"));
    let mut v2 = Ng::new(true).bytes();
    v2[13] = 2;
    assert!(format_error(&v2).contains("version 2.0"));

    // SHB and IDB only: no frames, no stop.
    let r = read(&Ng::new(false).idb(1, 0, &[]).bytes());
    assert!(r.frames.is_empty());
    assert_eq!(r.stopped, None);
}

#[test]
fn truncated_huge_record_stops_at_the_end_of_the_input() {
    let p = Pcap::new(false, false, 1, 65535).record(1, 0, 60, &[1; 60]);
    let cut = p.len();
    let mut hdr = Vec::new();
    for v in [2u32, 0, 200 << 20, 200 << 20] {
        hdr.extend_from_slice(&v.to_le_bytes());
    }
    let r = read(&p.raw(&hdr).raw(&[0; 1000]).bytes());
    assert_eq!(r.frames.len(), 1);
    assert_eq!(
        r.stopped,
        Some(StoppedEarly {
            offset: cut as u64,
            reason: format!(
                "file ends inside a record (header says {} bytes, 1000 present)",
                200 << 20
            )
        })
    );
}

#[test]
fn damaged_files_never_panic() {
    let a = pattern(70, 11);
    let pcap = Pcap::new(false, true, 1, 65535)
        .record(1, 2, 70, &a)
        .record(3, 4, 80, &a[..33])
        .bytes();
    let pcap_be = Pcap::new(true, false, 1, 65535)
        .record(1, 2, 70, &a)
        .bytes();
    let ng = Ng::new(false)
        .idb(1, 0, &[Ng::tsresol(9), (2, b"if".to_vec())])
        .epb(0, 5, 70, &a[..21], &[(1, b"c".to_vec())])
        .spb(10, &a[..10])
        .opb(0, 6, 12, &a[..12])
        .shb(true, 1, 0, &[])
        .idb(101, 4, &[])
        .epb(0, 7, 20, &a[..20], &[])
        .bytes();
    // Every cut and every byte with 5 values in release builds; fewer in debug builds (each
    // reader zeroes a 1 MiB buffer, which is slow unoptimized).
    let (step, values): (usize, &[u8]) = if cfg!(debug_assertions) {
        (2, &[0x00, 0xff])
    } else {
        (1, &[0x00, 0x01, 0x7f, 0x80, 0xff])
    };
    for file in [pcap, pcap_be, ng] {
        for cut in (0..file.len()).step_by(step) {
            let input = io::Cursor::new(file[..cut].to_vec());
            let _ = CaptureReader::from_reader("x", Box::new(input)).map(drain);
        }
        for at in (0..file.len()).step_by(step) {
            for &value in values {
                let mut bad = file.clone();
                bad[at] = value;
                if let Ok(reader) = CaptureReader::from_reader("x", Box::new(io::Cursor::new(bad)))
                {
                    let r = drain(reader);
                    assert!(r.bytes_read <= file.len() as u64);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// the shared real captures against tshark

/// Captures that do not follow their `.tshark.tsv` row for row, and why.
enum Expect {
    /// tshark refused the file; we read this many frames.
    TsharkRefused(usize),
    /// We refuse the file too: a `Format` error whose reason contains this.
    FormatError(&'static str),
    /// tshark lists pcapng custom blocks as frames (protocol `data`, no time): skip those rows.
    SkipCustomBlockRows(usize),
}

fn exception(name: &str) -> Option<Expect> {
    Some(match name {
        // Link type 284 (DSA tag) is unknown to tshark 4.0; the 8 records are valid.
        "tcpdump__dsa.pcap" => Expect::TsharkRefused(8),
        // Major version 1: tshark refuses it, so do we.
        "libpcap__pcap-invalid-version-1.pcap" => Expect::FormatError("pcap version 1.4"),
        // The SHB's option length runs past the block.
        "libpcap__shb-option-too-long.pcapng" => {
            Expect::FormatError("option 12336 of length 12336 runs past the block")
        }
        // Four custom blocks and nothing else.
        "pcapng-testgen__le_test017.pcapng" => Expect::SkipCustomBlockRows(4),
        // Three custom blocks among 8 packets.
        "pcapng-testgen__le_test202.pcapng" => Expect::SkipCustomBlockRows(3),
        _ => return None,
    })
}

/// Files whose reading ends with `stopped_early` (as tshark's ends with an error).
const STOPS: &[(&str, &str)] = &[
    (
        "dpkt__truncated_dns_2.pcap",
        "file ends inside a record header",
    ),
    (
        "gopacket__le_test901.pcapng",
        "unsupported pcapng version 2.0",
    ),
];

/// Captures whose invalid sub-second fields tshark prints in 32-bit wrapped form (README quirk 4:
/// `usec * 1000` overflows): their times are checked here against the carried values instead.
const INVALID_SUBSECOND: &[(&str, &[&str])] = &[(
    "tcpdump__timestamp_invalid_micro.pcap",
    // ts_usec 999999, 1000000 (tshark: "...370.1000000000") and 0x80000000 (tshark: "...370.0").
    &[
        "1418145369.999999000",
        "1418145371.000000000",
        "1418147517.483648000",
    ],
)];

/// `secs.nnnnnnnnn` as (secs, nanos); `None` for anything else (tshark's odd forms).
fn parse_epoch(text: &str) -> Option<(i64, u32)> {
    let (secs, frac) = text.split_once('.')?;
    if frac.len() != 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((secs.parse().ok()?, frac.parse().ok()?))
}

#[test]
fn shared_captures_match_tshark() {
    let Some(dir) = common::shared_captures() else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("cannot list {}", dir.display());
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| (n.ends_with(".pcap") || n.ends_with(".pcapng")) && !n.contains(".tshark."))
        .collect();
    names.sort();
    assert!(
        names.len() >= 50,
        "expected the 57 shared captures, found {}",
        names.len()
    );
    let mut checked_rows = 0;
    let mut checked_times = 0;
    for name in &names {
        let path = dir.join(name);
        let tsv = std::fs::read_to_string(dir.join(format!("{name}.tshark.tsv")))
            .unwrap_or_else(|e| panic!("{name}: no oracle: {e}"));
        let mut rows: Vec<Vec<&str>> = tsv
            .lines()
            .skip(1)
            .map(|l| l.split('\t').collect())
            .collect();
        let expect = exception(name);
        let reader = match CaptureReader::open(&path) {
            Ok(reader) => reader,
            Err(Error::Format { reason, .. }) => {
                let Some(Expect::FormatError(want)) = expect else {
                    panic!("{name}: {reason}");
                };
                assert!(reason.contains(want), "{name}: {reason}");
                println!("{name}: format error: {reason}");
                continue;
            }
            Err(e) => panic!("{name}: {e}"),
        };
        assert!(
            !matches!(expect, Some(Expect::FormatError(_))),
            "{name} should not open"
        );
        let total = reader.total_len();
        let r = drain(reader);
        println!(
            "{name}: {} frames{}",
            r.frames.len(),
            r.stopped
                .as_ref()
                .map(|s| format!(", {s}"))
                .unwrap_or_default()
        );
        match STOPS.iter().find(|(n, _)| n == name) {
            Some((_, reason)) => {
                let stop = r
                    .stopped
                    .as_ref()
                    .unwrap_or_else(|| panic!("{name} should stop"));
                assert!(stop.reason.contains(reason), "{name}: {stop}");
            }
            None => {
                assert_eq!(r.stopped, None, "{name}");
                assert_eq!(Some(r.bytes_read), total, "{name}: read to the end");
            }
        }
        match expect {
            Some(Expect::TsharkRefused(n)) => {
                assert!(rows.is_empty(), "{name}: tshark has rows now");
                assert_eq!(r.frames.len(), n, "{name}");
                continue;
            }
            Some(Expect::SkipCustomBlockRows(n)) => {
                let before = rows.len();
                rows.retain(|row| !(row.get(3) == Some(&"") && row.get(4) == Some(&"data")));
                assert_eq!(before - rows.len(), n, "{name}: custom-block rows");
            }
            Some(Expect::FormatError(_)) | None => {}
        }
        assert_eq!(r.frames.len(), rows.len(), "{name}: frame count");
        let invalid_subsecond = INVALID_SUBSECOND.iter().find(|(n, _)| n == name);
        if let Some((_, times)) = invalid_subsecond {
            let ours: Vec<String> = r
                .frames
                .iter()
                .filter_map(|f| f.timestamp)
                .map(|t| t.to_epoch_string())
                .collect();
            assert_eq!(ours, *times, "{name}: carried sub-second overflow");
        }
        for (frame, row) in r.frames.iter().zip(&rows) {
            let n = frame.number;
            let cell = |i: usize| row.get(i).copied().unwrap_or("");
            assert_eq!(
                cell(1),
                frame.len.to_string(),
                "{name} frame {n}: frame.len"
            );
            assert_eq!(
                cell(2),
                frame.data.len().to_string(),
                "{name} frame {n}: cap_len"
            );
            match frame.timestamp {
                None => assert_eq!(cell(3), "", "{name} frame {n}: no time"),
                Some(_) if invalid_subsecond.is_some() => {}
                Some(t) => {
                    if let Some(want) = parse_epoch(cell(3)) {
                        let ours = parse_epoch(&t.to_epoch_string()).expect("our epoch form");
                        assert_eq!(ours, want, "{name} frame {n}: time_epoch");
                        checked_times += 1;
                    } else {
                        println!("  {name} frame {n}: tshark time {:?} not compared", cell(3));
                    }
                }
            }
            checked_rows += 1;
        }
    }
    println!(
        "{} files, {checked_rows} rows, {checked_times} times compared",
        names.len()
    );
    assert!(checked_rows > 2000);
}

/// Reading speed: `PCAPKIT_READ_BENCH=/tmp/m1m.pcap cargo test --release --test capture -- --ignored --nocapture read_speed`.
#[test]
#[ignore = "a measurement, not a check: needs PCAPKIT_READ_BENCH=<capture>"]
fn read_speed() {
    let Some(path) = std::env::var_os("PCAPKIT_READ_BENCH") else {
        println!("set PCAPKIT_READ_BENCH to a capture file");
        return;
    };
    for round in 0..3 {
        let start = std::time::Instant::now();
        let mut reader = CaptureReader::open(Path::new(&path)).expect("capture opens");
        let (mut frames, mut bytes, mut sum) = (0u64, 0u64, 0u64);
        while let Some(f) = reader.next_frame() {
            frames += 1;
            bytes += u64::from(f.cap_len());
            sum = sum.wrapping_add(u64::from(f.data.first().copied().unwrap_or(0)));
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "round {round}: {frames} frames, {bytes} bytes in {secs:.3} s: {:.2} M frames/s, {:.0} MB/s (checksum {sum}, stop {:?})",
            frames as f64 / secs / 1e6,
            bytes as f64 / secs / 1e6,
            reader.stopped_early()
        );
    }
}
