"""The installed package is the manylinux2014 abi3 wheel, not the source tree."""

import sys
from importlib import metadata
from pathlib import Path

import pcapkit_rs
from helpers import REPO


def test_module_comes_from_the_installed_wheel():
    module = Path(pcapkit_rs.__file__).resolve()
    assert Path(sys.prefix).resolve() in module.parents
    assert REPO / "python" not in module.parents  # not the source tree
    files = [str(f) for f in metadata.distribution("pcapkit-rs").files]
    assert [f for f in files if f.endswith(".abi3.so")] == ["pcapkit_rs/pcapkit_rs.abi3.so"]


def test_wheel_tags_are_abi3_and_manylinux2014():
    dist = metadata.distribution("pcapkit-rs")
    tags = [line.split(": ", 1)[1] for line in dist.read_text("WHEEL").splitlines()
            if line.startswith("Tag: ")]
    assert tags, "the WHEEL file lists no tag"
    assert all(tag.startswith("cp38-abi3-") for tag in tags), tags
    assert any(tag.endswith("manylinux2014_x86_64") or tag.endswith("manylinux_2_17_x86_64")
               for tag in tags), tags
    assert dist.version == pcapkit_rs.__version__
