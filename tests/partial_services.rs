//! Partial layers of the service protocols over IP (SCTP, AH, ESP, ...): a header cut by the
//! snap length is kept with the fields that fit, marked `truncated`, as tshark 4.0.17 shows it.
//!
//! Each case is one valid Ethernet/IPv4 frame cut at every byte inside the protocol's header
//! (the record's original length stays the whole frame's, as a snap length leaves it). For
//! every cut: every non-parallel engine gives native's frame; the chain; the cut layer is the
//! last, a `Partial` record whose field names are the recorded ones for that many bytes and
//! whose values equal the complete record's (the same key in the uncut layer's JSON); the
//! frame's `error` names the protocol at the header's offset. The recording (at which captured
//! length tshark shows each field) is checked against live tshark where it is installed.

mod common;

use common::{Node, Pcap};
use pcapkit::model::{Layer, ProtoId};
use serde_json::Value;

/// Where the IP payload starts in the frames built here.
const IP_PAYLOAD: usize = 34;

/// Ethernet, then IPv4 (10.1.2.3 → 192.168.7.9, TTL 64) carrying `payload` as `proto`.
fn frame(proto: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    ];
    f.extend_from_slice(&[0x08, 0x00, 0x45, 0x10]);
    f.extend_from_slice(&((20 + payload.len()) as u16).to_be_bytes());
    f.extend_from_slice(&[0x12, 0x34, 0x40, 0x00, 64, proto, 0x54, 0xc2]);
    f.extend_from_slice(&[10, 1, 2, 3, 192, 168, 7, 9]);
    f.extend_from_slice(payload);
    f
}

/// One recorded protocol: its frame and, per captured length of its header, the fields
/// tshark adds there (our name, tshark's field).
struct Case {
    proto: ProtoId,
    ip_proto: u8,
    /// The IP payload: the header, then whatever follows it.
    payload: Vec<u8>,
    /// Bytes of the header: every cut below this is a partial layer.
    header_len: usize,
    /// tshark's layer key.
    tshark_layer: &'static str,
    /// pcapkit's chain of a cut frame.
    chain: &'static str,
    steps: &'static [(usize, &'static [(&'static str, &'static str)])],
}

impl Case {
    /// The names recorded for `captured` bytes of the header, in the record's order.
    fn names(&self, captured: usize) -> Vec<&'static str> {
        self.steps
            .iter()
            .filter(|(at, _)| *at <= captured)
            .flat_map(|(_, fields)| fields.iter().map(|(name, _)| *name))
            .collect()
    }
}

fn cases() -> Vec<Case> {
    vec![
        // SCTP 8080 → 80, tag 0x12345678, checksum 0xabcdef01, one SACK chunk: tshark shows
        // no field of a common header shorter than 12 bytes (and lists no cut chunk, as the
        // complete record does not).
        Case {
            proto: ProtoId::Sctp,
            ip_proto: 132,
            payload: [
                &[
                    0x1f, 0x90, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78, 0xab, 0xcd, 0xef, 0x01,
                ][..],
                &[3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0xff, 0, 0, 0, 0, 0],
            ]
            .concat(),
            header_len: 12,
            tshark_layer: "sctp",
            chain: "Ethernet:IPv4:SCTP",
            steps: &[],
        },
        // AH, next header ESP, length 4 (24 bytes), SPI 0x1234, sequence 5, a 12-byte ICV,
        // then an ESP header. The ICV is never shown cut.
        Case {
            proto: ProtoId::Ah,
            ip_proto: 51,
            payload: [
                &[
                    0x32, 0x04, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x05,
                ][..],
                &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
                &[0x00, 0x00, 0x56, 0x78, 0, 0, 0, 1, 0xde, 0xad],
            ]
            .concat(),
            header_len: 24,
            tshark_layer: "ah",
            chain: "Ethernet:IPv4:AH",
            steps: &[
                (
                    2,
                    &[("next_header", "ah.next_header"), ("len", "ah.length")],
                ),
                (4, &[("reserved", "ah.reserved")]),
                (8, &[("spi", "ah.spi")]),
                (12, &[("seq", "ah.sequence")]),
            ],
        },
        // ESP, SPI 0x12345678, sequence 1, then 5 encrypted bytes.
        Case {
            proto: ProtoId::Esp,
            ip_proto: 50,
            payload: vec![0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 2, 3, 4, 5, 6],
            header_len: 8,
            tshark_layer: "esp",
            chain: "Ethernet:IPv4:ESP",
            steps: &[(4, &[("spi", "esp.spi")])],
        },
        // IGMPv2 query, max response 10 s, group 224.0.0.1: its version needs the max
        // response time, so nothing shows before 2 bytes.
        Case {
            proto: ProtoId::Igmp,
            ip_proto: 2,
            payload: vec![0x11, 0x64, 0xee, 0x9b, 224, 0, 0, 1],
            header_len: 8,
            tshark_layer: "igmp",
            chain: "Ethernet:IPv4:IGMP",
            steps: &[
                (
                    2,
                    &[
                        ("version", "igmp.version"),
                        ("type", "igmp.type"),
                        ("max_resp", "igmp.max_resp"),
                    ],
                ),
                (4, &[("checksum", "igmp.checksum")]),
            ],
        },
        // IGMPv1 report (its byte 1 is tshark's `igmp.reserved`, the record's `max_resp`).
        Case {
            proto: ProtoId::Igmp,
            ip_proto: 2,
            payload: vec![0x12, 0x00, 0xee, 0xff, 224, 0, 0, 1],
            header_len: 8,
            tshark_layer: "igmp",
            chain: "Ethernet:IPv4:IGMP",
            steps: &[
                (1, &[("version", "igmp.version"), ("type", "igmp.type")]),
                (2, &[("max_resp", "igmp.reserved")]),
                (4, &[("checksum", "igmp.checksum")]),
            ],
        },
        // IGMPv3 query with two sources: the version and type, then nothing until the 12-byte
        // fixed part is whole.
        Case {
            proto: ProtoId::Igmp,
            ip_proto: 2,
            payload: [
                &[0x11, 0x64, 0xee, 0x9b, 224, 0, 0, 1, 0x0a, 0x7d, 0, 2][..],
                &[192, 168, 1, 1, 192, 168, 1, 2],
            ]
            .concat(),
            header_len: 12,
            tshark_layer: "igmp",
            chain: "Ethernet:IPv4:IGMP",
            steps: &[(1, &[("version", "igmp.version"), ("type", "igmp.type")])],
        },
        // IGMPv3 report with one group record.
        Case {
            proto: ProtoId::Igmp,
            ip_proto: 2,
            payload: [
                &[0x22, 0x00, 0xf9, 0x01, 0, 0, 0, 1][..],
                &[4, 0, 0, 0, 224, 0, 0, 22],
            ]
            .concat(),
            header_len: 8,
            tshark_layer: "igmp",
            chain: "Ethernet:IPv4:IGMP",
            steps: &[
                (1, &[("version", "igmp.version"), ("type", "igmp.type")]),
                (2, &[("max_resp", "igmp.reserved")]),
                (4, &[("checksum", "igmp.checksum")]),
            ],
        },
        // PIMv2 Register (Null-Register), an IPv4 header inside: the flags come whole.
        Case {
            proto: ProtoId::Pim,
            ip_proto: 103,
            payload: [
                &[0x21, 0x00, 0x12, 0x34, 0x40, 0, 0, 0][..],
                &[
                    0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                ],
            ]
            .concat(),
            header_len: 8,
            tshark_layer: "pim",
            chain: "Ethernet:IPv4:PIM",
            steps: &[
                (1, &[("version", "pim.version"), ("type", "pim.type")]),
                (4, &[("checksum", "pim.cksum")]),
            ],
        },
        // PIMv2 Join/Prune, upstream neighbor 192.168.1.1, one group, holdtime 105.
        Case {
            proto: ProtoId::Pim,
            ip_proto: 103,
            payload: [
                &[0x23, 0x00, 0x12, 0x34, 1, 0, 192, 168, 1, 1, 0, 1, 0, 105][..],
                &[
                    1, 0, 0, 32, 224, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 32, 192, 168, 1, 1,
                ],
            ]
            .concat(),
            header_len: 14,
            tshark_layer: "pim",
            chain: "Ethernet:IPv4:PIM",
            steps: &[
                (1, &[("version", "pim.version"), ("type", "pim.type")]),
                (4, &[("checksum", "pim.cksum")]),
                (10, &[("upstream_neighbor", "pim.upstream_neighbor")]),
                (12, &[("num_groups", "pim.numgroups")]),
            ],
        },
        // PIMv2 Join/Prune with an IPv6 upstream neighbor (2001:db8::1; tshark's field is
        // `pim.upstream_neighbor_ip6`).
        Case {
            proto: ProtoId::Pim,
            ip_proto: 103,
            payload: [
                &[0x23, 0x00, 0x12, 0x34, 2, 0][..],
                &[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                &[0, 0, 0, 105],
            ]
            .concat(),
            header_len: 26,
            tshark_layer: "pim",
            chain: "Ethernet:IPv4:PIM",
            steps: &[
                (1, &[("version", "pim.version"), ("type", "pim.type")]),
                (4, &[("checksum", "pim.cksum")]),
                (22, &[("upstream_neighbor", "pim.upstream_neighbor_ip6")]),
                (24, &[("num_groups", "pim.numgroups")]),
            ],
        },
        // OSPFv2 Hello from 192.168.1.1, area 0, null authentication, one neighbour.
        Case {
            proto: ProtoId::Ospf,
            ip_proto: 89,
            payload: [
                &[2, 1, 0, 44, 192, 168, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0][..],
                &[0; 8],
                &[255, 255, 255, 0, 0, 10, 2, 1, 0, 0, 0, 40, 192, 168, 1, 1],
                &[0, 0, 0, 0, 192, 168, 1, 2],
            ]
            .concat(),
            header_len: 24,
            tshark_layer: "ospf",
            chain: "Ethernet:IPv4:OSPF",
            steps: &[
                (
                    4,
                    &[
                        ("version", "ospf.version"),
                        ("type", "ospf.msg"),
                        ("length", "ospf.packet_length"),
                    ],
                ),
                (8, &[("router_id", "ospf.srcrouter")]),
                (12, &[("area_id", "ospf.area_id")]),
                (14, &[("checksum", "ospf.checksum")]),
                (16, &[("auth_type", "ospf.auth.type")]),
            ],
        },
        // OSPFv3 Hello (over IPv4 here: tshark and pcapkit go by the version byte), instance 1.
        Case {
            proto: ProtoId::Ospf,
            ip_proto: 89,
            payload: [
                &[3, 1, 0, 36, 192, 168, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0][..],
                &[0, 0, 0, 5, 0, 0, 0, 0x13, 0, 10, 0, 40, 192, 168, 1, 1],
                &[192, 168, 1, 2],
            ]
            .concat(),
            header_len: 16,
            tshark_layer: "ospf",
            chain: "Ethernet:IPv4:OSPF",
            steps: &[
                (
                    4,
                    &[
                        ("version", "ospf.version"),
                        ("type", "ospf.msg"),
                        ("length", "ospf.packet_length"),
                    ],
                ),
                (8, &[("router_id", "ospf.srcrouter")]),
                (12, &[("area_id", "ospf.area_id")]),
                (14, &[("checksum", "ospf.checksum")]),
                (15, &[("instance_id", "ospf.instance_id")]),
            ],
        },
        // HIP R1 (no parameters, next header 59): the first 8 bytes' fields come together,
        // then the sender's HIT whole (tshark shows HITs as bytes, the record as addresses).
        Case {
            proto: ProtoId::Hip,
            ip_proto: 139,
            payload: [
                &[59, 4, 2, 0x11, 0x12, 0x34, 0, 0][..],
                &[0x20, 0x01, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                &[0x20, 0x01, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
            ]
            .concat(),
            header_len: 40,
            tshark_layer: "hip",
            chain: "Ethernet:IPv4:HIP",
            steps: &[
                (
                    8,
                    &[
                        ("next_header", "hip.proto"),
                        ("hdr_len", "hip.hdr_len"),
                        ("packet_type", "hip.packet_type"),
                        ("version", "hip.version"),
                        ("checksum", "hip.checksum"),
                        ("controls", "hip.controls"),
                    ],
                ),
                (24, &[("sender_hit", "hip.hit_sndr")]),
            ],
        },
        // mtrace query (no version): byte 1 is tshark's hop count.
        Case {
            proto: ProtoId::Igmp,
            ip_proto: 2,
            payload: [
                &[0x1f, 0x08, 0xee, 0xff, 224, 0, 0, 1][..],
                &[
                    10, 1, 2, 3, 192, 168, 7, 9, 10, 1, 2, 4, 224, 0, 0, 5, 0, 0, 0, 1,
                ],
            ]
            .concat(),
            header_len: 8,
            tshark_layer: "igmp",
            chain: "Ethernet:IPv4:IGMP",
            steps: &[
                (1, &[("type", "igmp.type")]),
                (2, &[("max_resp", "igmp.mtrace.max_hops")]),
                (4, &[("checksum", "igmp.checksum")]),
            ],
        },
    ]
}

/// Cuts the case's frame at every length inside its header and checks each cut.
fn check_every_cut(case: &Case) {
    let full = frame(case.ip_proto, &case.payload);
    let complete = common::dissect_every_engine(&full, full.len());
    assert_eq!(complete.error, None, "{:?}", case.proto);
    let complete_json = serde_json::to_value(&complete).unwrap();
    let index = complete
        .layers
        .iter()
        .position(|l| l.proto() == case.proto)
        .expect("the complete frame has the protocol");
    let whole = &complete_json["layers"][index];
    for captured in 0..case.header_len {
        let at = format!("{:?} at {captured}", case.proto);
        let frame = common::dissect_every_engine(&full[..IP_PAYLOAD + captured], full.len());
        assert_eq!(frame.protocol_chain(), case.chain, "{at}");
        let Some(Layer::Partial(partial)) = frame.layers.last() else {
            panic!("{at}: the last layer is not partial");
        };
        assert_eq!(
            (partial.proto, partial.header_len as usize),
            (case.proto, captured),
            "{at}"
        );
        let error = frame.error.as_ref().expect("a cut frame has an error");
        assert_eq!(
            (error.layer, error.offset as usize),
            (case.proto, IP_PAYLOAD),
            "{at}"
        );
        let names: Vec<&str> = partial.fields.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, case.names(captured), "{at}");
        let layer = serde_json::to_value(frame.layers.last().unwrap()).unwrap();
        let object = layer.as_object().unwrap();
        assert_eq!(object.len(), names.len() + 4, "{at}");
        assert_eq!(object["truncated"], Value::Bool(true));
        for name in &names {
            assert_eq!(object[*name], whole[*name], "{name}: {at}");
        }
    }
}

#[test]
fn every_cut_keeps_the_recorded_fields() {
    for case in cases() {
        check_every_cut(&case);
    }
}

/// The tshark fields a cut layer shows, among those the case records.
fn tshark_fields(case: &Case, layers: &Node) -> Vec<&'static str> {
    let layer = layers.get(case.tshark_layer);
    let leaves: Vec<String> = layer.map_or_else(Vec::new, |l| {
        l.leaves().into_iter().map(|(key, _)| key).collect()
    });
    case.steps
        .iter()
        .flat_map(|(_, fields)| fields.iter().map(|(_, tshark)| *tshark))
        .filter(|tshark| leaves.iter().any(|key| key == tshark))
        .collect()
}

#[test]
fn the_recording_is_what_tshark_shows() {
    for case in cases() {
        let full = frame(case.ip_proto, &case.payload);
        let pcap = (0..case.header_len)
            .fold(Pcap::new(false, false, 1, 65535), |pcap, captured| {
                pcap.record(1, 0, full.len() as u32, &full[..IP_PAYLOAD + captured])
            })
            .bytes();
        let Some(frames) = common::tshark_json_of(&pcap, &[]) else {
            return;
        };
        assert_eq!(frames.len(), case.header_len);
        for (captured, layers) in frames.iter().enumerate() {
            let at = format!("{:?} at {captured}", case.proto);
            let chain = common::tshark_chain(layers);
            assert!(
                chain.contains(&format!("ip:{}", case.tshark_layer)),
                "{at}: {chain}"
            );
            let expected: Vec<&str> = case
                .steps
                .iter()
                .filter(|(n, _)| *n <= captured)
                .flat_map(|(_, fields)| fields.iter().map(|(_, tshark)| *tshark))
                .collect();
            assert_eq!(tshark_fields(&case, layers), expected, "{at}");
        }
    }
}
