#!/usr/bin/env python3
"""Writes the seed corpus of packet_fuzzer: a dozen small, valid frames, one
per shape the parser knows, with correct checksums. Standard library only, so
the checksums here are an implementation independent of src/dataplane.

    tests/fuzz/make_packet_seeds.py tests/fuzz/packet_corpus_seed
"""
import pathlib
import struct
import sys

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
V4_A, V4_B = bytes([10, 0, 1, 5]), bytes([10, 0, 2, 7])
V6_A = bytes.fromhex("26001f18000000000000000000000005")
V6_B = bytes.fromhex("26001f18000000000000000000000007")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ethernet(ethertype, payload, vlan=None):
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return MAC_B + MAC_A + tag + struct.pack("!H", ethertype) + payload


def ipv4(proto, l4, options=b"", ident=1, flags_offset=0x4000):
    ihl = 5 + len(options) // 4
    header = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(l4), ident,
                         flags_offset, 64, proto, 0, V4_A, V4_B) + options
    c = checksum(header)
    return header[:10] + struct.pack("!H", c) + header[12:] + l4


def ipv6(next_header, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), next_header, 64, V6_A,
                       V6_B) + payload


def pseudo(v4, proto, length):
    if v4:
        return V4_A + V4_B + struct.pack("!BBH", 0, proto, length)
    return V6_A + V6_B + struct.pack("!IxxxB", length, proto)


def tcp(v4, flags, payload=b"", options=b""):
    doff = 5 + len(options) // 4
    seg = struct.pack("!HHIIBBHHH", 49152, 443, 1, 0, doff << 4, flags, 65535, 0,
                      0) + options + payload
    c = checksum(pseudo(v4, 6, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(v4, payload, sport=49152, dport=53):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = checksum(pseudo(v4, 17, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def icmp(v6, type_, code, body):
    msg = struct.pack("!BBH", type_, code, 0) + body
    c = checksum((pseudo(False, 58, len(msg)) if v6 else b"") + msg)
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def seeds():
    dns = bytes.fromhex("1234010000010000000000000765786d706c6503636f6d0000010001")
    mss = bytes.fromhex("020405b4")
    yield "ipv4_tcp_syn_mss", ethernet(0x0800, ipv4(6, tcp(True, 0x02, options=mss)))
    yield "ipv4_udp_dns", ethernet(0x0800, ipv4(17, udp(True, dns)))
    yield "ipv4_udp_padded", ethernet(0x0800, ipv4(17, udp(True, b"hi"))).ljust(60, b"\0")
    yield "ipv4_icmp_echo", ethernet(0x0800, ipv4(1, icmp(False, 8, 0, b"\0\1\0\1ping")))
    yield "ipv4_options_udp", ethernet(0x0800, ipv4(17, udp(True, b"x"), options=b"\x94\x04\0\0"))
    yield "ipv4_gre", ethernet(0x0800, ipv4(47, b"\0\0\x08\0" + b"inner"))
    yield "ipv4_first_fragment", ethernet(0x0800, ipv4(17, udp(True, b"A" * 16), ident=7, flags_offset=0x2000))
    yield "ipv4_later_fragment", ethernet(0x0800, ipv4(17, b"B" * 12, ident=7, flags_offset=3))
    yield "vlan_ipv4_tcp_ack", ethernet(0x0800, ipv4(6, tcp(True, 0x10, b"data")), vlan=100)
    yield "ipv6_tcp_syn", ethernet(0x86DD, ipv6(6, tcp(False, 0x02)))
    yield "ipv6_icmpv6_echo", ethernet(0x86DD, ipv6(58, icmp(True, 128, 0, b"\0\1\0\1")))
    hop = bytes([60, 0]) + b"\1\4\0\0\0\0"  # -> destination options, PadN
    dst = bytes([17, 0]) + b"\1\4\0\0\0\0"  # -> UDP
    yield "ipv6_ext_headers_udp", ethernet(0x86DD, ipv6(0, hop + dst + udp(False, dns)))
    frag = struct.pack("!BBHI", 17, 0, 1, 0xDEADBEEF)  # offset 0, M=1
    yield "ipv6_first_fragment", ethernet(0x86DD, ipv6(44, frag + udp(False, b"F" * 16)))
    arp = bytes.fromhex("0001080006040001") + MAC_A + V4_A + bytes(6) + V4_B
    yield "arp_request", ethernet(0x0806, arp)


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "packet_corpus_seed")
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in seeds():
        (out / name).write_bytes(frame)


if __name__ == "__main__":
    main()
