"""Fixtures of the pcapkit_rs tests (the helpers are in helpers.py)."""

import os
import subprocess
from pathlib import Path

import pytest

from helpers import REPO, SAMPLE, repeat_pcap


@pytest.fixture(scope="session")
def cli():
    """The pcapkit binary to compare with."""
    path = Path(os.environ.get("PCAPKIT_BIN", REPO / "target" / "release" / "pcapkit"))
    if not path.is_file():
        subprocess.run(
            ["cargo", "build", "--release", "--bin", "pcapkit"], cwd=REPO, check=True
        )
    assert path.is_file(), f"no pcapkit binary at {path}"
    return path


@pytest.fixture(scope="session")
def big_capture(tmp_path_factory):
    """A generated capture that takes a while even in release: the sample repeated (360,000
    frames, 73 MB)."""
    path = tmp_path_factory.mktemp("big") / "repeated.pcap"
    frames = repeat_pcap(SAMPLE, path, 20000)
    return path, frames
