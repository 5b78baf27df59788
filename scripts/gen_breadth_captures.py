#!/usr/bin/env python3
"""Benchmark inputs for the breadth decoders (BENCHMARKS.md, issue 12).

  gen_breadth_captures.py wlan OUT.pcap N   802.11 data frames behind radiotap (link type 127):
                                             radiotap (TSFT, flags with FCS, rate, channel,
                                             signal), QoS data, LLC/SNAP, IPv4, TCP, 64 bytes, FCS
  gen_breadth_captures.py tls OUT.pcap N    Ethernet/IPv4/TCP port 443 frames, each one TLS
                                             handshake record, ClientHello (SNI, ALPN, 16
                                             suites, supported_versions) and ServerHello in turn
Checksums are left zero (pcapkit does not verify them)."""
import struct
import sys


def pcap(path, link_type, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, link_type))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 1_700_000_000 + i // 1000, (i % 1000) * 1000, len(frame), len(frame)))
            f.write(frame)


def ipv4_tcp(sport, dport, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x18, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return ip + tcp


def wlan_frame(i):
    radiotap = bytes.fromhex("00002400 2f4000a0 20080000 00000000") + struct.pack("<Q", i) + bytes.fromhex("10169e09a000ba000000ba00")
    mac = bytes.fromhex("8801 3a01 882593406b6f f8a9d01e90a3 882593406b6f") + struct.pack("<H", (i % 4096) << 4) + b"\x00\x00"
    llc = bytes.fromhex("aaaa030000000800")
    return radiotap + mac + llc + ipv4_tcp(49417, 80, bytes(64)) + b"\x00\x00\x00\x00"


def hello(client):
    exts = b""
    if client:
        name = b"www.example.com"
        exts += struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
        alpn = b"\x02h2\x08http/1.1"
        exts += struct.pack("!HHH", 16, len(alpn) + 2, len(alpn)) + alpn
        exts += struct.pack("!HHB", 43, 5, 4) + b"\x03\x04\x03\x03"
        body = b"\x03\x03" + bytes(32) + b"\x20" + bytes(32) + struct.pack("!H", 32) + bytes(range(32)) + b"\x01\x00"
    else:
        exts += struct.pack("!HHH", 43, 2, 0x0304)
        body = b"\x03\x03" + bytes(32) + b"\x20" + bytes(32) + b"\x13\x01\x00"
    body += struct.pack("!H", len(exts)) + exts
    hs = bytes([1 if client else 2]) + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tls_frame(i):
    eth = bytes.fromhex("0011223344550066778899aa0800")
    client = i % 2 == 0
    ports = (50000, 443) if client else (443, 50000)
    return eth + ipv4_tcp(*ports, hello(client))


def main():
    kind, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "wlan":
        pcap(out, 127, (wlan_frame(i) for i in range(n)))
    elif kind == "tls":
        pcap(out, 1, (tls_frame(i) for i in range(n)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
