#!/usr/bin/env python3
"""Spark over many captures: a DataFrame of file paths, each dissected on an executor.

    python examples/spark_extract.py --master 'local[2]' a.pcap b.pcapng ...

`mapInArrow` hands each executor task Arrow batches of the `path` column; the task calls
`pcapkit_rs.frames_arrow(path)` (the pcapkit_rs wheel must be installed on every node) and
yields its record batches, so frames stream from Rust into Spark without a row-by-row copy.
Prints the frames per capture and `total_rows N`; `--parquet DIR` also writes the frames.
"""

import argparse
import os
import sys

import pyarrow as pa
from pyspark.sql import SparkSession
from pyspark.sql.pandas.types import from_arrow_schema

import pcapkit_rs


def frames_of_paths(batches):
    """mapInArrow's function: Arrow batches of `path` in, the frames of each path out."""
    for batch in batches:
        for path in batch.column("path").to_pylist():
            for frames in pcapkit_rs.frames_arrow(path):
                yield frames.append_column("file", pa.array([path] * frames.num_rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("captures", nargs="+")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--parquet", help="also write the frames as Parquet into this folder")
    args = parser.parse_args()

    # Local runs: the executors' Python is this one, with pcapkit_rs (a cluster sets its own).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(args.master)
        .appName("pcapkit")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        # The frame schema, read from a capture's reader, plus the `file` column.
        schema = pcapkit_rs.frames_arrow(args.captures[0]).schema.append(pa.field("file", pa.string()))
        paths = spark.createDataFrame([(p,) for p in args.captures], "path string")
        paths = paths.repartition(len(args.captures))  # one task per capture
        frames = paths.mapInArrow(frames_of_paths, from_arrow_schema(schema))
        if args.parquet:
            frames.write.mode("overwrite").parquet(args.parquet)
        per_file = frames.groupBy("file").count().orderBy("file").collect()  # one pass
        for row in per_file:
            print(f"{row['file']}\t{row['count']}")
        print("total_rows", sum(row["count"] for row in per_file))
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
