#!/usr/bin/env bash
# The Python binding and the engines at scale (issue 14), as CI runs it after `cargo test`:
#   1. clippy of the binding crate (python/);
#   2. the CLI with `-f parquet` (the tests' reference);
#   3. the manylinux2014 abi3 wheel (maturin --zig) built in a venv of its own;
#   4. the wheel, pyarrow and pytest in a FRESH venv: python/tests (vs the CLI's JSON/NDJSON);
#   5. Spark local[2], Ray and DuckDB over 4 generated captures, each asserting row counts
#      equal to the CLI's; a package that cannot be installed prints `SKIPPED: <what>: <why>`.
# Everything lives under target/scale/. Each step prints how long it took.
#   SCALE_PACKETS=N   frames per generated input (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/target/scale
PACKETS=${SCALE_PACKETS:-20000}
PYTHON=${PYTHON:-python3}
mkdir -p "$WORK"

step_start=$SECONDS
step() {
  echo "scale_check: $1 ($((SECONDS - step_start)) s)"
  step_start=$SECONDS
}
fail() {
  echo "scale_check: FAILED: $*" >&2
  exit 1
}
# Installs $2... into venv $1 quietly; prints the last lines of pip's output on failure.
pip_install() {
  local venv=$1
  shift
  "$venv/bin/pip" install -q --disable-pip-version-check "$@" > "$WORK/pip.log" 2>&1 || {
    tail -3 "$WORK/pip.log" >&2
    return 1
  }
}

cargo clippy -p pcapkit-python --all-targets -- -D warnings
step "clippy -p pcapkit-python"

# The reference CLI in the debug profile: `cargo test --all-features` has built it already,
# and it reads these small inputs in about a second (a release build would cost CI minutes).
cargo build --all-features --bin pcapkit
export PCAPKIT_BIN=$ROOT/target/debug/pcapkit
step "CLI (--all-features)"

# The wheel, built with maturin and zig for manylinux2014 (glibc 2.17).
rm -rf "$WORK/build-venv" "$WORK/wheels"
"$PYTHON" -m venv "$WORK/build-venv"
pip_install "$WORK/build-venv" maturin ziglang || fail "cannot install maturin and ziglang"
PATH="$WORK/build-venv/bin:$PATH" maturin build --release --zig --compatibility manylinux2014 \
  -m python/Cargo.toml -i "$PYTHON" --out "$WORK/wheels"
wheel=$(ls "$WORK"/wheels/pcapkit_rs-*-cp38-abi3-*manylinux2014_x86_64*.whl) \
  || fail "no cp38-abi3 manylinux2014 wheel in $WORK/wheels"
step "wheel $(basename "$wheel")"

# A fresh venv with the wheel: the tests see what a user installs.
rm -rf "$WORK/venv"
"$PYTHON" -m venv "$WORK/venv"
VPY=$WORK/venv/bin/python
pip_install "$WORK/venv" "$wheel" pyarrow pytest || fail "cannot install the wheel, pyarrow and pytest"
step "fresh venv with the wheel, pyarrow, pytest"
# From the repo root so that `python/` is not on sys.path ahead of the installed package.
"$VPY" -m pytest python/tests -q -p no:cacheprovider
step "pytest python/tests"

# Four inputs from the benchmark generator (or, without ../shared, the sample repeated).
mkdir -p "$WORK/inputs"
inputs=()
for seed in 1 2 3 4; do
  input=$WORK/inputs/mix$seed.pcap
  if [ -f ../shared/tools/gen_mix.py ]; then
    "$PYTHON" ../shared/tools/gen_mix.py --packets "$PACKETS" --seed "$seed" --out "$input" > /dev/null
  else
    echo "note: ../shared/tools/gen_mix.py is absent: the inputs repeat the sample capture"
    "$VPY" -c "import sys; sys.path.insert(0, 'python/tests'); import helpers; \
helpers.repeat_pcap(helpers.SAMPLE, '$input', $((PACKETS / 18 + seed)))"
  fi
  inputs+=("$input")
done
expected=0
for input in "${inputs[@]}"; do
  rows=$("$PCAPKIT_BIN" "$input" -f ndjson | wc -l)
  expected=$((expected + rows))
done
[ "$expected" -gt 0 ] || fail "the generated inputs have no frames"
step "4 inputs, $expected frames in all (the CLI's NDJSON)"

# Checks that the `total_rows N` line of an example's output ($2) is the CLI's count.
check_rows() {
  local got
  got=$(awk '$1 == "total_rows" { print $2 }' "$2")
  [ "$got" = "$expected" ] || fail "$1: total_rows ${got:-missing}, the CLI has $expected"
  echo "$1: $got rows, as the CLI"
}

# pyspark[sql]: mapInArrow needs pandas too.
if pip_install "$WORK/venv" "pyspark[sql]"; then
  if command -v java > /dev/null 2>&1; then
    "$VPY" examples/spark_extract.py --master 'local[2]' "${inputs[@]}" > "$WORK/spark.out" 2> "$WORK/spark.err" \
      || { tail -20 "$WORK/spark.err" >&2; fail "the Spark run failed"; }
    check_rows "Spark local[2]" "$WORK/spark.out"
    for input in "${inputs[@]}"; do
      want=$("$PCAPKIT_BIN" "$input" -f ndjson | wc -l)
      grep -qx "$input	$want" "$WORK/spark.out" || fail "Spark: $input should have $want rows"
    done
  else
    echo "SKIPPED: Spark local[2] run: no java on this machine"
  fi
else
  echo "SKIPPED: Spark local[2] run: pip cannot install pyspark[sql]"
fi
step "Spark"

if pip_install "$WORK/venv" "ray[data]"; then
  "$VPY" examples/ray_extract.py --cpus 2 "${inputs[@]}" > "$WORK/ray.out" 2> "$WORK/ray.err" \
    || { tail -20 "$WORK/ray.err" >&2; fail "the Ray run failed"; }
  check_rows "Ray Data" "$WORK/ray.out"
else
  echo "SKIPPED: Ray run: pip cannot install ray[data]"
fi
step "Ray"

if pip_install "$WORK/venv" duckdb; then
  mkdir -p "$WORK/parquet"
  parquet=()
  for input in "${inputs[@]}"; do
    out=$WORK/parquet/$(basename "$input" .pcap).parquet
    "$PCAPKIT_BIN" "$input" -f parquet -o "$out"
    parquet+=("$out")
  done
  "$VPY" examples/duckdb_query.py "${parquet[@]}" > "$WORK/duckdb.out" \
    || fail "the DuckDB query failed"
  check_rows "DuckDB over Parquet" "$WORK/duckdb.out"
  want_bytes=0
  for input in "${inputs[@]}"; do
    bytes=$("$PCAPKIT_BIN" "$input" -f json | "$VPY" -c "import json, sys; print(json.load(sys.stdin)['summary']['bytes'])")
    want_bytes=$((want_bytes + bytes))
  done
  got_bytes=$(awk '$1 == "total_cap_bytes" { print $2 }' "$WORK/duckdb.out")
  [ "$got_bytes" = "$want_bytes" ] || fail "DuckDB: total_cap_bytes $got_bytes, the CLI's summary has $want_bytes"
  echo "DuckDB over Parquet: $got_bytes captured bytes, as the CLI's summary"
else
  echo "SKIPPED: DuckDB query: pip cannot install duckdb"
fi
step "DuckDB"
echo "scale_check: done"
