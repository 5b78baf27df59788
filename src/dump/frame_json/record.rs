//! Records of the stages as compact JSON: a reassembled datagram or message
//! (`"record":"reassembly"`) in exactly the bytes serde_json writes for [`Reassembled`], with
//! the frame writers of the parent module (its layers through `write_layer`); frames as
//! frames; other records (flows) through serde_json.

use super::{
    Day, Out, Stage, boolean, byte, chain_layers_error, int, ipv4, ipv6, lit, num, serde,
    write_frame, write_line,
};
use crate::pipeline::Record;
use crate::reassembly::{AnomalyKind, Key, Kind, Reassembled};
use std::net::IpAddr;

/// Appends `record` as compact JSON to `out` (staged in `stage`): the same bytes as
/// `serde_json::to_writer(out, record)`.
pub(crate) fn write_record_json(
    out: &mut Vec<u8>,
    stage: &mut Stage,
    record: &Record,
) -> serde_json::Result<()> {
    Out::with_day(out, stage, |out, day| write_record(out, day, record))
}

/// [`write_record_json`] and a newline, staged in `window` in front of `spill` as
/// [`write_frame_line`](super::write_frame_line) stages a frame's line.
pub(crate) fn write_record_line(
    window: &mut [u8],
    spill: &mut Vec<u8>,
    stage: &mut Stage,
    record: &Record,
) -> serde_json::Result<usize> {
    write_line(window, spill, stage, |out, day| {
        write_record(out, day, record)
    })
}

/// [`write_record_json`] into an [`Out`].
fn write_record(out: &mut Out<'_>, day: &mut Day, record: &Record) -> serde_json::Result<()> {
    match record {
        Record::Frame(frame) => write_frame(out, frame, day),
        Record::Reassembly(r) => write_reassembled(out, r),
        other => serde(out, other),
    }
}

/// `{"record":"reassembly","kind":..,"key"|"flow":..,...,"layers":[..]}`, in the order of
/// `Reassembled`'s `Serialize`.
fn write_reassembled(out: &mut Out<'_>, r: &Reassembled) -> serde_json::Result<()> {
    // The kind and the key's name in one piece.
    lit(
        out,
        match (r.kind, matches!(r.key, Key::Tcp { .. })) {
            (Kind::Ipv4, false) => {
                b"{\"record\":\"reassembly\",\"kind\":\"ipv4\",\"key\":{\"src\":"
            }
            (Kind::Ipv6, false) => {
                b"{\"record\":\"reassembly\",\"kind\":\"ipv6\",\"key\":{\"src\":"
            }
            (Kind::Tcp, false) => b"{\"record\":\"reassembly\",\"kind\":\"tcp\",\"key\":{\"src\":",
            (Kind::Ipv4, true) => {
                b"{\"record\":\"reassembly\",\"kind\":\"ipv4\",\"flow\":{\"src\":"
            }
            (Kind::Ipv6, true) => {
                b"{\"record\":\"reassembly\",\"kind\":\"ipv6\",\"flow\":{\"src\":"
            }
            (Kind::Tcp, true) => b"{\"record\":\"reassembly\",\"kind\":\"tcp\",\"flow\":{\"src\":",
        },
    );
    match r.key {
        Key::Ip {
            src,
            dst,
            protocol,
            id,
        } => {
            ip(out, src);
            lit(out, b",\"dst\":");
            ip(out, dst);
            lit(out, b",\"protocol\":");
            byte(out, protocol);
            lit(out, b",\"id\":");
            num(out, id);
            out.push(b'}');
        }
        Key::Tcp {
            src,
            src_port,
            dst,
            dst_port,
            stream,
            offset,
        } => {
            ip(out, src);
            lit(out, b",\"src_port\":");
            num(out, src_port);
            lit(out, b",\"dst\":");
            ip(out, dst);
            lit(out, b",\"dst_port\":");
            num(out, dst_port);
            lit(out, b",\"stream\":");
            int(out, stream);
            lit(out, b"},\"offset\":");
            int(out, offset);
        }
    }
    lit(out, b",\"frames\":[");
    for (i, &number) in r.frames.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        int(out, number);
    }
    if r.missing.is_empty() && r.anomalies.is_empty() {
        // The common case in one piece.
        lit(
            out,
            if r.complete {
                b"],\"complete\":true,\"missing\":[],\"anomalies\":[],\"len\":"
            } else {
                b"],\"complete\":false,\"missing\":[],\"anomalies\":[],\"len\":"
            },
        );
    } else {
        irregular(out, r);
    }
    int(out, r.len);
    chain_layers_error(out, &r.frame)?;
    out.push(b'}');
    Ok(())
}

/// `],"complete":..,"missing":[..],"anomalies":[..],"len":` of a record with missing ranges
/// or anomalies.
fn irregular(out: &mut Out<'_>, r: &Reassembled) {
    lit(out, b"],\"complete\":");
    boolean(out, r.complete);
    lit(out, b",\"missing\":[");
    for (i, range) in r.missing.iter().enumerate() {
        lit(out, if i > 0 { b",[" } else { b"[" });
        range_items(out, range);
    }
    lit(out, b"],\"anomalies\":[");
    for (i, anomaly) in r.anomalies.iter().enumerate() {
        lit(
            out,
            if i > 0 {
                b",{\"kind\":\""
            } else {
                b"{\"kind\":\""
            },
        );
        lit(out, anomaly_name(anomaly.kind));
        lit(out, b"\",\"frame\":");
        int(out, anomaly.frame);
        if let Some(range) = &anomaly.range {
            lit(out, b",\"range\":[");
            range_items(out, range);
        }
        out.push(b'}');
    }
    lit(out, b"],\"len\":");
}

/// `from,to]`: a byte range's items and the closing bracket.
fn range_items(out: &mut Out<'_>, [from, to]: &[u64; 2]) {
    int(out, *from);
    out.push(b',');
    int(out, *to);
    out.push(b']');
}

/// An address, as serde's `IpAddr` (its `Display`).
fn ip(out: &mut Out<'_>, a: IpAddr) {
    match a {
        IpAddr::V4(a) => ipv4(out, a),
        IpAddr::V6(a) => ipv6(out, &a),
    }
}

/// An anomaly kind's name, as its `Serialize` (kebab-case).
fn anomaly_name(kind: AnomalyKind) -> &'static [u8] {
    match kind {
        AnomalyKind::Duplicate => b"duplicate",
        AnomalyKind::Overlap => b"overlap",
        AnomalyKind::OverlapConflict => b"overlap-conflict",
        AnomalyKind::Retransmission => b"retransmission",
        AnomalyKind::BeyondEnd => b"beyond-end",
        AnomalyKind::TooLarge => b"too-large",
        AnomalyKind::Timeout => b"timeout",
        AnomalyKind::Evicted => b"evicted",
        AnomalyKind::Truncated => b"truncated",
        AnomalyKind::NoLastFragment => b"no-last-fragment",
    }
}
