#!/usr/bin/env python3
# Print the NFTA_RULE_EXPRESSIONS of every NEWRULE in a hex batch (one line per datagram, as
# tests/data/nft-capture.sh prints): rule number, then each NFTA_LIST_ELEM in hex.
#   unshare -n bash tests/data/nft-capture.sh tests/data/expr/base.nft | python3 tests/data/expr/split-rules.py
import struct
import sys


def attrs(b):
    i = 0
    while i + 4 <= len(b):
        length, _ = struct.unpack_from('<HH', b, i)
        if length < 4:
            break
        yield struct.unpack_from('<H', b, i + 2)[0], b[i + 4:i + length], b[i:i + length]
        i += (length + 3) & ~3


rule = 0
for line in sys.stdin:
    b = bytes.fromhex(line.strip())
    i = 0
    while i + 16 <= len(b):
        length, kind = struct.unpack_from('<IH', b, i)
        msg = b[i + 16:i + length]
        i += (length + 3) & ~3
        if kind == 0x0a06:  # NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE
            rule += 1
            for t, payload, _ in attrs(msg[4:]):
                if t & 0x3fff == 4:  # NFTA_RULE_EXPRESSIONS
                    for _, _, elem in attrs(payload):
                        print(rule, elem.hex())
