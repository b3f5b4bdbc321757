#!/usr/bin/env bash
# Checks the nftables ruleset corpus used by the kernel round-trip test.
#
# Usage: check.sh [FILE.nft ...]
#   Without arguments every *.nft file next to this script is checked.
#
# For each file a throwaway network namespace is created (unshare -n), the
# file is loaded with `nft -f`, and `nft list ruleset` must then succeed and
# print something.  The number of rules (lines carrying a rule handle inside
# a chain of `nft -a list ruleset`) is printed per file, followed by the
# total.  The script exits non-zero if any file fails.
#
# Adding a file to the corpus:
#   1. Write crates/linx-netfilter/tests/corpus/NN-topic.nft.  Start it with a
#      `#` comment line saying what it covers, declare every table it needs
#      (no `flush ruleset`), and only use devices that exist in a fresh
#      namespace (that is, `lo`).
#   2. Run `./check.sh NN-topic.nft` as root and fix whatever nft refuses to
#      load or cannot list back.  Constructs that nft cannot print back must
#      not be in the corpus, because the test compares listings.
#   3. Run `./check.sh` on the whole corpus and commit the new file.
#
# Requires root (for unshare) and the nft binary.
set -euo pipefail

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "$#" -eq 0 ]; then
	shopt -s nullglob
	files=("$dir"/*.nft)
	shopt -u nullglob
	if [ "${#files[@]}" -eq 0 ]; then
		echo "no .nft files in $dir" >&2
		exit 1
	fi
else
	files=("$@")
fi

# Counts rules in an `nft -a list ruleset` listing: lines ending in a handle
# comment that sit inside a chain block (the chain's own line is excluded).
count_rules() {
	awk '
		/^\tchain .*\{/ { in_chain = 1; next }
		in_chain && /^\t\}/ { in_chain = 0; next }
		in_chain && /# handle [0-9]+$/ { n++ }
		END { print n + 0 }
	'
}

errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT

total=0
failed=0
for f in "${files[@]}"; do
	name=$(basename "$f")
	if [ ! -r "$f" ]; then
		echo "$name: cannot read" >&2
		failed=1
		continue
	fi
	# Load and list in the same namespace.  Both the plain listing (what the
	# round-trip test compares) and the listing with handles (used for
	# counting) must succeed without printing anything on stderr.
	if ! listing=$(unshare -n sh -c 'nft -f "$1" && nft list ruleset >/dev/null && nft -a list ruleset' sh "$f" 2>"$errfile") || [ -s "$errfile" ]; then
		echo "$name: FAILED" >&2
		sed 's/^/    /' "$errfile" >&2
		failed=1
		continue
	fi
	if [ -z "$listing" ]; then
		echo "$name: FAILED (empty listing)" >&2
		failed=1
		continue
	fi
	n=$(printf '%s\n' "$listing" | count_rules)
	printf '%s %d\n' "$name" "$n"
	total=$((total + n))
done

printf 'total %d\n' "$total"
if [ "$failed" -ne 0 ]; then
	echo "some files failed" >&2
	exit 1
fi
