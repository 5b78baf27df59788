"""pcapkit_rs.extract against the CLI's JSON report (`pcapkit FILE -f json`)."""

import json

import pytest

import pcapkit_rs
from helpers import (
    SAMPLE,
    assert_runs_without_the_gil,
    capture_or_skip,
    capture_params,
    cli_json,
    cli_ndjson_frames,
    run_cli,
    skip_or_fail,
    shared_captures,
)


@pytest.mark.parametrize("capture", capture_params())
def test_frames_summary_and_header_equal_the_cli_json(cli, capture):
    capture = capture_or_skip(capture)
    proc = run_cli(cli, capture, "-f", "json")
    if proc.returncode != 0:
        # The CLI refuses this input: extract raises, with the same message for a bad file.
        with pytest.raises((pcapkit_rs.PcapkitError, OSError)) as raised:
            pcapkit_rs.extract(str(capture))
        if isinstance(raised.value, pcapkit_rs.PcapkitError):
            assert proc.stderr.decode().strip() == f"pcapkit: {raised.value}"
        return
    doc = json.loads(proc.stdout)
    got = pcapkit_rs.extract(str(capture))
    assert got.length == len(doc["frames"]) == doc["summary"]["frames"]
    assert len(got) == got.length
    assert got.frames == doc["frames"]
    assert got.summary == doc["summary"]
    assert got.info == doc["file"]
    assert got.output is None and got.flows is None


def test_sample_values(cli):
    """A few values spelled out, so a change of the model shows here too."""
    got = pcapkit_rs.extract(SAMPLE)
    assert got.length == 18
    first = got.frames[0]
    assert first["protocols"] == "Ethernet:ARP"
    assert first["layers"][1]["spa"] == "192.168.1.10"
    assert got.summary["by_protocol"]["TCP"] == 9  # the cut TCP header of frame 18 included
    assert [f["number"] for f in got] == list(range(1, 19))


def test_store_false_keeps_no_frames_but_counts_them(cli):
    got = pcapkit_rs.extract(SAMPLE, store=False)
    assert got.frames == []
    assert got.length == cli_json(cli, SAMPLE)["summary"]["frames"]


@pytest.mark.parametrize(
    "kwargs, args",
    [
        ({"layer": "inet"}, ["-L", "inet"]),
        ({"layer": "LINK"}, ["-L", "link"]),
        ({"protocol": "tcp"}, ["-P", "tcp"]),
        ({"engine": "etherparse"}, ["-E", "etherparse"]),
        ({"engine": "pnet"}, ["-E", "pnet"]),
        ({"engine": "pdu"}, ["-E", "pdu"]),
        ({"engine": "server", "threads": 2}, ["-E", "server", "--threads", "2"]),
        ({"engine": "pipeline"}, ["-E", "pipeline"]),
        ({"reassemble": "all"}, ["--reassemble", "all"]),
        ({"reassemble": ["ipv4", "tcp"], "strict": True}, ["--reassemble", "ipv4,tcp", "--strict"]),
        ({"reassembly": True, "tcp": True}, ["--reassemble", "tcp"]),
        ({"reassembly": True, "ip": True}, ["--reassemble", "ipv4,ipv6"]),
    ],
)
def test_options_equal_the_cli_flags(cli, kwargs, args):
    doc = cli_json(cli, SAMPLE, *args)
    got = pcapkit_rs.extract(SAMPLE, **kwargs)
    assert got.frames == doc["frames"]
    assert got.summary == doc["summary"]


def test_reassembly_of_shared_fragments_equals_the_cli(cli):
    capture = next((p for p in shared_captures() if p.name == "pcpp__ip4_fragments.pcap"), None)
    if capture is None:
        skip_or_fail("../shared/captures/pcpp__ip4_fragments.pcap is absent")
    for kwargs, args in (({"reassemble": True}, "all"), ({"reassemble": "ipv4"}, "ipv4")):
        doc = cli_json(cli, capture, "--reassemble", args)
        got = pcapkit_rs.extract(capture, **kwargs)
        assert got.frames == doc["frames"]
        assert got.summary == doc["summary"]
        assert got.summary["counters"]["reassembly.ipv4.datagrams"] > 0


@pytest.mark.parametrize("fmt", ["json", "ndjson", "plist", "tree", "pcap"])
def test_report_file_is_the_cli_report(cli, tmp_path, fmt):
    ours = tmp_path / f"ours.{fmt if fmt != 'tree' else 'txt'}"
    theirs = tmp_path / f"theirs.{fmt if fmt != 'tree' else 'txt'}"
    got = pcapkit_rs.extract(SAMPLE, fout=ours)
    assert run_cli(cli, SAMPLE, "-o", theirs).returncode == 0
    assert got.output == ours
    assert ours.read_bytes() == theirs.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_format_and_extension(cli, tmp_path):
    got = pcapkit_rs.extract(SAMPLE, fout=tmp_path / "report", format="ndjson", store=False)
    assert got.output == tmp_path / "report.ndjson"
    lines = [json.loads(line) for line in got.output.read_text().splitlines()]
    assert lines == cli_ndjson_frames(cli, SAMPLE)
    bare = pcapkit_rs.extract(SAMPLE, fout=tmp_path / "bare", format="json", extension=False)
    assert bare.output == tmp_path / "bare"
    assert json.loads(bare.output.read_text()) == cli_json(cli, SAMPLE)


def test_nofile_writes_nothing(tmp_path):
    got = pcapkit_rs.extract(SAMPLE, fout=tmp_path / "r.json", nofile=True)
    assert got.output is None
    assert list(tmp_path.iterdir()) == []
    assert got.length == 18


def test_files_writes_one_report_per_frame(tmp_path):
    out = tmp_path / "frames"
    got = pcapkit_rs.extract(SAMPLE, fout=out, format="json", files=True)
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == got.length == 18
    assert names[0] == "frame-000001.json"
    one = json.loads((out / names[0]).read_text())
    assert one["frames"] == [got.frames[0]]


def test_trace_writes_the_cli_flows(cli, tmp_path):
    got = pcapkit_rs.extract(SAMPLE, trace=tmp_path / "ours", store=False)
    assert run_cli(cli, SAMPLE, "--trace", tmp_path / "theirs", "-f", "ndjson").returncode == 0
    ours = json.loads((tmp_path / "ours" / "index.json").read_text())
    theirs = json.loads((tmp_path / "theirs" / "index.json").read_text())
    assert ours == theirs
    flows = sorted(p.name for p in (tmp_path / "ours").iterdir() if p.suffix == ".pcap")
    assert flows == sorted(p.name for p in (tmp_path / "theirs").iterdir() if p.suffix == ".pcap")
    assert got.flows[0] == len(flows) > 0
    # PyPCAPKit's spelling: trace=True with trace_fout.
    again = pcapkit_rs.extract(SAMPLE, trace=True, trace_fout=tmp_path / "again", trace_format="pcap")
    assert again.flows == got.flows


def test_a_failed_trace_leaves_the_report_as_the_cli_does(cli, tmp_path):
    """The trace cannot write its index (a folder holds the name): the run fails before the
    report is put in place, as the CLI's does (issue 8): an old report stays untouched, a new
    one never appears, and no temporary file is left beside either."""
    for who in ("extract", "cli"):
        trace = tmp_path / f"trace-{who}"
        (trace / "index.json").mkdir(parents=True)
        (trace / "index.json" / "keep").write_text("in the way\n")
        old = tmp_path / f"old-{who}.json"
        old.write_text("the previous report\n")
        new = tmp_path / f"new-{who}.json"
        for fout in (old, new):
            if who == "extract":
                with pytest.raises(OSError, match="index.json"):
                    pcapkit_rs.extract(SAMPLE, fout=fout, trace=trace)
            else:
                proc = run_cli(cli, SAMPLE, "-o", fout, "--trace", trace)
                assert proc.returncode == 1, proc.stderr
        assert old.read_text() == "the previous report\n"
        assert not new.exists()
        assert (trace / "index.json" / "keep").read_text() == "in the way\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "old-cli.json", "old-extract.json", "trace-cli", "trace-extract"
    ]


def test_the_input_is_never_the_output(tmp_path):
    capture = tmp_path / "in.pcap"
    capture.write_bytes(SAMPLE.read_bytes())
    with pytest.raises(ValueError):
        pcapkit_rs.extract(capture, fout=capture, format="json")
    assert capture.read_bytes() == SAMPLE.read_bytes()


def test_errors_map_to_python_exceptions(cli, tmp_path):
    with pytest.raises(FileNotFoundError):
        pcapkit_rs.extract(tmp_path / "missing.pcap")
    text = tmp_path / "notes.pcap"
    text.write_text("not a capture at all\n")
    with pytest.raises(pcapkit_rs.PcapkitError) as raised:
        pcapkit_rs.extract(text)
    assert run_cli(cli, text).stderr.decode().strip() == f"pcapkit: {raised.value}"
    with pytest.raises(FileNotFoundError):
        pcapkit_rs.extract(SAMPLE, fout=tmp_path / "no" / "such" / "dir" / "r.json")
    bad = [
        {"engine": "wireshark"},
        {"layer": "session"},
        {"protocol": "carrier-pigeon"},
        {"layer": "inet", "protocol": "tcp"},
        {"reassemble": "udp"},
        {"trace": True},
        {"trace": tmp_path / "t", "trace_format": "json"},
        {"fout": tmp_path / "r.unknown"},
        {"fout": tmp_path / "r.json", "format": "xml"},
        {"fout": tmp_path / "dir", "files": True},
    ]
    for kwargs in bad:
        with pytest.raises(ValueError):
            pcapkit_rs.extract(SAMPLE, **kwargs)
    assert not (tmp_path / "t").exists()


def test_the_gil_is_released_while_extracting(big_capture):
    path, frames = big_capture
    done = assert_runs_without_the_gil(lambda: pcapkit_rs.extract(path, store=False))
    assert done.length == frames
