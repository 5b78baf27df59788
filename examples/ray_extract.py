#!/usr/bin/env python3
"""Ray Data over many captures: one task per capture, frames as Arrow blocks.

    python examples/ray_extract.py a.pcap b.pcapng ...

`ray.data.from_items(paths)` gives one row per capture; `map_batches` (batch_format
"pyarrow") calls `pcapkit_rs.frames_arrow(path)` in the workers (pcapkit_rs installed on
every node) and returns the frames as one Arrow table per input batch; a Ray groupby counts
the frames per protocol chain. Prints the top 10 chains and `total_rows N`.
"""

import argparse

import pyarrow as pa
import ray

import pcapkit_rs


def frames_of_paths(batch: pa.Table) -> pa.Table:
    """map_batches' function: a table of `path` in, the frames of those captures out."""
    tables = []
    for path in batch.column("path").to_pylist():
        table = pcapkit_rs.frames_arrow(path).read_all()
        tables.append(table.append_column("file", pa.array([path] * table.num_rows)))
    return pa.concat_tables(tables)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("captures", nargs="+")
    parser.add_argument("--cpus", type=int, default=2)
    args = parser.parse_args()

    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
    try:
        paths = ray.data.from_items([{"path": p} for p in args.captures])
        frames = paths.map_batches(frames_of_paths, batch_size=1, batch_format="pyarrow")
        # One distributed pass: frames per protocol chain (a few hundred groups at most).
        chains = frames.groupby("protocols").count().take_all()
        chains.sort(key=lambda row: (-row["count()"], row["protocols"]))
        for row in chains[:10]:
            print(f"{row['count()']}\t{row['protocols']}")
        print("total_rows", sum(row["count()"] for row in chains))
    finally:
        ray.shutdown()


if __name__ == "__main__":
    main()
