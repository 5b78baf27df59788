#!/bin/bash
# Several inputs against one (BENCHMARKS.md, "Several inputs: --jobs"): paired, alternating
# rounds over 4 copies of the 1M mix, ndjson into tmpfs and into /tmp/outdir (ext4).
#   scripts/bench_multi.sh [ROUNDS]   (needs target/release/pcapkit, GNU time, bc)
set -u
ROUNDS=${1:-5}
P=${PCAPKIT:-$(dirname "$0")/../target/release/pcapkit}
S=/dev/shm/bench_multi
D=/tmp/outdir
mkdir -p $S
for n in 1 2 3 4; do
  [ -f /tmp/m_$n.pcap ] || "$(dirname "$0")"/../../shared/tools/gen_mix.py --packets 1000000 --seed $n --out /tmp/m_$n.pcap
done
cat /tmp/m_[1-4].pcap > /dev/null
M="/tmp/m_1.pcap /tmp/m_2.pcap /tmp/m_3.pcap /tmp/m_4.pcap"
t() { # label, command...: one line of wall, CPU, peak RSS and the load at the start
  local label=$1; shift
  local load s e rc u sy m
  load=$(cut -d' ' -f1 /proc/loadavg)
  s=$(date +%s.%N)
  /usr/bin/time -f "%U %S %M" -o $S/time.txt "$@" > /dev/null
  rc=$?
  e=$(date +%s.%N)
  read -r u sy m < $S/time.txt
  echo "$round $label rc=$rc wall=$(echo "$e - $s" | bc) user=$u sys=$sy maxrss_kb=$m load=$load"
}
fresh() { rm -rf "$1"; mkdir -p "$1"; }
for round in $(seq "$ROUNDS"); do
  fresh $S/out; t single-shm $P /tmp/m_1.pcap -f ndjson -q -o $S/out/m_1.ndjson
  fresh $S/out; t jobs2-shm $P $M -f ndjson -q -o $S/out/ --jobs 2
  fresh $S/out; t jobs1-shm $P $M -f ndjson -q -o $S/out/ --jobs 1
done
rm -rf $S/out
for round in 1 2; do
  # Stdout concatenation, spooling on tmpfs, into a shell redirection.
  TMPDIR=$S t stdout-jobs2 $P $M -q --jobs 2
  fresh $D; t single-disk $P /tmp/m_1.pcap -f ndjson -q -o $D/m_1.ndjson
  fresh $D; t jobs2-disk $P $M -f ndjson -q -o $D/ --jobs 2
done
rm -rf $D $S
