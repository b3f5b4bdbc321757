#!/usr/bin/env python3
"""Writes the generated part of the nftables corpus.

These files are written next to this script:

  26-large-sets.nft    sets and maps with hundreds of elements (a 500 element
                       address set, a 200 range interval set, a large
                       concatenated set and large maps).
  27-family-matrix-FAMILY.nft the same match templates instantiated in every family
                       that supports them (ip, ip6, inet, bridge, netdev,
                       arp), with operators and statements varied per rule.

Regenerate with:

    python3 gen-corpus.py && ./check.sh 26-large-sets.nft 27-family-matrix-*.nft

and commit the script together with its outputs.  The output is
deterministic, so rerunning without changes leaves the files untouched.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, text):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)


# --------------------------------------------------------------------------
# 26-large-sets.nft
# --------------------------------------------------------------------------

def large_sets():
    out = []
    w = out.append
    w("# Large sets and maps written by gen-corpus.py: 500 addresses, 200 address ranges, 200 port ranges, a 300 element concatenation and 256 element maps.\n")
    w("table inet large {\n")
    w('\tcomment "generated large sets"\n\n')

    addrs = ["10.%d.%d.%d" % (20 + i // 250, (i * 7) % 256, 1 + i % 250) for i in range(500)]
    w("\tset blocklist {\n\t\ttype ipv4_addr\n\t\tcomment \"500 single addresses\"\n")
    w("\t\telements = { " + ", ".join(addrs) + " }\n\t}\n\n")

    ranges = []
    for i in range(200):
        base = 100 + i // 100
        third = (i % 100) * 2
        ranges.append("%d.64.%d.10-%d.64.%d.200" % (base, third, base, third))
    w("\tset range_list {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tcomment \"200 address ranges\"\n")
    w("\t\telements = { " + ", ".join(ranges) + " }\n\t}\n\n")

    ports = ["%d-%d" % (1000 + i * 300, 1000 + i * 300 + 99) for i in range(200)]
    w("\tset port_ranges {\n\t\ttype inet_service\n\t\tflags interval\n")
    w("\t\telements = { " + ", ".join(ports) + " }\n\t}\n\n")

    prefixes6 = ["2001:db8:%x::/48" % (i * 3) for i in range(150)]
    w("\tset v6_prefixes {\n\t\ttype ipv6_addr\n\t\tflags interval\n")
    w("\t\telements = { " + ", ".join(prefixes6) + " }\n\t}\n\n")

    concat = ["192.168.%d.%d . %s . %d" % (i // 100, 1 + i % 100, ("tcp", "udp")[i % 2], 1024 + i)
              for i in range(300)]
    w("\tset flows {\n\t\ttype ipv4_addr . inet_proto . inet_service\n")
    w("\t\telements = { " + ", ".join(concat) + " }\n\t}\n\n")

    concat_iv = ["10.%d.0.0/16 . %d-%d" % (i, 2000 + i * 10, 2000 + i * 10 + 5) for i in range(100)]
    w("\tset net_ports {\n\t\ttype ipv4_addr . inet_service\n\t\tflags interval\n")
    w("\t\telements = { " + ", ".join(concat_iv) + " }\n\t}\n\n")

    marks = ["%d : 0x%08x" % (10000 + i, i + 1) for i in range(256)]
    w("\tmap port_marks {\n\t\ttype inet_service : mark\n")
    w("\t\telements = { " + ", ".join(marks) + " }\n\t}\n\n")

    macs = ["02:00:00:00:%02x:%02x : %s" % (i // 256, i % 256, ("accept", "drop", "continue")[i % 3])
            for i in range(256)]
    w("\tmap mac_vmap {\n\t\ttype ether_addr : verdict\n")
    w("\t\telements = { " + ", ".join(macs) + " }\n\t}\n\n")

    w("\tchain in {\n\t\ttype filter hook input priority 0; policy accept;\n")
    w("\t\tip saddr @blocklist counter drop\n")
    w("\t\tip saddr @range_list counter drop\n")
    w("\t\ttcp dport @port_ranges counter\n")
    w("\t\tip6 saddr @v6_prefixes counter\n")
    w("\t\tip daddr . meta l4proto . th dport @flows accept\n")
    w("\t\tip saddr . tcp dport @net_ports accept\n")
    w("\t\tmeta mark set tcp dport map @port_marks\n")
    w("\t\tether saddr vmap @mac_vmap\n")
    anon = ", ".join("172.20.%d.%d" % (i // 50, i % 50 + 1) for i in range(100))
    w("\t\tip daddr { " + anon + " } counter\n")
    w("\t}\n}\n")
    return "".join(out)


# --------------------------------------------------------------------------
# 27-family-matrix.nft
# --------------------------------------------------------------------------

# Base chain declaration per family; every chain must load in a namespace
# that has only lo.
CHAINS = {
    "ip": "type filter hook input priority filter; policy accept;",
    "ip6": "type filter hook input priority filter; policy accept;",
    "inet": "type filter hook input priority filter; policy accept;",
    "bridge": "type filter hook forward priority filter; policy accept;",
    "netdev": 'type filter hook ingress device "lo" priority filter; policy accept;',
    "arp": "type filter hook input priority filter; policy accept;",
}

L3 = ("ip", "ip6", "inet", "bridge", "netdev")
V4 = ("ip", "inet", "bridge", "netdev")
V6 = ("ip6", "inet", "bridge", "netdev")

# Statements appended to rules in rotation so that equal matches in different
# families still differ in what they do.
STMTS = ["", "counter", "accept", "drop", "meta mark set 0x00000007", "counter accept",
         "continue", "limit rate 10/second", "log prefix \"m \"", "return"]


def port_forms(proto, field):
    e = "%s %s" % (proto, field)
    return [
        "%s 22" % e,
        "%s != 22" % e,
        "%s < 1024" % e,
        "%s >= 49152" % e,
        "%s 6000-6100" % e,
        "%s { 25, 110, 143 }" % e,
        "%s != { 137, 138, 139 }" % e,
        "%s { 1-100, 200-300 }" % e,
    ]


def templates():
    """(families, match) pairs."""
    t = []
    for proto in ("tcp", "udp", "udplite", "sctp", "dccp"):
        for field in ("sport", "dport"):
            for m in port_forms(proto, field):
                t.append((L3, m))
    t += [(L3, "th dport 4789"), (L3, "th sport { 67, 68 }")]
    for m in ["ip saddr 192.0.2.7", "ip saddr != 192.0.2.0/24", "ip daddr 198.51.100.1-198.51.100.50",
              "ip daddr { 203.0.113.1, 203.0.113.2 }", "ip ttl < 5", "ip ttl 64", "ip protocol { tcp, udp }",
              "ip dscp af21", "ip ecn ect1", "ip length > 1400", "ip id 42", "ip hdrlength 5",
              "ip version 4", "ip frag-off & 0x1fff != 0", "ip saddr & 255.255.255.0 == 10.1.1.0",
              "icmp type echo-request", "icmp type { time-exceeded, parameter-problem }",
              "icmp code host-unreachable", "ip option rr exists"]:
        t.append((V4, m))
    for m in ["ip6 saddr 2001:db8::7", "ip6 saddr != 2001:db8::/32", "ip6 daddr fd00::1-fd00::ff",
              "ip6 daddr { fd00::1, fd00::2 }", "ip6 hoplimit < 5", "ip6 hoplimit 64",
              "ip6 nexthdr { tcp, udp }", "ip6 dscp af21", "ip6 ecn ect1", "ip6 length > 1400",
              "ip6 flowlabel 77", "ip6 version 6", "icmpv6 type echo-request",
              "icmpv6 type { packet-too-big, time-exceeded }", "icmpv6 code port-unreachable",
              "exthdr frag exists", "frag more-fragments 1", "rt type 2", "hbh nexthdr tcp",
              "dst nexthdr udp", "mh type binding-update", "srh tag 9"]:
        t.append((V6, m))
    for m in ["meta l4proto tcp", "meta l4proto != udp", "meta length 100-200", "meta mark 0x00000005",
              "meta mark & 0x0000ff00 == 0x00000100", "meta iifname \"lo\"", "meta iif \"lo\"",
              "meta pkttype broadcast", "meta priority 1:5", "meta protocol ip6", "meta cpu 0",
              "meta iiftype loopback", "meta random < 1000", "meta iifgroup 0",
              "meta day \"Sunday\"", "meta hour \"00:00\"-\"06:00\"", "ah spi 7", "esp spi 9",
              "comp cpi 11", "@nh,0,8 0x45", "@th,0,16 53", "@ll,0,8 0x1"]:
        t.append((L3, m))
    for m in ["ether saddr 00:11:22:33:44:55", "ether daddr != ff:ff:ff:ff:ff:ff", "ether type ip",
              "ether type { ip6, arp }", "vlan id 42", "vlan id 42 vlan pcp 2",
              "ether saddr { 02:00:00:00:00:01, 02:00:00:00:00:02 }"]:
        t.append((("bridge", "netdev"), m))
    for m in ["arp operation request", "arp operation != reply", "arp htype 1", "arp ptype ip",
              "arp hlen 6", "arp plen 4", "arp saddr ip 192.0.2.1", "arp daddr ip 192.0.2.0/24",
              "arp saddr ether 02:00:00:00:00:01", "arp daddr ether != 00:00:00:00:00:00",
              "arp operation { request, reply }", "meta iifname \"lo\"", "meta length > 28",
              "meta mark 0x00000001", "meta pkttype broadcast"]:
        t.append((("arp", "bridge", "netdev"), m))
    return t


def family_matrix():
    """One file per family: nft loads a file as one batch, and in a user namespace
    (rootless test runs) it cannot raise its socket buffer past the default, so each
    batch must stay small."""
    per_family = {f: [] for f in CHAINS}
    n = 0
    for fams, match in templates():
        for fam in fams:
            stmt = STMTS[n % len(STMTS)]
            n += 1
            if fam == "netdev" and stmt == "return":
                stmt = "counter"
            per_family[fam].append((match + " " + stmt).strip())
    files = {}
    for fam in ("ip", "ip6", "inet", "bridge", "netdev", "arp"):
        out = ["# Family matrix written by gen-corpus.py (%s): header, meta and layer 4 match templates instantiated in the %s family with rotating statements; the other families have files of their own.\n" % (fam, fam)]
        out.append("table %s matrix_%s {\n" % (fam, fam))
        out.append('\tcomment "generated %s family matrix"\n\n' % fam)
        out.append("\tchain base {\n\t\t%s\n" % CHAINS[fam])
        for r in per_family[fam]:
            out.append("\t\t%s\n" % r)
        out.append("\t}\n}\n")
        files["27-family-matrix-%s.nft" % fam] = "".join(out)
    return files


if __name__ == "__main__":
    write("26-large-sets.nft", large_sets())
    for name, text in family_matrix().items():
        write(name, text)
