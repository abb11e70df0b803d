#!/usr/bin/env python3
"""Regenerates the generated part of the seed corpora (fuzz/README.md, "Corpus").

  corpus/scenario_loader/scenario_*.yaml   copies of scenarios/*.yaml and tests/cli/*.yaml
  corpus/ring_reader/*.ring                well-formed rings in ring_reader_fuzzer.cc's layout

Hand-written seeds (edge_*) and fixed reproducers (regress_*) are left alone. The ring seeds are encoded
here independently of sim/ring, so a bug in the writer cannot hide the same bug in the reader.
"""
import glob
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PAGE = 4096


def scenario_seeds():
    out = os.path.join(HERE, "corpus", "scenario_loader")
    os.makedirs(out, exist_ok=True)
    for old in glob.glob(os.path.join(out, "scenario_*")):
        os.remove(old)
    for pattern in ("scenarios/*.yaml", "scenarios/*.json", "tests/cli/*.yaml"):
        for src in sorted(glob.glob(os.path.join(ROOT, pattern))):
            shutil.copyfile(src, os.path.join(out, "scenario_" + os.path.basename(src)))


def packet(ptype, txid, payload, flags=0, header_ext=b"", at=0):
    """One packet as the ring holds it: descriptor, header extension, padded payload, trailer."""
    offset8 = (16 + len(header_ext)) // 8
    body = payload + b"\0" * (-len(payload) % 8)
    len8 = offset8 + len(body) // 8
    return (struct.pack("<HHHHQ", ptype, offset8, len8, flags, txid) + header_ext + body +
            struct.pack("<Q", at << 32))


def gpa_ranges(ranges):
    ext = struct.pack("<II", 0, len(ranges))
    for count, offset, pfns in ranges:
        ext += struct.pack("<II", count, offset) + b"".join(struct.pack("<Q", p) for p in pfns)
    return ext


def ring(packets, pages=1, start=0, options=0, pending=0, features=1, max_packet=0, late=()):
    """The fuzzer's input: control words, options, then the data area with `packets` written
    from `start`, wrapping at the end of the data area as a real writer does. `late` packets
    follow them but are published only after the first drain (options bit 4)."""
    size = pages * PAGE
    data = bytearray(size)
    w = start
    ends = []
    for p in list(packets) + list(late):
        for i, b in enumerate(p):
            data[(w + i) % size] = b
        w = (w + len(p)) % size
        ends.append(w)
    published = ends[len(packets) - 1] if packets else start
    header = struct.pack("<IIIII", published, start, 0, pending, features)
    header += struct.pack("<BII", (pages - 1) | options | (16 if late else 0), max_packet, w)
    return header + bytes(data).rstrip(b"\0")


def ring_seeds():
    out = os.path.join(HERE, "corpus", "ring_reader")
    os.makedirs(out, exist_ok=True)
    inband, completion, gpa = 6, 0xB, 9
    seeds = {
        "empty": ring([]),
        "one_inband": ring([packet(inband, 1, b"\x01\0\0\0\0\0\0\0", flags=1)]),
        "three_commit_each": ring([packet(inband, i, bytes(range(i * 4))) for i in range(1, 4)], options=4),
        "completion": ring([packet(completion, 7, b"\x04\0\0\0" * 3)]),
        "gpa_direct": ring([packet(gpa, 9, b"req!", flags=1,
                                   header_ext=gpa_ranges([(8192, 16, [5, 6, 7]), (1, 0xFFF, [9])]))]),
        "wrapped": ring([packet(inband, 2, bytes(40)), packet(inband, 3, bytes(8))], start=PAGE - 32),
        "pending_send": ring([packet(inband, 4, bytes(64)) for _ in range(4)], options=4 | 8, pending=256),
        "limit": ring([packet(inband, 5, bytes(32))], max_packet=48),
        "four_pages": ring([packet(inband, i, bytes(200)) for i in range(60)], pages=4),
        "published_late": ring([packet(inband, 1, bytes(16))], late=[packet(completion, 2, bytes(8))] * 2,
                               options=8, start=PAGE - 48),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name + ".ring"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    scenario_seeds()
    ring_seeds()
