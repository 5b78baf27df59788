//! SCTP (RFC 9260) against tshark run at test time, on generated frames (the shared SCTP
//! capture has no tshark JSON).
//!
//! Every chunk type pcapkit names, an unknown one, a bundle, and the length edges (chunk
//! length 0 and 3, a chunk longer than the packet, a DATA chunk too short for its header, no
//! padding after the last chunk), then a DATA packet cut by the snap length at every length.
//! Not generated: a chunk length of 1-3 as the *first* chunk followed by another chunk, where
//! tshark 4.0 lists the next chunk too (pcapkit's list, like tshark's after a later bogus
//! chunk, ends at the bogus one).
//! For every frame, tshark's chain is pcapkit's (tshark adds `data` for DATA chunks' user
//! data, which pcapkit keeps in the SCTP record), and the common header's and every chunk's
//! fields, in order, are tshark's (`sctp.data_tsn_raw`: tshark's `sctp.data_tsn` is relative).
//! A header cut inside its 12 bytes: tshark shows no field, pcapkit a field-less partial layer.

mod common;

use common::Node;
use pcapkit::model::{Frame, Layer};

/// Ethernet + IPv4 (10.0.0.1 → 10.0.0.2, protocol 132) around `sctp`.
fn frame(sctp: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 8, 0,
    ];
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&(20 + sctp.len() as u16).to_be_bytes());
    f.extend_from_slice(&[0, 1, 0, 0, 64, 132, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    f.extend_from_slice(sctp);
    f
}

/// A chunk: type, flags, `value`, its length field (`None`: 4 + the value's length), padded.
fn chunk(kind: u8, flags: u8, value: &[u8], len: Option<u16>) -> Vec<u8> {
    let len = len.unwrap_or(4 + value.len() as u16);
    let mut c = vec![kind, flags];
    c.extend_from_slice(&len.to_be_bytes());
    c.extend_from_slice(value);
    c.resize(c.len().next_multiple_of(4), 0);
    c
}

/// A DATA chunk: TSN 1000, stream 1, sequence 2, PPID 0, `user` data.
fn data(user: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 0x03, 0xe8, 0, 1, 0, 2, 0, 0, 0, 0];
    v.extend_from_slice(user);
    chunk(0, 3, &v, None)
}

/// An SCTP packet: ports 40000 → 40001, tag 0xdeadbeef, checksum 0x12345678, `chunks`.
fn packet(chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut p = vec![
        0x9c, 0x40, 0x9c, 0x41, 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34, 0x56, 0x78,
    ];
    p.extend(chunks.concat());
    p
}

/// Every generated SCTP packet, with its captured length (`None`: whole).
fn packets() -> Vec<(Vec<u8>, Option<usize>)> {
    let init = [0x11, 0x22, 0x33, 0x44, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 7];
    let sack = [0, 0, 0x03, 0xe7, 0, 1, 0, 0, 0, 0, 0, 0];
    let heartbeat = [0, 1, 0, 8, 1, 2, 3, 4];
    let four = [0, 0, 0x03, 0xe8];
    let kinds: Vec<Vec<u8>> = vec![
        data(b"hello"),
        chunk(1, 0, &init, None),
        chunk(2, 0, &init, None),
        chunk(3, 0, &sack, None),
        chunk(4, 0, &heartbeat, None),
        chunk(5, 0, &heartbeat, None),
        chunk(6, 1, &[], None),
        chunk(7, 0, &four, None),
        chunk(8, 0, &[], None),
        chunk(9, 0, &[], None),
        chunk(10, 0, &four, None),
        chunk(11, 0, &[], None),
        chunk(12, 0, &four, None),
        chunk(13, 0, &four, None),
        chunk(14, 1, &[], None),
        chunk(192, 0, &four, None),
        chunk(200, 0, &[0x78, 0x79], None),
    ];
    let mut out: Vec<(Vec<u8>, Option<usize>)> = kinds
        .iter()
        .map(|c| (packet(std::slice::from_ref(c)), None))
        .collect();
    let edges = [
        vec![
            chunk(3, 0, &sack, None),
            data(b"x"),
            chunk(11, 0, &[], None),
        ],
        vec![chunk(0, 3, &[], Some(0))],
        vec![chunk(11, 0, &[], None), chunk(1, 0, &[], Some(3))],
        vec![chunk(4, 0, &heartbeat, Some(200))],
        vec![chunk(0, 3, &[0, 0, 0, 1], Some(8))],
        vec![data(b"abc")[..19].to_vec()],
        vec![],
    ];
    out.extend(edges.iter().map(|c| (packet(c), None)));
    let whole = packet(&[data(b"hello")]);
    out.extend((0..whole.len()).map(|cut| (whole.clone(), Some(cut))));
    out
}

/// pcapkit's SCTP fields under tshark's names and in its spelling, in tshark's order; `None`
/// for a cut common header.
fn ours(frame: &Frame) -> Option<Vec<(String, String)>> {
    let s = |k: &str, v: String| (k.to_owned(), v);
    let sctp = match frame.layers.last()? {
        Layer::Sctp(sctp) => sctp,
        Layer::Partial(_) => return None,
        other => panic!("frame {}: {other:?}", frame.number),
    };
    let mut o = vec![
        s("sctp.srcport", sctp.src_port.to_string()),
        s("sctp.dstport", sctp.dst_port.to_string()),
        s(
            "sctp.verification_tag",
            format!("0x{:08x}", sctp.verification_tag),
        ),
        s("sctp.checksum", format!("0x{:08x}", sctp.checksum)),
    ];
    for c in &sctp.chunks {
        o.push(s("sctp.chunk_type", c.kind.to_string()));
        o.push(s("sctp.chunk_flags", format!("0x{:02x}", c.flags)));
        o.push(s("sctp.chunk_length", c.len.to_string()));
        o.extend(c.tsn.map(|v| s("sctp.data_tsn_raw", v.to_string())));
        o.extend(
            c.stream_id
                .map(|v| s("sctp.data_sid", format!("0x{v:04x}"))),
        );
        o.extend(c.stream_seq.map(|v| s("sctp.data_ssn", v.to_string())));
        o.extend(
            c.ppid
                .map(|v| s("sctp.data_payload_proto_id", v.to_string())),
        );
    }
    Some(o)
}

/// tshark's fields of `sctp` that [`ours`] models, in document order.
fn theirs(layers: &Node) -> Vec<(String, String)> {
    const MODELLED: [&str; 11] = [
        "sctp.srcport",
        "sctp.dstport",
        "sctp.verification_tag",
        "sctp.checksum",
        "sctp.chunk_type",
        "sctp.chunk_flags",
        "sctp.chunk_length",
        "sctp.data_tsn_raw",
        "sctp.data_sid",
        "sctp.data_ssn",
        "sctp.data_payload_proto_id",
    ];
    layers
        .get("sctp")
        .map(Node::leaves)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| MODELLED.contains(&k.as_str()))
        .collect()
}

#[test]
fn sctp_matches_tshark() {
    let packets = packets();
    let Some((frames, tshark)) = common::framed_with_tshark(&packets, frame, 34) else {
        return;
    };
    let (mut fields, mut cut_headers) = (0, 0);
    for ((frame, t), (p, cut)) in frames.iter().zip(&tshark).zip(&packets) {
        let at = format!("frame {} ({} bytes, cut {cut:?})", frame.number, p.len());
        let chain = common::tshark_chain(t);
        assert_eq!(
            chain.trim_end_matches(":data"),
            "eth:ethertype:ip:sctp",
            "{at}"
        );
        assert_eq!(frame.protocol_chain(), "Ethernet:IPv4:SCTP", "{at}");
        let theirs = theirs(t);
        match ours(frame) {
            Some(mine) => {
                assert_eq!(mine, theirs, "{at}");
                fields += theirs.len();
            }
            None => {
                assert!(theirs.is_empty(), "{at}: {theirs:?}");
                cut_headers += 1;
            }
        }
    }
    assert_eq!(cut_headers, 12, "cut common headers");
    assert!(fields > 150, "{fields} fields compared");
}

/// tshark 4.0's fields for two frames, kept for a run without tshark: the bundle (SACK,
/// DATA, COOKIE_ACK) and a chunk length of 3 after a COOKIE_ACK.
#[test]
fn kept_tshark_values_match() {
    let (_, frames) = common::framed(&packets()[17..20], frame, 34);
    let head = [
        ("sctp.srcport", "40000"),
        ("sctp.dstport", "40001"),
        ("sctp.verification_tag", "0xdeadbeef"),
        ("sctp.checksum", "0x12345678"),
    ];
    fn chunk(
        kind: &'static str,
        flags: &'static str,
        len: &'static str,
    ) -> [(&'static str, &'static str); 3] {
        [
            ("sctp.chunk_type", kind),
            ("sctp.chunk_flags", flags),
            ("sctp.chunk_length", len),
        ]
    }
    let to_owned = |v: Vec<(&str, &str)>| -> Vec<(String, String)> {
        v.into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    };
    let mut bundle = head.to_vec();
    bundle.extend(chunk("3", "0x00", "16"));
    bundle.extend(chunk("0", "0x03", "17"));
    bundle.extend([
        ("sctp.data_tsn_raw", "1000"),
        ("sctp.data_sid", "0x0001"),
        ("sctp.data_ssn", "2"),
        ("sctp.data_payload_proto_id", "0"),
    ]);
    bundle.extend(chunk("11", "0x00", "4"));
    assert_eq!(ours(&frames[0]), Some(to_owned(bundle)));
    // Chunk length 0: the common header only, the frame's error says why.
    assert_eq!(ours(&frames[1]), Some(to_owned(head.to_vec())));
    assert!(frames[1].error.is_some());
    let mut short = head.to_vec();
    short.extend(chunk("11", "0x00", "4"));
    short.extend(chunk("1", "0x00", "3"));
    assert_eq!(ours(&frames[2]), Some(to_owned(short)));
}
