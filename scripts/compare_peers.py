#!/usr/bin/env python3
"""Helpers for scripts/compare.sh: the Python peers, a pcap prefix tool, the report and chart.

    compare_peers.py prefix IN OUT N        first N frames of the classic pcap IN into OUT (stdlib)
    compare_peers.py count FILE             frames in a classic pcap (stdlib)
    compare_peers.py dpkt FILE              dpkt: parse every frame, one JSON object a line on stdout
    compare_peers.py scapy FILE             Scapy: PcapReader walk, one protocol chain a line
    compare_peers.py pyshark FILE           PyShark: FileCapture walk, one protocol chain a line
    compare_peers.py pypcapkit FILE ENGINE OUT
                                            PyPCAPKit: pcapkit.extract(fin=FILE, fout=OUT,
                                            format='json', engine=ENGINE, store=False)
    compare_peers.py report RESULTS.tsv TABLE.md CHART.svg [SUBTITLE]
                                            the Markdown table and the log-scale SVG bar chart
    compare_peers.py profile CALLGRIND.OUT FRAMES
                                            where the instructions go (read, dissect, encode,
                                            the rest) and the top functions, as Markdown

The peer modes need the packages of the virtualenv compare.sh creates; prefix, count and report
need only the standard library.
"""

import html
import json
import math
import struct
import sys

# --------------------------------------------------------------------------------------------
# pcap prefix and count (standard library only)
# --------------------------------------------------------------------------------------------


def _pcap_records(f):
    header = f.read(24)
    if len(header) < 24:
        raise SystemExit("not a pcap file: short header")
    magic = header[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise SystemExit("not a classic pcap file (pcapng? use editcap -F pcap)")
    yield header
    while True:
        rec = f.read(16)
        if len(rec) < 16:
            return
        cap_len = struct.unpack(endian + "I", rec[8:12])[0]
        data = f.read(cap_len)
        if len(data) < cap_len:
            return
        yield rec + data


def prefix(src, dst, n):
    written = 0
    with open(src, "rb") as f, open(dst + ".tmp", "wb") as out:
        records = _pcap_records(f)
        out.write(next(records))
        for rec in records:
            if written >= n:
                break
            out.write(rec)
            written += 1
    import os

    os.replace(dst + ".tmp", dst)
    print(written)


def count(src):
    with open(src, "rb") as f:
        records = _pcap_records(f)
        next(records)
        print(sum(1 for _ in records))


# --------------------------------------------------------------------------------------------
# Python peers
# --------------------------------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return repr(value)


def run_dpkt(path):
    """dpkt: decode each frame from Ethernet down, every header field of every layer, as JSON."""
    import dpkt

    out = sys.stdout
    with open(path, "rb") as f:
        for number, (ts, buf) in enumerate(dpkt.pcap.Reader(f), 1):
            layers = []
            chain = []
            try:
                layer = dpkt.ethernet.Ethernet(buf)
            except dpkt.UnpackError as e:
                layer = None
                error = str(e)
            else:
                error = None
            while isinstance(layer, dpkt.Packet):
                name = type(layer).__name__
                chain.append(name)
                record = {"protocol": name}
                for field in layer.__hdr_fields__:
                    record[field] = _jsonable(getattr(layer, field))
                layers.append(record)
                layer = layer.data
            frame = {
                "number": number,
                "time_epoch": ts,
                "len": len(buf),
                "protocols": ":".join(chain) or "Raw",
                "layers": layers,
            }
            if error:
                frame["error"] = error
            out.write(json.dumps(frame))
            out.write("\n")


def run_scapy(path):
    """Scapy: PcapReader, walk each packet's layers (dissection is done on read)."""
    from scapy.all import PcapReader  # noqa: F401  (loads every layer, as users do)

    out = sys.stdout
    with PcapReader(path) as reader:
        for pkt in reader:
            names = []
            layer = pkt
            while layer is not None and layer.name != "NoPayload" and type(layer).__name__ != "NoPayload":
                names.append(layer.name)
                layer = layer.payload if layer.payload else None
            out.write(":".join(names))
            out.write("\n")


def run_pyshark(path):
    """PyShark: FileCapture (tshark -T pdml underneath), walk each packet's layers."""
    import pyshark

    out = sys.stdout
    cap = pyshark.FileCapture(path, keep_packets=False)
    try:
        for pkt in cap:
            out.write(":".join(layer.layer_name for layer in pkt.layers))
            out.write("\n")
    finally:
        cap.close()


def run_pypcapkit(path, engine, fout):
    """PyPCAPKit: the original's own entry point, JSON report into fout."""
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    import pcapkit

    extraction = pcapkit.extract(
        fin=path,
        fout=fout,
        format="json",
        engine=engine,
        store=False,
        extension=False,
    )
    print(f"pypcapkit {engine}: {extraction.length} frames", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# report: Markdown table and SVG chart
# --------------------------------------------------------------------------------------------

COLUMNS = [
    "tool", "variant", "input", "frames", "input_bytes", "wall", "wall_median", "cpu", "rss_kib",
    "out_bytes", "status", "note", "role",
]


def _read_results(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            fields += [""] * (len(COLUMNS) - len(fields))
            rows.append(dict(zip(COLUMNS, fields)))
    return rows


def _num(text, default=0.0):
    try:
        return float(text)
    except ValueError:
        return default


def _group(n):
    return f"{n:,.0f}"


def _sig(x):
    if x == 0:
        return "0"
    if x >= 100:
        return _group(x)
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.2g}"


def _sec_per_packet(s):
    if s <= 0:
        return "–"
    exp = math.floor(math.log10(s))
    mant = s / 10**exp
    return f"{mant:.2f}e{exp}"


def report(results, table_path, chart_path, subtitle=""):
    rows = _read_results(results)
    ok = [r for r in rows if r["status"] == "ok"]
    for r in ok:
        frames = _num(r["frames"])
        wall = max(_num(r["wall"]), 1e-6)
        r["fps"] = frames / wall
        r["mbps"] = _num(r["input_bytes"]) / wall / 1e6
        r["bpf"] = _num(r["out_bytes"]) / frames if frames else 0
        r["spp"] = wall / frames if frames else 0
    base = next((r for r in ok if r["tool"] == "tshark" and r["variant"] == "-T json"), None)

    lines = [
        "| tool | engine / format | input | frames | frames/s | MB/s | wall s (best / median) "
        "| CPU s | frames per CPU s | peak RSS MiB | output B/frame | × tshark -T json | s/packet |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["status"] != "ok":
            lines.append(
                f"| {r['tool']} | {r['variant']} | {r['input']} | | | | | | | | | | "
                f"{r['status']}: {r['note']} |"
            )
            continue
        ratio = f"{_sig(r['fps'] / base['fps'])}×" if base else "–"
        cpu = _num(r["cpu"])
        per_cpu = _group(_num(r["frames"]) / cpu) if cpu > 0 else "–"
        if base and r is base:
            ratio = "1×"
        note = f" ({r['note']})" if r["note"] else ""
        lines.append(
            f"| {r['tool']} | {r['variant']}{note} | {r['input']} | {_group(_num(r['frames']))} "
            f"| {_group(r['fps'])} | {_sig(r['mbps'])} "
            f"| {_num(r['wall']):.3f} / {_num(r['wall_median']):.3f} | {cpu:.2f} | {per_cpu} "
            f"| {_num(r['rss_kib']) / 1024:.1f} | {_group(r['bpf'])} | {ratio} "
            f"| {_sec_per_packet(r['spp'])} |"
        )
    with open(table_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    _summary(ok, base, table_path[: -len(".md")] + "-summary.md" if table_path.endswith(".md") else table_path + ".summary")
    _chart(ok, chart_path, subtitle)
    _targets(ok)


def _targets(ok):
    """Prints the issue's targets, measured in this run, as a Markdown table."""

    def first(role):
        return next((r for r in ok if r["role"] == role), None)

    native = first("native-ndjson")
    rows = []

    def ratio_target(name, other, need):
        if not native or not other:
            rows.append(f"| {name} | not measured (a tool is missing) | |")
            return
        ratio = native["fps"] / other["fps"]
        verdict = "holds" if ratio >= need else "does not hold"
        by_cpu = ""
        if _num(native["cpu"]) > 0 and _num(other["cpu"]) > 0:
            cpu_ratio = (_num(native["frames"]) / _num(native["cpu"])) / (_num(other["frames"]) / _num(other["cpu"]))
            by_cpu = f"; per CPU second: {cpu_ratio:,.0f}×"
        rows.append(
            f"| {name} | {ratio:,.0f}× ({_group(native['fps'])} vs {_group(other['fps'])} frames/s{by_cpu}) | {verdict} |"
        )

    ratio_target("native → NDJSON ≥ 150× `tshark -T json`", first("tshark-json"), 150)
    ratio_target("native → NDJSON ≥ 10,000× PyPCAPKit (default engine)", first("pypcapkit-default"), 10000)
    ratio_target("native → NDJSON ≥ 5× `tcpdump -nn -v`", first("tcpdump"), 5)
    engines = [r for r in ok if r["role"] in ("native-ndjson", "engine")]
    python = [r for r in ok if r["role"] in ("python", "pypcapkit-default")]
    if engines and python:
        slow = min(engines, key=lambda r: r["fps"])
        fast = max(python, key=lambda r: r["fps"])
        ratio = slow["fps"] / fast["fps"]
        verdict = "holds" if ratio >= 20 else "does not hold"
        rows.append(
            f"| every pcapkit engine ≥ 20× every Python peer | slowest engine ({slow['variant']}) / fastest peer "
            f"({fast['tool']} {fast['variant']}): {ratio:,.0f}× | {verdict} |"
        )
    else:
        rows.append("| every pcapkit engine ≥ 20× every Python peer | not measured (no Python peer) | |")
    small = first("rss-small")
    if native and small and _num(small["rss_kib"]) > 0:
        big, little = _num(native["rss_kib"]), _num(small["rss_kib"])
        change = (big - little) / little * 100
        verdict = "holds" if abs(change) <= 10 else "does not hold"
        rows.append(
            f"| peak RSS flat in input size (±10 %) | {big / 1024:.1f} MiB ({_group(_num(native['frames']))} frames) "
            f"vs {little / 1024:.1f} MiB ({_group(_num(small['frames']))}): {change:+.1f} % | {verdict} |"
        )
    else:
        rows.append("| peak RSS flat in input size (±10 %) | not measured (input under 200,000 frames or no GNU time) | |")
    # The stages' own targets (issues 10 and 11), when the binary has them.
    for flag, need, rss_cap in (("--reassemble all", 0.70, None), ("--trace DIR", 0.50, 128)):
        row = next((r for r in ok if r["tool"] == "pcapkit" and r["variant"] == f"native → ndjson {flag}"), None)
        if native and row:
            share = row["fps"] / native["fps"]
            verdict = "holds" if share >= need else "does not hold"
            text = f"{share * 100:.0f} % ({_group(row['fps'])} frames/s)"
            if rss_cap:
                rss = _num(row["rss_kib"]) / 1024
                text += f", peak RSS {rss:.1f} MiB"
                if rss > rss_cap:
                    verdict = "does not hold"
            cap = f", peak RSS ≤ {rss_cap} MB" if rss_cap else ""
            rows.append(f"| native → NDJSON `{flag}` ≥ {need * 100:.0f} % of plain{cap} | {text} | {verdict} |")
    print("| target | measured | verdict |")
    print("|---|---|---|")
    print("\n".join(rows))
    print()


def _summary(ok, base, path):
    """One row per tool (for the README): pcapkit's engines into NDJSON, and every peer."""
    rows = [r for r in ok if r["role"] in ("native-ndjson", "engine") or r["tool"] != "pcapkit"]
    rows = [r for r in rows if "--reassemble" not in r["variant"] and "--trace" not in r["variant"]]
    lines = [
        "| tool | engine / format | frames/s | × tshark -T json | seconds per packet | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=lambda r: -r["fps"]):
        ratio = f"{_sig(r['fps'] / base['fps'])}×" if base else "–"
        lines.append(
            f"| {r['tool']} | {r['variant']} | {_group(r['fps'])} | {ratio} | {_sec_per_packet(r['spp'])} "
            f"| {_num(r['rss_kib']) / 1024:.1f} |"
        )
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def _chart(rows, path, subtitle=""):
    """Horizontal bars, log-scale frames/s, one bar per row (best of the runs): every engine into
    NDJSON (and its variants), native into every format, and every peer."""
    rows = [
        r for r in rows
        if r["role"] not in ("rss-small", "pcapng")
        and not (r["role"] == "engine-format" and not r["variant"].startswith("native "))
    ]
    rows = sorted(rows, key=lambda r: -r["fps"])
    if not rows:
        return
    colors = {"pcapkit": "#1f6feb", "tshark": "#8250df", "tcpdump": "#bf8700"}
    def row_label(r):
        name = f"{r['tool']} {r['variant']}"
        if r["input"] and r["input"] != "mix":
            name += f" [{r['input']}]"
        return name

    label_w = max(330, 12 + round(6.6 * max(len(row_label(r)) for r in rows)))
    bar_w, row_h, top, right = 520, 20, 62, 120
    height = top + row_h * len(rows) + 40
    width = label_w + bar_w + right
    lo = 10 ** math.floor(math.log10(max(min(r["fps"] for r in rows), 1)))
    hi = 10 ** math.ceil(math.log10(max(r["fps"] for r in rows)))
    if hi <= lo:
        hi = lo * 10
    span = math.log10(hi) - math.log10(lo)

    def x(v):
        return label_w + bar_w * (math.log10(max(v, lo)) - math.log10(lo)) / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">'
        "frames per second (log scale, higher is better)</text>",
        f'<text x="{width / 2}" y="34" text-anchor="middle" fill="#57606a">{html.escape(subtitle)}</text>',
    ]
    decade = lo
    while decade <= hi:
        gx = x(decade)
        out.append(
            f'<line x1="{gx:.1f}" y1="{top - 8}" x2="{gx:.1f}" y2="{top + row_h * len(rows)}" '
            'stroke="#d0d7de"/>'
        )
        label = f"1e{round(math.log10(decade))}"
        out.append(f'<text x="{gx:.1f}" y="{top - 12}" text-anchor="middle" fill="#57606a">{label}</text>')
        decade *= 10
    for i, r in enumerate(rows):
        y = top + i * row_h
        name = row_label(r)
        color = colors.get(r["tool"], "#2da44e")
        out.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{html.escape(name)}</text>'
        )
        out.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{max(x(r["fps"]) - label_w, 1):.1f}" '
            f'height="{row_h - 6}" fill="{color}"/>'
        )
        out.append(f'<text x="{x(r["fps"]) + 4:.1f}" y="{y + 14}">{_group(r["fps"])}</text>')
    legend_y = top + row_h * len(rows) + 24
    lx = label_w
    for tool, color in [("pcapkit", colors["pcapkit"]), ("tshark", colors["tshark"]),
                        ("tcpdump", colors["tcpdump"]), ("Python peers", "#2da44e")]:
        out.append(f'<rect x="{lx}" y="{legend_y - 10}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{lx + 16}" y="{legend_y}">{tool}</text>')
        lx += 120
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


# --------------------------------------------------------------------------------------------
# profile: callgrind output by stage
# --------------------------------------------------------------------------------------------

# Inclusive stages of the sequential path, by the function that is each stage's entry point.
STAGES = [
    ("read (`CaptureReader::next_frame`)", "CaptureReader::next_frame"),
    ("dissect (`Dissector::dissect`)", " as pcapkit::engine::Dissector>::dissect"),
    ("encode (the dumper's `FrameSink::frame`)", "pcapkit::dump::"),
    ("drop of the frame model (`drop_in_place<Layer>`…)", "drop_in_place<pcapkit::model"),
]


def _annotate(path, inclusive):
    import re
    import subprocess

    args = ["callgrind_annotate", "--auto=no", f"--inclusive={'yes' if inclusive else 'no'}", "--threshold=100", path]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)$", line)
        if m and "PROGRAM TOTALS" not in line:
            rows.append((int(m.group(1).replace(",", "")), m.group(3)))
    total = re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", text)
    return (int(total.group(1).replace(",", "")) if total else 0), rows


def _short(name):
    """ "file:function [object]" -> "function" (inlined code is listed under its source file)."""
    import re

    name = name.split(" [", 1)[0]
    m = re.match(r"^(?:\S+?\.(?:rs|c|S|h)|\?\?\?):(.*)$", name)
    return m.group(1) if m else name


def profile(path, frames):
    frames = max(int(frames), 1)
    total, inclusive = _annotate(path, True)
    _, exclusive = _annotate(path, False)
    print(f"{total:,} instructions, {total / frames:,.0f} a frame ({frames:,} frames)")
    print()
    print("| stage | instructions | share | per frame |")
    print("|---|---:|---:|---:|")
    accounted = 0
    for label, needle in STAGES:
        # the outermost function of the stage: the largest inclusive count whose name matches
        if needle == "pcapkit::dump::":
            cands = [n for n, f in inclusive if "FrameSink>::frame" in f and "pcapkit::dump::" in f]
        else:
            cands = [n for n, f in inclusive if needle in f]
        n = max(cands, default=0)
        accounted += n
        print(f"| {label} | {n:,} | {n / total * 100:.1f} % | {n / frames:,.0f} |")
    rest = total - accounted
    print(f"| the rest (engine loop, allocator outside the stages, start-up) | {rest:,} | "
          f"{rest / total * 100:.1f} % | {rest / frames:,.0f} |")
    print()
    print("Top functions by their own instructions (exclusive):")
    print()
    print("| function | instructions | share |")
    print("|---|---:|---:|")
    merged = {}
    for n, f in exclusive:
        merged[_short(f)] = merged.get(_short(f), 0) + n
    for f, n in sorted(merged.items(), key=lambda kv: -kv[1])[:20]:
        print(f"| `{f[:110]}` | {n:,} | {n / total * 100:.1f} % |")


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    mode, args = argv[1], argv[2:]
    if mode == "prefix" and len(args) == 3:
        prefix(args[0], args[1], int(args[2]))
    elif mode == "count" and len(args) == 1:
        count(args[0])
    elif mode == "dpkt" and len(args) == 1:
        run_dpkt(args[0])
    elif mode == "scapy" and len(args) == 1:
        run_scapy(args[0])
    elif mode == "pyshark" and len(args) == 1:
        run_pyshark(args[0])
    elif mode == "pypcapkit" and len(args) == 3:
        run_pypcapkit(args[0], args[1], args[2])
    elif mode == "profile" and len(args) == 2:
        profile(args[0], args[1])
    elif mode == "report" and len(args) in (3, 4):
        report(*args)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except BrokenPipeError:
        sys.exit(0)
