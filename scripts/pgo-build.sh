#!/usr/bin/env bash
# A profile-guided (PGO) release build of pcapkit: the same code, laid out and inlined by a
# profile of its own runs.
#
#   scripts/pgo-build.sh [--frames N] [--features all|default|LIST] [--smoke]
#
#   --frames N       frames in the generated training capture (default 200,000)
#   --features F     the binary's cargo features: all (default), default, or a list
#                    (`--features parquet`)
#   --smoke          CI: 3,000 training frames, default features
#
# Builds an instrumented release binary (-Cprofile-generate), runs it over a training capture
# through every format, engine and stage, merges the profiles with the toolchain's
# llvm-profdata (the rustup component llvm-tools, added when missing) and rebuilds with them
# (-Cprofile-use). The training capture is ../shared/tools/gen_mix.py's mix with a seed of its
# own (7; the benchmarks time seed 1, so the binary is not trained on the file it is timed on),
# or samples/sample.pcap where gen_mix.py or python3 is missing. Everything goes under
# target/pgo/ (ignored by git); the binary is target/pgo/pcapkit. PGO changes code layout,
# inlining and branch order, never behaviour: the output is the plain release build's.
set -euo pipefail

frames=200000
features=all
while [[ $# -gt 0 ]]; do
    case "$1" in
        --frames) frames="$2"; shift 2 ;;
        --features) features="$2"; shift 2 ;;
        --smoke) frames=3000 features=default; shift ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "pgo-build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$root/target/pgo"
log() { echo "pgo-build.sh: $*" >&2; }

host=$(rustc -vV | sed -n 's/^host: //p')
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [[ ! -x $profdata ]]; then
    log "adding the rustup component llvm-tools (llvm-profdata merges the profiles)"
    rustup component add llvm-tools
fi
case "$features" in
    all) feature_args=(--all-features) ;;
    default) feature_args=() ;;
    *) feature_args=(--features "$features") ;;
esac
# With --target, RUSTFLAGS reach the binary's own crates only, not build scripts or proc macros.
build() { # build TARGET_DIR RUSTFLAGS
    RUSTFLAGS="$2" cargo build --release --locked --quiet "${feature_args[@]}" --target "$host" \
        --target-dir "$1"
}

rm -rf "$out/profiles" "$out/scratch"
mkdir -p "$out/profiles" "$out/scratch"
gen="$root/../shared/tools/gen_mix.py"
if command -v python3 >/dev/null && [[ -f $gen ]]; then
    training="$out/train-$frames.pcap"
    [[ -s $training ]] || python3 "$gen" --packets "$frames" --seed 7 --out "$training" >/dev/null
else
    log "python3 or ../shared/tools/gen_mix.py is missing: training on samples/sample.pcap"
    training="$root/samples/sample.pcap"
fi

log "instrumented build"
build "$out/generate" "-Cprofile-generate=$out/profiles"
instrumented="$out/generate/$host/release/pcapkit"

log "training on $training"
train() { "$instrumented" "$training" -q "$@" > /dev/null; }
for format in ndjson json tree; do train -f "$format"; done
train -f plist -o "$out/scratch/report.plist"
train -f pcap -o "$out/scratch/report.pcap"
if [[ $features == all || $features == *parquet* ]]; then train -f parquet -o "$out/scratch/report.parquet"; fi
train -f ndjson --reassemble all
train -f ndjson --reassemble all --strict
train -f ndjson --trace "$out/scratch/trace"
for engine in $("$instrumented" --engines | awk '$1 != "native" { print $1 }'); do
    train -E "$engine" -f ndjson
done
"$instrumented" analyse "$training" > /dev/null

"$profdata" merge -o "$out/merged.profdata" "$out/profiles"
log "optimized build"
build "$out/use" "-Cprofile-use=$out/merged.profdata"
cp "$out/use/$host/release/pcapkit" "$out/pcapkit"
rm -rf "$out/scratch"
log "$out/pcapkit"
