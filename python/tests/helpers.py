"""Helpers of the pcapkit_rs tests: the CLI to compare with, the captures to read.

The tests run against the installed wheel (scripts/scale_check.sh builds it and installs it
into a fresh venv) and compare with the `pcapkit` binary: `$PCAPKIT_BIN`, else the repo's
`target/release/pcapkit` (built once with `cargo build --release` when missing).

Captures: the repo's sample (made by src/synth.rs), a larger one generated from it, and every
capture in ../shared/captures. When that folder is absent its tests skip with a printed
`SKIPPED` line, and fail under CI=true, as tests/common/mod.rs does.
"""

import json
import os
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "captures"
SAMPLE = REPO / "samples" / "sample.pcap"
NOT_CAPTURES = {"MANIFEST.tsv", "README.md", "README", "SHA256SUMS"}


def under_ci():
    """Whether we run under CI (CI set, and not to false or 0), where data is required."""
    return os.environ.get("CI", "") not in ("", "false", "0")


def skip_or_fail(why):
    """Fails under CI; elsewhere prints `SKIPPED: <why>` past pytest's capture and skips."""
    if under_ci():
        pytest.fail(f"{why}; under CI the shared captures are required")
    print(f"SKIPPED: {why} (CI=true makes this a failure)", file=sys.__stderr__)
    pytest.skip(why)


def shared_captures():
    """The capture files of ../shared/captures (no oracle files), or [] when it is absent."""
    if not SHARED.is_dir():
        return []
    return sorted(
        p for p in SHARED.iterdir()
        if p.is_file() and ".tshark." not in p.name and p.name not in NOT_CAPTURES
    )


def capture_params():
    """pytest params: the sample, then each shared capture (or one that skips or fails)."""
    params = [pytest.param(SAMPLE, id="sample")]
    shared = shared_captures()
    if shared:
        params += [pytest.param(p, id=p.name) for p in shared]
    else:
        params.append(pytest.param(None, id="shared-captures-absent"))
    return params


def capture_or_skip(capture):
    """The capture of a param, or skip/fail for the absent shared folder."""
    if capture is None:
        skip_or_fail(f"{SHARED} is absent")
    return capture


def repeat_pcap(src, dst, times):
    """Writes `dst`: classic pcap `src` with its records repeated `times` times."""
    data = Path(src).read_bytes()
    magic = data[:4]
    order = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    records, offset = [], 24
    while offset + 16 <= len(data):
        (incl_len,) = struct.unpack_from(order + "I", data, offset + 8)
        records.append(data[offset:offset + 16 + incl_len])
        offset += 16 + incl_len
    body = b"".join(records)
    with open(dst, "wb") as out:
        out.write(data[:24])
        for _ in range(times):
            out.write(body)
    return len(records) * times


def run_cli(cli, *args):
    """Runs the CLI (stdout and stderr captured)."""
    return subprocess.run([str(cli), *map(str, args)], capture_output=True)


def cli_json(cli, capture, *args):
    """The CLI's JSON document for `capture` (None when the CLI refuses the input)."""
    proc = run_cli(cli, capture, "-f", "json", *args)
    return json.loads(proc.stdout) if proc.returncode == 0 else None


def cli_ndjson_frames(cli, capture, *args):
    """The frame lines of the CLI's NDJSON for `capture` (None when it refuses the input)."""
    proc = run_cli(cli, capture, "-f", "ndjson", *args)
    if proc.returncode != 0:
        return None
    lines = (json.loads(line) for line in proc.stdout.splitlines() if line)
    return [line for line in lines if "record" not in line]


def assert_runs_without_the_gil(work):
    """Runs `work()` on a thread while this one ticks: a call that kept the GIL would stop
    the ticks for its whole length. Returns what `work` returned."""
    done = {}

    def run():
        start = time.monotonic()
        done["result"] = work()
        done["seconds"] = time.monotonic() - start

    worker = threading.Thread(target=run)
    ticks = [time.monotonic()]
    worker.start()
    while worker.is_alive():
        ticks.append(time.monotonic())
        time.sleep(0.001)
    worker.join()
    longest_pause = max(b - a for a, b in zip(ticks, ticks[1:]))
    assert done["seconds"] > 0.05, "the capture is too small to tell"
    assert longest_pause < done["seconds"] / 2, (longest_pause, done["seconds"])
    return done["result"]
