#!/usr/bin/env bash
# The unseen-captures sweep (issue 12): compares pcapkit's native engine with tshark on every
# capture in DIR, by the rules of tests/oracle.rs (its mapping of tshark's names, one table).
#
#   scripts/unseen_sweep.sh [--frames] DIR [> report.txt]
#
#   --frames   also print every differing frame (MISMATCH lines, as the oracle test prints them)
#
# tshark's view of each capture is written next to it once (<file>.tshark.tsv, the shared
# captures' README command, and <file>.tshark.httpheads, its heads command restricted to
# plaintext HTTP over TCP: see write_tshark_oracle in tests/oracle.rs); delete them to redo.
# Prints per file the frames agreeing over the protocols pcapkit decodes and over all, the
# differing (tshark chain, ours) groups with counts, and the protocols tshark names that
# pcapkit does not decode. Keep DIR outside the repository: the captures are not ours to commit.
set -euo pipefail
pattern='^(file |group |not decoded |unseen summary:)'
if [[ ${1:-} == --frames ]]; then
  pattern='^(file |group |not decoded |unseen summary:|MISMATCH )'
  shift
fi
dir=${1:?usage: scripts/unseen_sweep.sh [--frames] DIR}
dir=$(cd "$dir" && pwd)
cd "$(dirname "$0")/.."
PCAPKIT_UNSEEN=$dir cargo test --all-features --test oracle unseen_captures_sweep -- \
  --ignored --nocapture --test-threads 1 2>&1 |
  grep -E "$pattern"
