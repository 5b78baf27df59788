"""pcapkit_rs.frames_arrow against the CLI's NDJSON (`pcapkit FILE -f ndjson`)."""

import re
import subprocess
import sys

import pyarrow as pa
import pytest

import pcapkit_rs
from helpers import (
    REPO,
    SAMPLE,
    assert_runs_without_the_gil,
    capture_or_skip,
    capture_params,
    cli_ndjson_frames,
)


def first(frame, *protocols):
    """The first complete layer of `frame` of one of `protocols`, or None: the summary columns
    take no value from a header cut by the snap length (`"truncated": true`)."""
    return next((layer for layer in frame["layers"]
                 if layer["protocol"] in protocols and not layer.get("truncated")), None)


def epoch_ns(frame):
    """`time_epoch` ("secs.nanos") as nanoseconds, None when absent or beyond Int64."""
    text = frame.get("time_epoch")
    if text is None:
        return None
    secs, nanos = text.split(".")
    ns = int(secs) * 10**9 + (-int(nanos) if secs.startswith("-") else int(nanos))
    return ns if -(2**63) <= ns < 2**63 else None


def expected_row(frame):
    """The summary columns of one NDJSON frame, by the rules of docs/ARROW-SCHEMA.md."""
    eth = first(frame, "Ethernet")
    ip = first(frame, "IPv4", "IPv6")
    transport = first(frame, "TCP", "UDP")
    tcp = transport if transport and transport["protocol"] == "TCP" else None
    icmp = first(frame, "ICMP", "ICMPv6")
    http = first(frame, "HTTP")
    dns = first(frame, "DNS")
    questions = (dns or {}).get("questions") or []
    error = frame.get("error") or {}
    ns = epoch_ns(frame)
    return {
        "number": frame["number"],
        "ts": None if ns is None else ns // 1000,
        "ts_ns": ns,
        "len": frame["len"],
        "cap_len": frame["cap_len"],
        "link_type": frame["link_type"],
        "interface": frame.get("interface"),
        "protocols": frame["protocols"],
        "error_layer": error.get("layer"),
        "error_offset": error.get("offset"),
        "error_reason": error.get("reason"),
        "eth_src": eth and eth["src"],
        "eth_dst": eth and eth["dst"],
        "ip_version": ip and (4 if ip["protocol"] == "IPv4" else 6),
        "ip_src": ip and ip["src"],
        "ip_dst": ip and ip["dst"],
        "ip_ttl": ip and (ip["ttl"] if ip["protocol"] == "IPv4" else ip["hop_limit"]),
        "src_port": transport and transport["src_port"],
        "dst_port": transport and transport["dst_port"],
        "tcp_flags": tcp and tcp["flags"],
        "tcp_seq": tcp and tcp["seq"],
        "tcp_ack": tcp and tcp["ack"],
        "tcp_window": tcp and tcp["window"],
        "icmp_type": icmp and icmp["type"],
        "icmp_code": icmp and icmp["code"],
        "http_method": http and http.get("method"),
        "http_target": http and http.get("target"),
        "http_status": http and http.get("status"),
        "dns_qname": questions[0]["name"].rstrip(".") if questions else None,
    }


def rows_of(reader):
    """The table's rows restricted to the columns expected_row knows, `ts` as µs."""
    table = reader.read_all()
    table = table.set_column(
        table.schema.get_field_index("ts"), "ts", table["ts"].cast(pa.int64())
    )
    columns = list(expected_row({"number": 0, "len": 0, "cap_len": 0, "link_type": "",
                                 "protocols": "", "layers": []}))
    return table.select(columns).to_pylist()


@pytest.mark.parametrize("capture", capture_params())
def test_rows_equal_the_cli_ndjson(cli, capture):
    capture = capture_or_skip(capture)
    frames = cli_ndjson_frames(cli, capture)
    if frames is None:
        with pytest.raises((pcapkit_rs.PcapkitError, OSError)):
            pcapkit_rs.frames_arrow(capture)
        return
    rows = rows_of(pcapkit_rs.frames_arrow(capture))
    assert len(rows) == len(frames)
    for row, frame in zip(rows, frames):
        assert row == expected_row(frame), frame["number"]


def test_sample_values():
    table = pcapkit_rs.frames_arrow(SAMPLE).read_all()
    assert table.num_rows == 18
    assert table["protocols"][0].as_py() == "Ethernet:ARP"
    assert table["number"].to_pylist() == list(range(1, 19))
    assert table.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("ts_ns").type == pa.int64()
    # Each number column is the narrowest signed type of its field (docs/ARROW-SCHEMA.md).
    widths = {"ip_version": pa.int8(), "ip_ttl": pa.int16(), "vlan_id": pa.int16(),
              "src_port": pa.int32(), "tcp_seq": pa.int64(), "dns_rcode": pa.int8()}
    assert {name: table.schema.field(name).type for name in widths} == widths
    assert table["ip_ttl"].to_pylist()[2] == 64
    http = [m for m in table["http_method"].to_pylist() if m]
    assert http == ["GET"]


def test_schema_is_the_documented_one():
    doc = (REPO / "docs" / "ARROW-SCHEMA.md").read_text()
    documented = re.findall(r"^\| `([a-z_0-9]+)` \|", doc, re.MULTILINE)
    schema = pcapkit_rs.frames_arrow(SAMPLE).schema
    assert schema.names == documented
    unsigned = [f.name for f in schema if pa.types.is_unsigned_integer(f.type)]
    assert unsigned == []


@pytest.mark.parametrize("layer, args", [("link", ["-L", "link"]), ("inet", ["-L", "inet"])])
def test_layer_equals_the_cli_flag(cli, layer, args):
    rows = rows_of(pcapkit_rs.frames_arrow(SAMPLE, layer=layer))
    assert rows == [expected_row(f) for f in cli_ndjson_frames(cli, SAMPLE, *args)]
    if layer == "link":
        assert all(row["ip_src"] is None for row in rows)


def test_batches_have_at_most_batch_rows(big_capture):
    path, frames = big_capture
    sizes = [batch.num_rows for batch in pcapkit_rs.frames_arrow(path, batch_rows=5000)]
    assert sum(sizes) == frames
    assert sizes[:-1] == [5000] * (len(sizes) - 1)
    assert 0 < sizes[-1] <= 5000
    default = [batch.num_rows for batch in pcapkit_rs.frames_arrow(path)]
    assert default[0] == min(65536, frames)


def test_the_gil_is_released_while_reading_batches(big_capture):
    path, frames = big_capture
    reader = pcapkit_rs.frames_arrow(path)
    table = assert_runs_without_the_gil(reader.read_all)
    assert table.num_rows == frames


def test_a_reader_reads_its_frames_once():
    reader = pcapkit_rs.frames_arrow(SAMPLE)
    assert reader.read_all().num_rows == 18
    assert reader.read_all().num_rows == 0


def test_errors_raise_when_opening(tmp_path):
    with pytest.raises(FileNotFoundError):
        pcapkit_rs.frames_arrow(tmp_path / "missing.pcap")
    text = tmp_path / "notes.pcap"
    text.write_text("not a capture\n")
    with pytest.raises(pcapkit_rs.PcapkitError):
        pcapkit_rs.frames_arrow(text)
    for kwargs in ({"batch_rows": 0}, {"engine": "nope"}, {"layer": "nope"}):
        with pytest.raises(ValueError):
            pcapkit_rs.frames_arrow(SAMPLE, **kwargs)


MEMORY_PROBE = """
import sys
import pyarrow, pcapkit_rs

def high_water():
    # VmHWM, this process's own peak: ru_maxrss keeps the parent's across fork and exec.
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024

base = high_water()
largest = 0
for batch in pcapkit_rs.frames_arrow(sys.argv[1]):
    largest = max(largest, batch.get_total_buffer_size())
print(high_water() - base, largest)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_for_loop_holds_two_batches_and_little_more(big_capture):
    """A `for` loop keeps the previous batch alive while the next one is built: two batches,
    plus what the reader holds. The memory of released batches goes back to the system
    before the next is built (without that, glibc kept ≈ 15 MB more on the 1M mix)."""
    path, _ = big_capture
    proc = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(path)],
                          capture_output=True, text=True, check=True)
    grown, largest = map(int, proc.stdout.split())
    assert largest > 10_000_000, "batches too small to tell"
    assert grown < 2 * largest + 10_000_000, (grown, largest)
