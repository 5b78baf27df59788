#!/usr/bin/env bash
# One command for the comparative benchmark: every pcapkit engine and format against tshark,
# tcpdump, dpkt, Scapy, PyShark and PyPCAPKit, on the same files, in the same run.
#
#   scripts/compare.sh [--packets N] [--runs N] [--slow-frames N] [--slowest-frames N]
#                      [--no-peers] [--no-python] [--no-pcapng] [--chart FILE] [--smoke]
#                      [--profile] [--profile-only] [--profile-frames N] [--bin PATH] [--pgo]
#
#   --packets N         frames in the generated mixed capture (default 1,000,000)
#   --runs N            repetitions, round-robin over all tools (default 3)
#   --slow-frames N     prefix for tshark, dpkt and Scapy (default 20,000 frames)
#   --slowest-frames N  prefix for PyShark and PyPCAPKit (default 2,000 frames)
#   --no-peers          pcapkit only; --no-python: no virtualenv, no Python peers
#   --no-pcapng         skip the pcapng copy of the input
#   --chart FILE        where the SVG chart goes (default docs/bench-chart.svg for 1M frames,
#                       else bench-out/compare-chart.svg)
#   --profile           also profile native → NDJSON on the first --profile-frames frames
#                       (default 100,000): perf when the CPU counters work, else callgrind;
#                       where the instructions go (read, dissect, encode) and the top functions
#   --profile-only      the profile alone, no timings
#   --bin PATH          time this pcapkit binary instead of building target/release/pcapkit
#   --pgo               time a profile-guided build (scripts/pgo-build.sh, target/pgo/pcapkit)
#   --timeout S         a run taking longer is stopped and its row marked failed (default 900)
#   --smoke             CI: 3,000 frames, 1 run, pcapkit only, no apt, no virtualenv; asserts
#                       nothing about speed, exits 1 only when a pcapkit run itself fails
#
# Builds the release binary; generates (once, then reuses) the input with
# ../shared/tools/gen_mix.py into bench-out/ (outside git), and the prefixes for the slow tools;
# asks the binary what it supports (`pcapkit --engines`, `pcapkit --help`: --threads,
# --reassemble, --trace, the formats) and times every engine into every format, then the peers
# that are installed (apt-get installs tshark, tcpdump and GNU time when missing; a virtualenv in
# bench-out/venv gets dpkt, scapy, pyshark and pypcapkit from pip). Wall time (bash
# EPOCHREALTIME), user+sys CPU and peak RSS (GNU time); reports go into a pipe (counted by
# `wc -c`), or for the formats that need a file (plist, pcap) to tmpfs (/dev/shm): this VM's
# page-cache writes to disk are slow and noisy, and we measure CPU-bound work. A missing peer is
# skipped with a note, never a failure. Results: bench-out/compare.tsv, bench-out/compare.md
# (machine, table, targets) and the SVG chart.
set -euo pipefail

packets=1000000
runs=3
slow_frames=20000
slowest_frames=2000
peers=1
python_peers=1
use_pcapng=1
smoke=0
chart=""
profile=0
profile_only=0
profile_frames=100000
bin_arg=""
pgo=0
run_timeout=900
while [[ $# -gt 0 ]]; do
    case "$1" in
        --packets) packets="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --slow-frames) slow_frames="$2"; shift 2 ;;
        --slowest-frames) slowest_frames="$2"; shift 2 ;;
        --no-peers) peers=0; shift ;;
        --no-python) python_peers=0; shift ;;
        --no-pcapng) use_pcapng=0; shift ;;
        --chart) chart="$2"; shift 2 ;;
        --smoke) smoke=1; shift ;;
        --profile) profile=1; shift ;;
        --profile-only) profile=1 profile_only=1 peers=0 use_pcapng=0; shift ;;
        --profile-frames) profile_frames="$2"; shift 2 ;;
        --bin) bin_arg="$2"; shift 2 ;;
        --pgo) pgo=1; shift ;;
        --timeout) run_timeout="$2"; shift 2 ;;
        -h|--help) sed -n '2,37p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
if [[ $smoke -eq 1 ]]; then
    packets=3000 runs=1 peers=0 python_peers=0
fi
[[ $peers -eq 0 ]] && python_peers=0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out_dir="$root/bench-out"
mkdir -p "$out_dir"
helper="$root/scripts/compare_peers.py"
gen="$root/../shared/tools/gen_mix.py"
bin="${bin_arg:-$root/target/release/pcapkit}"
if [[ -z $chart ]]; then
    if [[ $packets -eq 1000000 && $smoke -eq 0 ]]; then chart="$root/docs/bench-chart.svg"; else chart="$out_dir/compare-chart.svg"; fi
fi
# Reports that must be files (plist, pcap) and --trace folders go to tmpfs.
scratch_base=/dev/shm
[[ -d $scratch_base && -w $scratch_base ]] || scratch_base="$out_dir"
scratch=$(mktemp -d "$scratch_base/pcapkit-compare.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

notes=()
log() { echo "compare.sh: $*" >&2; }
note() { log "note: $*"; notes+=("$*"); }

# --- tools -----------------------------------------------------------------------------------
as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi
}
apt_updated=0
apt_install() { # apt_install PACKAGE...: never in --smoke
    [[ $smoke -eq 0 ]] || return 1
    command -v apt-get >/dev/null || return 1
    if [[ $apt_updated -eq 0 ]]; then
        as_root apt-get update -qq >/dev/null 2>&1 || true
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null 2>&1
}
gnu_time=/usr/bin/time
if [[ ! -x $gnu_time ]]; then
    log "installing GNU time"
    apt_install time || true
    if [[ ! -x $gnu_time ]]; then
        gnu_time=""
        note "GNU time (/usr/bin/time) is missing: CPU from bash 'times', no peak RSS"
    fi
fi
if [[ $peers -eq 1 ]]; then
    for tool in tshark tcpdump; do
        if ! command -v "$tool" >/dev/null; then
            log "installing $tool"
            apt_install "$tool" || true
            command -v "$tool" >/dev/null || note "$tool is not installed and apt-get could not install it: skipped"
        fi
    done
fi
have() { [[ $peers -eq 1 ]] && command -v "$1" >/dev/null; }
have_python=0
command -v python3 >/dev/null && have_python=1

venv="$out_dir/venv"
py=""
if [[ $python_peers -eq 1 ]]; then
    if [[ $have_python -eq 0 ]]; then
        note "python3 is missing: Python peers skipped"
    else
        if [[ ! -x $venv/bin/python ]]; then
            log "creating $venv"
            python3 -m venv "$venv" >/dev/null 2>&1 || { rm -rf "$venv"; apt_install python3-venv && python3 -m venv "$venv" >/dev/null 2>&1; } || true
        fi
        if [[ -x $venv/bin/python ]]; then
            py="$venv/bin/python"
            if ! "$py" -c 'import dpkt, scapy, pyshark, pcapkit' >/dev/null 2>&1; then
                log "pip install dpkt scapy pyshark pypcapkit (into $venv)"
                "$py" -m pip install -q dpkt scapy pyshark pypcapkit >"$out_dir/pip.log" 2>&1 ||
                    note "pip install failed (see bench-out/pip.log): the peers it could not install are skipped"
            fi
        else
            note "cannot create a virtualenv ($venv): Python peers skipped"
        fi
    fi
fi
py_has() { [[ -n $py ]] && "$py" -c "import $1" >/dev/null 2>&1; }
py_version() { "$py" -m pip show "$1" 2>/dev/null | awk '/^Version:/ { print $2 }'; }

# --- build -----------------------------------------------------------------------------------
if [[ -z $bin_arg && $pgo -eq 1 ]]; then
    bin="$root/target/pgo/pcapkit"
    if [[ $smoke -eq 1 ]]; then
        bash "$root/scripts/pgo-build.sh" --smoke
    else
        bash "$root/scripts/pgo-build.sh" --features parquet
    fi
elif [[ -z $bin_arg ]]; then
    # With Parquet (a cargo feature) for the full run; the smoke run keeps CI's default build.
    if [[ $smoke -eq 1 ]]; then
        log "building release"
        cargo build --release --quiet
    else
        log "building release (--features parquet)"
        cargo build --release --quiet --features parquet
    fi
fi
[[ -x $bin ]] || { log "no pcapkit binary at $bin"; exit 1; }

# --- inputs ----------------------------------------------------------------------------------
input="$out_dir/mix-$packets.pcap"
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
input_label="mix"
if [[ $have_python -eq 1 && -f $gen ]]; then
    generate "$input"
    [[ $use_pcapng -eq 1 ]] && generate "$out_dir/mix-$packets.pcapng" --pcapng
else
    note "python3 or ../shared/tools/gen_mix.py is missing: benchmarking samples/sample.pcap instead"
    input="$root/samples/sample.pcap" input_label="sample" use_pcapng=0
    packets=$("$bin" "$input" -f ndjson -q | wc -l)
fi
prefix_of() { # prefix_of N: path of the first N frames of the input (the input itself if shorter)
    local n="$1" file="$out_dir/mix-$packets-first-$1.pcap"
    if [[ $n -ge $packets || $have_python -eq 0 ]]; then
        echo "$input"
        return
    fi
    [[ -s $file ]] || python3 "$helper" prefix "$input" "$file" "$n" >/dev/null
    echo "$file"
}
fmt_int() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; } # 1234567 -> 1,234,567
frames_of() { if [[ $1 == "$input" ]]; then echo "$packets"; else python3 "$helper" count "$1"; fi; }
slow_input=$(prefix_of "$slow_frames")
slowest_input=$(prefix_of "$slowest_frames")
slow_n=$(frames_of "$slow_input")
slowest_n=$(frames_of "$slowest_input")

# --- what this binary supports ---------------------------------------------------------------
help_text=$("$bin" --help)
mapfile -t engines < <("$bin" --engines | awk 'NF { print $1 }')
formats=$(sed -n 's/.*Report format: \([a-z0-9_| -]*\).*/\1/p' <<<"$help_text" | head -n 1 | tr -d ' ' | tr '|' ' ')
[[ -n $formats ]] || formats="ndjson json plist tree pcap"
# The formats this build writes (parquet needs its cargo feature): each is tried on the sample.
supported=""
for format in $formats; do
    probe="$scratch_base/pcapkit-probe-$$.$format"
    if "$bin" "$root/samples/sample.pcap" -q -f "$format" -o "$probe" >/dev/null 2>&1; then
        supported+=" $format"
    else
        log "format $format: not in this build, skipped"
    fi
    rm -f "$probe"
done
formats=${supported# }
has_flag() { grep -q -- "$1" <<<"$help_text"; }
threads_flag=0; has_flag '--threads' && threads_flag=1
reassemble_flag=0; has_flag '--reassemble' && reassemble_flag=1
trace_flag=0; has_flag '--trace' && trace_flag=1
parallel_engine() { # an engine whose --engines line says it runs on --threads (server), and runs with it
    [[ $threads_flag -eq 1 ]] || return 1
    "$bin" --engines | awk -v e="$1" '$1 == e' | grep -q -- '--threads' || return 1
    "$bin" "$root/samples/sample.pcap" -q -E "$1" --threads 2 -f ndjson >/dev/null 2>&1
}
stdout_ok() { "$bin" "$root/samples/sample.pcap" -q -f "$1" >/dev/null 2>&1; }
log "engines: ${engines[*]}; formats: $formats; --threads: $threads_flag, --reassemble: $reassemble_flag, --trace: $trace_flag"
[[ $threads_flag -eq 1 ]] || note "this binary has no --threads (parallel engines not merged yet)"
[[ $reassemble_flag -eq 1 ]] || note "this binary has no --reassemble (reassembly not merged yet)"
[[ $trace_flag -eq 1 ]] || note "this binary has no --trace (flow tracing not merged yet)"

# --- the jobs --------------------------------------------------------------------------------
# Each job: tool, variant, input label, file, frames, role, output (pipe | file EXT | -), command
# (words quoted with printf %q; @OUT@ is the report file, @TRACE@ a fresh --trace folder).
jobs=()
add_job() { # add_job TOOL VARIANT LABEL FILE FRAMES ROLE OUTPUT CMD...
    local head=("$1" "$2" "$3" "$4" "$5" "$6" "$7"); shift 7
    local cmd; cmd=$(printf '%q ' "$@")
    jobs+=("$(printf '%s\x1f' "${head[@]}")$cmd")
}
pcapkit_job() { # pcapkit_job LABEL FILE FRAMES ROLE ENGINE FORMAT [EXTRA...]
    local label="$1" file="$2" n="$3" role="$4" engine="$5" format="$6"; shift 6
    local variant="$engine → $format" extra=("$@") w
    for w in "${extra[@]}"; do
        case "$w" in @TRACE@) variant+=" DIR" ;; *) variant+=" $w" ;; esac
    done
    if stdout_ok "$format"; then
        add_job pcapkit "$variant" "$label" "$file" "$n" "$role" pipe "$bin" "$file" -q -E "$engine" -f "$format" "${extra[@]}"
    else
        add_job pcapkit "$variant" "$label" "$file" "$n" "$role" "file $format" "$bin" "$file" -q -E "$engine" -f "$format" -o @OUT@ "${extra[@]}"
    fi
}
nproc_n=$(nproc)
for engine in "${engines[@]}"; do
    thread_sets=("")
    if parallel_engine "$engine"; then
        thread_sets=()
        for ((t = 1; t <= nproc_n; t++)); do thread_sets+=("--threads $t"); done
    fi
    for threads in "${thread_sets[@]}"; do
        # shellcheck disable=SC2206
        tw=($threads)
        for format in $formats; do
            role=engine
            [[ $engine == native && $format == ndjson ]] && role=native-ndjson
            [[ $format != ndjson ]] && role="engine-format"
            pcapkit_job "$input_label" "$input" "$packets" "$role" "$engine" "$format" "${tw[@]}"
        done
        [[ $reassemble_flag -eq 1 ]] && pcapkit_job "$input_label" "$input" "$packets" engine-extra "$engine" ndjson "${tw[@]}" --reassemble all
        [[ $trace_flag -eq 1 ]] && pcapkit_job "$input_label" "$input" "$packets" engine-extra "$engine" ndjson "${tw[@]}" --trace @TRACE@
        if [[ $reassemble_flag -eq 1 && $trace_flag -eq 1 ]]; then
            pcapkit_job "$input_label" "$input" "$packets" engine-extra "$engine" ndjson "${tw[@]}" --reassemble all --trace @TRACE@
        fi
    done
done
if [[ $use_pcapng -eq 1 ]]; then
    pcapkit_job "$input_label pcapng" "$out_dir/mix-$packets.pcapng" "$packets" pcapng native ndjson
    pcapkit_job "$input_label pcapng" "$out_dir/mix-$packets.pcapng" "$packets" pcapng native json
fi
# Peak RSS against input size: the same run on a tenth of the input.
if [[ $packets -ge 200000 ]]; then
    tenth=$((packets / 10))
    small=$(prefix_of "$tenth")
    pcapkit_job "first $(fmt_int "$tenth")" "$small" "$tenth" rss-small native ndjson
fi
slow_label="first $(fmt_int "$slow_n")"
slowest_label="first $(fmt_int "$slowest_n")"
if [[ $peers -eq 1 ]]; then
    if have tshark; then
        add_job tshark "-T json" "$slow_label" "$slow_input" "$slow_n" tshark-json pipe tshark -r "$slow_input" -T json
        add_job tshark "-T ek" "$slow_label" "$slow_input" "$slow_n" tshark pipe tshark -r "$slow_input" -T ek
        add_job tshark "-T fields -e frame.protocols" "$slow_label" "$slow_input" "$slow_n" tshark pipe tshark -r "$slow_input" -T fields -e frame.protocols
    fi
    if have tcpdump; then
        add_job tcpdump "-nn -v" "$input_label" "$input" "$packets" tcpdump pipe tcpdump -nn -v -r "$input"
    fi
fi
if [[ $python_peers -eq 1 && -n $py ]]; then
    if py_has dpkt; then
        add_job dpkt "parse + JSON per frame" "$slow_label" "$slow_input" "$slow_n" python pipe "$py" "$helper" dpkt "$slow_input"
    else note "dpkt is not importable in the virtualenv: skipped"; fi
    if py_has scapy; then
        add_job Scapy "PcapReader walk" "$slow_label" "$slow_input" "$slow_n" python pipe "$py" "$helper" scapy "$slow_input"
    else note "scapy is not importable in the virtualenv: skipped"; fi
    if py_has pyshark && command -v tshark >/dev/null; then
        add_job PyShark "FileCapture walk" "$slowest_label" "$slowest_input" "$slowest_n" python pipe "$py" "$helper" pyshark "$slowest_input"
    else note "PyShark needs pyshark and tshark: skipped"; fi
    if py_has pcapkit; then
        add_job PyPCAPKit "extract json, default engine" "$slowest_label" "$slowest_input" "$slowest_n" pypcapkit-default "file json" \
            "$py" "$helper" pypcapkit "$slowest_input" default @OUT@
        if py_has dpkt; then
            add_job PyPCAPKit "extract json, dpkt engine" "$slowest_label" "$slowest_input" "$slowest_n" python "file json" \
                "$py" "$helper" pypcapkit "$slowest_input" dpkt @OUT@
        fi
    else note "pypcapkit is not importable in the virtualenv: skipped"; fi
fi

# --- profile ---------------------------------------------------------------------------------
profile_text=""
run_profile() { # sets profile_text: where native → NDJSON spends its instructions
    local file n data="$out_dir/profile.data" cmd
    file=$(prefix_of "$profile_frames")
    n=$(frames_of "$file")
    cmd=("$bin" "$file" -q -f ndjson)
    if perf stat -e instructions true 2>&1 | grep -q 'instructions' &&
        ! perf stat -e instructions true 2>&1 | grep -q 'not supported'; then
        log "profiling with perf ($n frames)"
        perf record -q -g -o "$data" -- "${cmd[@]}" >/dev/null 2>>"$errlog"
        profile_text="perf record -g on \`pcapkit $(basename "$file") -q -f ndjson > /dev/null\` ($n frames):"$'\n\n```\n'
        profile_text+=$(perf report -i "$data" --stdio --no-children --sort symbol --percent-limit 0.8 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 40)
        profile_text+=$'\n```'
    elif command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
        log "profiling with callgrind ($n frames; perf has no CPU counters here)"
        valgrind --tool=callgrind --callgrind-out-file="$data" "${cmd[@]}" >/dev/null 2>>"$errlog"
        profile_text="valgrind --tool=callgrind on \`pcapkit $(basename "$file") -q -f ndjson > /dev/null\` (perf has no CPU counters on this machine): "
        profile_text+=$(python3 "$helper" profile "$data" "$n")
    else
        note "no usable perf and no valgrind: no profile"
    fi
    rm -f "$data"
}

# --- measuring -------------------------------------------------------------------------------
# measure J: one run of job J; sets m_wall m_cpu m_rss m_bytes m_rc.
tfile="$out_dir/compare-time.txt"
errlog="$out_dir/compare-stderr.log"
: >"$errlog"
measure() {
    local IFS=$'\x1f'
    # shellcheck disable=SC2206
    local f=(${jobs[$1]})
    unset IFS
    local output="${f[6]}" cmdline="${f[7]}" out_file="" trace_dir="$scratch/trace"
    if [[ $output == file* ]]; then
        out_file="$scratch/report.${output#file }"
    fi
    rm -rf "$trace_dir" "$out_file"
    cmdline=${cmdline//@OUT@/$out_file}
    cmdline=${cmdline//@TRACE@/$trace_dir}
    local -a cmd
    eval "cmd=($cmdline)"
    command -v timeout >/dev/null && cmd=(timeout "$run_timeout" "${cmd[@]}")
    local t0 t1 status c0 c1
    echo "== ${f[0]} ${f[1]} (${f[2]})" >>"$errlog"
    set +e
    if [[ -n $gnu_time ]]; then
        t0=$EPOCHREALTIME
        "$gnu_time" -f '%U %S %M' -o "$tfile" "${cmd[@]}" 2>>"$errlog" | wc -c >"$tfile.bytes"
        status=${PIPESTATUS[0]}
        t1=$EPOCHREALTIME
    else
        c0=$(times | tail -n 1)
        t0=$EPOCHREALTIME
        "${cmd[@]}" 2>>"$errlog" | wc -c >"$tfile.bytes"
        status=${PIPESTATUS[0]}
        t1=$EPOCHREALTIME
        c1=$(times | tail -n 1)
        awk -v a="$c0" -v b="$c1" 'function s(t, m) { split(t, m, /[ms]/); return m[1] * 60 + m[2] }
            BEGIN { split(a, x, " "); split(b, y, " ")
                    printf "%.3f %.3f 0\n", s(y[1]) - s(x[1]), s(y[2]) - s(x[2]) }' >"$tfile"
    fi
    set -e
    m_rc=$status
    m_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
    local usr sys rss
    read -r usr sys rss <"$tfile" || true
    m_cpu=$(awk -v u="${usr:-0}" -v s="${sys:-0}" 'BEGIN { printf "%.3f", u + s }')
    m_rss=${rss:-0}
    m_bytes=$(tr -d ' ' <"$tfile.bytes")
    if [[ -n $out_file ]]; then
        m_bytes=$(stat -c %s "$out_file" 2>/dev/null || echo 0)
        rm -f "$out_file"
    fi
    rm -rf "$trace_dir"
}

if [[ $profile -eq 1 ]]; then
    : >"$errlog"
    run_profile
fi
if [[ $profile_only -eq 1 ]]; then
    echo "$profile_text"
    exit 0
fi
for file in "$input" "$slow_input" "$slowest_input"; do cat "$file" >/dev/null; done
[[ $use_pcapng -eq 1 ]] && cat "$out_dir/mix-$packets.pcapng" >/dev/null
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
declare -A walls=() best_wall=() best_cpu=() best_rss=() bytes=() failed=()
log "${#jobs[@]} jobs, $runs runs each, round-robin"
for ((rep = 1; rep <= runs; rep++)); do
    for j in "${!jobs[@]}"; do
        [[ -n ${failed[$j]:-} ]] && continue
        measure "$j"
        IFS=$'\x1f' read -r -a f <<<"${jobs[$j]}"
        if [[ $m_rc -ne 0 ]]; then
            failed[$j]="exit $m_rc"
            log "run $rep: ${f[0]} ${f[1]}: FAILED (exit $m_rc, see bench-out/compare-stderr.log)"
            continue
        fi
        log "run $rep: ${f[0]} ${f[1]} (${f[2]}): wall ${m_wall}s cpu ${m_cpu}s rss ${m_rss} KiB out ${m_bytes} B"
        walls[$j]+="$m_wall "
        if [[ -z ${best_wall[$j]:-} ]] || awk -v a="$m_wall" -v b="${best_wall[$j]}" 'BEGIN { exit !(a < b) }'; then
            best_wall[$j]=$m_wall best_cpu[$j]=$m_cpu best_rss[$j]=$m_rss
        fi
        bytes[$j]=$m_bytes
    done
done
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)

# --- report ----------------------------------------------------------------------------------
results="$out_dir/compare.tsv"
{
    echo "# tool	variant	input	frames	input_bytes	wall	wall_median	cpu	rss_kib	out_bytes	status	note	role"
    for j in "${!jobs[@]}"; do
        IFS=$'\x1f' read -r -a f <<<"${jobs[$j]}"
        in_bytes=$(stat -c %s "${f[3]}")
        note_text=""
        [[ ${f[6]} == file* && ${f[0]} == pcapkit ]] && note_text="-o tmpfs"
        if [[ -n ${failed[$j]:-} ]]; then
            printf '%s\t%s\t%s\t%s\t%s\t\t\t\t\t\tfailed\t%s\t%s\n' "${f[0]}" "${f[1]}" "${f[2]}" "${f[4]}" "$in_bytes" "${failed[$j]}" "${f[5]}"
            continue
        fi
        # shellcheck disable=SC2086
        median=$(printf '%s\n' ${walls[$j]} | sort -n | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tok\t%s\t%s\n' "${f[0]}" "${f[1]}" "${f[2]}" "${f[4]}" "$in_bytes" \
            "${best_wall[$j]}" "$median" "${best_cpu[$j]}" "${best_rss[$j]}" "${bytes[$j]}" "$note_text" "${f[5]}"
    done
} >"$results"

cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
git diff --quiet HEAD 2>/dev/null || commit="$commit+dirty"
[[ $pgo -eq 1 && -z $bin_arg ]] && commit="$commit (PGO build)"
versions="rustc $(rustc --version | awk '{ print $2 }')"
have tshark && versions+=", tshark $(tshark --version 2>/dev/null | awk 'NR == 1 { print $3 }')"
have tcpdump && versions+=", tcpdump $(tcpdump --version 2>&1 | awk 'NR == 1 { print $3 }')"
if [[ -n $py ]]; then
    versions+=", $("$py" --version 2>&1)"
    for p in dpkt scapy pyshark pypcapkit; do
        v=$(py_version "$p"); [[ -n $v ]] && versions+=", $p $v"
    done
fi
report="$out_dir/compare.md"
table="$out_dir/compare-table.md"
{
    echo "Machine: $(nproc) CPUs ($cpu_model), $mem RAM; $(uname -sr); $versions; pcapkit $commit; $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Load average (1/5/15 min) before: $load_before; after: $load_after."
    echo "Input: gen_mix.py --packets $packets --seed 1 ($(stat -c %s "$input") bytes); $runs runs each, round-robin; best wall (CPU and RSS of that run) and median wall; output into a pipe (wc -c); reports that must be files (PyPCAPKit's, and pcapkit's where -o is required) into tmpfs."
    echo
} >"$report"
if [[ $have_python -eq 1 ]]; then
    subtitle="gen_mix.py --packets $(fmt_int "$packets") --seed 1; slow tools on a prefix, rated per frame; $(date -u +%Y-%m-%d), pcapkit $commit"
    python3 "$helper" report "$results" "$table" "$chart" "$subtitle" >>"$report"
    cat "$table" >>"$report"
    log "chart: $chart"
else
    note "python3 is missing: no table or chart, raw results in $results"
    cat "$results" >>"$report"
fi
if [[ -n $profile_text ]]; then
    { echo; echo "Profile: $profile_text"; } >>"$report"
fi
if [[ ${#notes[@]} -gt 0 ]]; then
    { echo; echo "Notes:"; printf -- '- %s\n' "${notes[@]}"; } >>"$report"
fi
cat "$report"
if [[ ${#failed[@]} -gt 0 ]]; then
    log "${#failed[@]} job(s) failed (see the table and bench-out/compare-stderr.log)"
    # The smoke run is CI's check that every pcapkit variant still runs: a failure fails it.
    [[ $smoke -eq 1 ]] && exit 1
fi
exit 0
