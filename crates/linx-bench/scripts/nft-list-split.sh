#!/usr/bin/env bash
# Split the in-process time of `nft-list` (10k rules + 100k set elements) into user space,
# the kernel's set-element walk and the rest of the kernel, per peer, from perf cpu-clock
# samples (0.1 ms each). Peers run interleaved, ROUNDS x 10 runs each, in one fresh network
# namespace loaded once.
#
# Why: the kernel's walk of the element hash table restarts at every 32 KiB dump chunk and
# takes 80% of every peer's time; it varies by tens of milliseconds between runs, which hides
# the peers' own costs in timed medians. Own cost = user + other kernel (page faults, copies,
# syscalls) minus raw's.
#
# usage: unshare -n scripts/nft-list-split.sh LINX_BENCH RAW_PEER NLINK_PEER   (needs perf, root)
set -euo pipefail
B=$1 R=$2 N=$3
OUT=$(mktemp -d)
"$B" nft-rules --n 10000 >/dev/null
"$B" nft-set --n 100000 >/dev/null
declare -A TOT USR WALK
for _ in $(seq "${ROUNDS:-5}"); do
  for p in "raw:$R" "nlink:$N" "linx:$B"; do
    n=${p%%:*} b=${p#*:}
    perf record -q -e cpu-clock -F 10000 -o "$OUT/$n.data" -- \
      sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do $b nft-list >/dev/null; done" >/dev/null 2>&1
    c=$(basename "$b" | cut -c1-15)
    rep() { perf report -i "$OUT/$n.data" --comm "$c" --stdio "$@" 2>/dev/null | grep -v '^#'; }
    tot=$(rep -F sample --sort comm | awk 'NF{s+=$1} END{print s+0}')
    usr=$(rep -F sample,dso --sort dso | grep -v kernel | awk 'NF{s+=$1} END{print s+0}')
    walk=$(rep -F sample,sym --sort sym | grep -E 'rhashtable|nft_rhash|dump_setelem' |
      awk 'NF{s+=$1} END{print s+0}')
    TOT[$n]=$((${TOT[$n]:-0} + tot)) USR[$n]=$((${USR[$n]:-0} + usr)) WALK[$n]=$((${WALK[$n]:-0} + walk))
  done
done
runs=$((${ROUNDS:-5} * 10))
for n in raw nlink linx; do
  awk -v n="$n" -v t="${TOT[$n]}" -v u="${USR[$n]}" -v w="${WALK[$n]}" -v r="$runs" 'BEGIN {
    printf "%-6s per run: total %.1f ms, user %.2f ms, kernel set walk %.1f ms, other kernel %.2f ms\n",
      n, t / r / 10, u / r / 10, w / r / 10, (t - u - w) / r / 10 }'
done
rm -rf "$OUT"
