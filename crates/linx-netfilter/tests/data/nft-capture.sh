#!/usr/bin/env bash
# Print, as one hex line per sendmsg, the datagrams `nft -f FILE` sends (its batch), run in a
# throwaway network namespace. Used to record what nft(8) emits for the golden-byte tests:
#   unshare -n bash nft-capture.sh rules.nft
set -euo pipefail
file=${1:?usage: nft-capture.sh FILE}
strace -f -qq -e trace=sendmsg -e write=all nft -f "$file" 2>&1 >/dev/null \
  | awk '/^sendmsg\(/ { if (hex != "") print hex; hex = ""; next }
         /^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / {
           for (i = 3; i <= 18; i++) if ($i ~ /^[0-9a-f][0-9a-f]$/) hex = hex $i }
         END { if (hex != "") print hex }'
