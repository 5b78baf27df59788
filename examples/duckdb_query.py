#!/usr/bin/env python3
"""DuckDB over pcapkit's Parquet output: top talkers and protocols by bytes.

    pcapkit capture.pcap -f parquet -o frames.parquet
    python examples/duckdb_query.py frames.parquet [more.parquet ...]

An argument that is not a .parquet file is read as a capture, straight from
`pcapkit_rs.frames_arrow` into an Arrow table in memory (no Parquet file; for small inputs).
Prints the two tables, then `total_rows N` and `total_cap_bytes B` (the sum of `cap_len`,
what pcapkit's JSON summary calls `bytes`).
"""

import sys

import duckdb

TOP_TALKERS = """
    SELECT ip_src, ip_dst, count(*) AS frames, sum(len) AS bytes
    FROM frames WHERE ip_src IS NOT NULL
    GROUP BY ip_src, ip_dst ORDER BY bytes DESC, frames DESC, ip_src, ip_dst LIMIT 10
"""
PROTOCOLS_BY_BYTES = """
    SELECT protocols, count(*) AS frames, sum(len) AS bytes
    FROM frames GROUP BY protocols ORDER BY bytes DESC, protocols LIMIT 10
"""
TOTALS = "SELECT count(*), coalesce(sum(cap_len), 0) FROM frames"


def create_frames_view(con, inputs):
    """The view `frames` over every input: Parquet files as they are, captures through Arrow."""
    parquet = [p for p in inputs if p.endswith(".parquet")]
    captures = [p for p in inputs if not p.endswith(".parquet")]
    parts = []
    if parquet:
        con.read_parquet(parquet).create_view("parquet_frames")
        parts.append("SELECT * FROM parquet_frames")
    if captures:
        import pcapkit_rs

        for n, path in enumerate(captures):
            # A reader scans once and the view is queried three times: keep the table.
            con.register(f"capture_{n}", pcapkit_rs.frames_arrow(path).read_all())
            parts.append(f"SELECT * FROM capture_{n}")
    con.execute("CREATE VIEW frames AS " + " UNION ALL ".join(parts))


def main():
    inputs = sys.argv[1:]
    if not inputs:
        sys.exit(__doc__)
    con = duckdb.connect()
    create_frames_view(con, inputs)
    for title, query in (("top talkers", TOP_TALKERS), ("protocols by bytes", PROTOCOLS_BY_BYTES)):
        print(f"-- {title}")
        for row in con.execute(query).fetchall():
            print("\t".join(str(v) for v in row))
    rows, cap_bytes = con.execute(TOTALS).fetchone()
    print("total_rows", rows)
    print("total_cap_bytes", cap_bytes)


if __name__ == "__main__":
    main()
