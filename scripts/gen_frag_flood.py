#!/usr/bin/env python3
"""Writes a pcap of N IPv4 first fragments (MF set) of distinct datagrams that never complete:
the memory-bound benchmark of --reassemble (see BENCHMARKS.md, "Reassembly").

usage: gen_frag_flood.py --packets 1000000 --out /tmp/frag1m.pcap
"""
import argparse
import struct


def csum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--packets", type=int, default=1_000_000)
    ap.add_argument("--payload", type=int, default=64, help="fragment data bytes (multiple of 8)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    eth = b"\x02\x00\x00\x00\x00\x04" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"
    data = b"\x5a" * a.payload
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(a.packets):
            src = struct.pack("!I", 0x0A000000 | (i >> 16))
            dst = b"\xc0\x00\x02\x01"
            hdr = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(data), i & 0xFFFF, 0x2000, 64, 17, 0)
            hdr += src + dst
            hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
            frame = eth + hdr + data
            # One frame per microsecond: 1 s of capture time, so the 30 s timeout never fires
            # and only the count and memory bounds hold the table.
            f.write(struct.pack("<IIII", 1_700_000_000 + i // 1_000_000, i % 1_000_000, len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
