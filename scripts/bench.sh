#!/usr/bin/env bash
# Benchmarks the pcapkit binary against tshark on a large generated mixed capture.
#
#   scripts/bench.sh [--packets N] [--runs N] [--tshark-frames N] [--no-tshark] [--no-pcapng]
#                    [--output-dir DIR]
#
# Builds the release binary; generates (once, then reuses) a mixed capture of N frames
# (default 1,000,000) with ../shared/tools/gen_mix.py, as pcap and as pcapng, into bench-out/
# (outside git); for each: times `pcapkit FILE -f ndjson -o OUT -q` and `-f json` (best wall
# time of --runs, default 3, and the median; user+sys CPU and peak RSS of the best run, from
# /usr/bin/time; the reports go to --output-dir, default bench-out/, and are deleted), and
# `tshark -r FILE -c 20000 -T json > /dev/null`; then prints a Markdown table for BENCHMARKS.md.
# Inputs are read once before timing so every run starts from the page cache; `sync` runs
# before each timed run so the previous output's write-back does not compete with it.
set -euo pipefail

packets=1000000
runs=3
tshark_frames=20000
use_tshark=1
use_pcapng=1
dest_dir=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --packets) packets="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --tshark-frames) tshark_frames="$2"; shift 2 ;;
        --no-tshark) use_tshark=0; shift ;;
        --no-pcapng) use_pcapng=0; shift ;;
        --output-dir) dest_dir="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out_dir="$root/bench-out"
gen="$root/../shared/tools/gen_mix.py"
bin="$root/target/release/pcapkit"
mkdir -p "$out_dir"
dest_dir="${dest_dir:-$out_dir}"
mkdir -p "$dest_dir"
out_fs=$(findmnt -no FSTYPE -T "$dest_dir" 2>/dev/null | head -n 1 || stat -f -c %T "$dest_dir")

log() { echo "bench.sh: $*" >&2; }

# --- tools -----------------------------------------------------------------------------------
as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}
apt_install() {
    command -v apt-get >/dev/null || return 1
    as_root apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null 2>&1
}
if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time"
    apt_install time || { log "cannot install GNU time (/usr/bin/time); giving up"; exit 1; }
fi
if [[ $use_tshark -eq 1 ]] && ! command -v tshark >/dev/null; then
    log "installing tshark"
    if ! apt_install tshark; then
        log "cannot install tshark: skipping the tshark comparison"
        use_tshark=0
    fi
fi
command -v python3 >/dev/null || { log "python3 is needed to generate the input"; exit 1; }
[[ -f $gen ]] || { log "missing generator $gen"; exit 1; }

# --- build and inputs ------------------------------------------------------------------------
log "building release"
cargo build --release --quiet

generate() { # generate FILE [--pcapng]
    local file="$1"; shift
    if [[ -s $file ]]; then
        log "reusing $file"
    else
        log "generating $file ($packets frames)"
        python3 "$gen" --packets "$packets" --seed 1 --out "$file.tmp" "$@"
        mv "$file.tmp" "$file"
    fi
}
inputs=("$out_dir/mix-$packets.pcap")
generate "${inputs[0]}"
if [[ $use_pcapng -eq 1 ]]; then
    inputs+=("$out_dir/mix-$packets.pcapng")
    generate "${inputs[1]}" --pcapng
fi

# --- measuring -------------------------------------------------------------------------------
# timed LABEL CMD...: runs CMD $runs times; sets best_wall, best_cpu (user+sys), best_rss (KiB)
# from the run with the lowest wall time, and median_wall over all runs. $remove (if set) is
# deleted before each run: pcapkit renames its report over an existing file, and freeing the
# previous 800 MB report inside the timed run would be counted against it.
remove=""
timed() {
    local label="$1"; shift
    local tfile="$out_dir/time.txt" i wall usr sys rss walls=()
    best_wall=""
    for ((i = 1; i <= runs; i++)); do
        [[ -n $remove ]] && rm -f "$remove"
        sync # write back the previous run's output first: it would compete with this run
        /usr/bin/time -f '%e %U %S %M' -o "$tfile" "$@"
        read -r wall usr sys rss <"$tfile"
        log "$label run $i: wall ${wall}s user ${usr}s sys ${sys}s rss ${rss} KiB"
        walls+=("$wall")
        if [[ -z $best_wall ]] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
            best_wall=$wall
            best_cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
            best_rss=$rss
        fi
    done
    median_wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')
}
rate() { # rate FRAMES SECONDS
    awk -v n="$1" -v s="$2" 'BEGIN { if (s <= 0) s = 0.005; printf "%.0f", n / s }'
}
fmt_int() { # thousands separators: 1234567 -> 1,234,567
    sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

rows=()
for input in "${inputs[@]}"; do
    kind="${input##*.}"
    cat "$input" >/dev/null # into the page cache
    size_mb=$(awk -v b="$(stat -c %s "$input")" 'BEGIN { printf "%.0f", b / 1e6 }')

    ndjson_out="$dest_dir/pcapkit-bench-$kind.ndjson"
    remove=$ndjson_out
    timed "pcapkit $kind -> ndjson" "$bin" "$input" -f ndjson -o "$ndjson_out" -q
    frames=$(wc -l <"$ndjson_out")
    if [[ $frames -ne $packets ]]; then
        log "warning: $ndjson_out has $frames lines, expected $packets"
    fi
    out_mb=$(awk -v b="$(stat -c %s "$ndjson_out")" 'BEGIN { printf "%.0f", b / 1e6 }')
    rm -f "$ndjson_out"
    nd_wall=$best_wall nd_cpu=$best_cpu nd_rss=$best_rss nd_median=$median_wall
    nd_rate=$(rate "$frames" "$nd_wall")
    nd_cpu_rate=$(rate "$frames" "$nd_cpu")

    json_out="$dest_dir/pcapkit-bench-$kind.json"
    remove=$json_out
    timed "pcapkit $kind -> json" "$bin" "$input" -f json -o "$json_out" -q
    json_mb=$(awk -v b="$(stat -c %s "$json_out")" 'BEGIN { printf "%.0f", b / 1e6 }')
    rm -f "$json_out"
    js_wall=$best_wall js_cpu=$best_cpu js_rss=$best_rss js_median=$median_wall
    js_rate=$(rate "$frames" "$js_wall")

    rows+=("| $kind ($size_mb MB) | pcapkit → ndjson ($out_mb MB) | $(fmt_int "$frames") | $nd_wall | $nd_median | $nd_cpu | $(fmt_int "$nd_rate") | $(fmt_int "$nd_cpu_rate") | $(mib "$nd_rss") | |")
    rows+=("| $kind ($size_mb MB) | pcapkit → json ($json_mb MB) | $(fmt_int "$frames") | $js_wall | $js_median | $js_cpu | $(fmt_int "$js_rate") | $(fmt_int "$(rate "$frames" "$js_cpu")") | $(mib "$js_rss") | |")

    remove=""
    if [[ $use_tshark -eq 1 ]]; then
        timed "tshark $kind -c $tshark_frames -T json" \
            sh -c 'exec tshark -r "$1" -c "$2" -T json >/dev/null 2>&1' sh "$input" "$tshark_frames"
        ts_rate=$(rate "$tshark_frames" "$best_wall")
        ratio=$(awk -v a="$nd_rate" -v b="$ts_rate" 'BEGIN { printf "%.0f×", a / b }')
        rows+=("| $kind ($size_mb MB) | tshark -T json (first $(fmt_int "$tshark_frames")) | $(fmt_int "$tshark_frames") | $best_wall | $median_wall | $best_cpu | $(fmt_int "$ts_rate") | $(fmt_int "$(rate "$tshark_frames" "$best_cpu")") | $(mib "$best_rss") | ndjson/tshark: **$ratio** |")
    fi
done

# --- report ----------------------------------------------------------------------------------
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
rustc_v=$(rustc --version | awk '{ print $2 }')
tshark_v="not run"
if [[ $use_tshark -eq 1 ]]; then
    tshark_v=$(tshark --version 2>/dev/null | awk 'NR == 1 { v = $3 } END { print v }')
fi
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
git diff --quiet HEAD 2>/dev/null || commit="$commit+dirty"

echo
echo "Machine: $(nproc) CPUs ($cpu), $mem RAM; $(uname -sr); rustc $rustc_v; tshark $tshark_v; pcapkit $commit; $(date -u +%Y-%m-%d)."
echo "Input: gen_mix.py --packets $packets --seed 1; best and median wall of $runs runs (CPU and RSS of the best run), page cache warm; output to $out_fs ($dest_dir)."
echo
echo "| input | run | frames | best wall s | median wall s | CPU s (user+sys) | frames/s (best wall) | frames/s (CPU) | peak RSS MiB | ratio |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${rows[@]}"
