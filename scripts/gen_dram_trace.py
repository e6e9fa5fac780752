#!/usr/bin/env python3
"""Writes synthetic DRAM request traces for `dmasim dram`.

usage: gen_dram_trace.py PATTERN COUNT OUT_PREFIX [--gap N] [--footprint BYTES]

PATTERN:
  stream       +64 B per request from 64, reads:writes 4:1 (the reference stream trace)
  random       a uniformly drawn 64 B line of 2 GiB, reads:writes 4:1 (the reference random trace)
  read-stream  +64 B per request from 0, reads only
  random-read  uniformly drawn 64 B lines, reads only
Request i is offered at cycle i * gap (gap 1 unless --gap). Addresses wrap at --footprint
(1 GiB). Every request is 64 bytes. With the defaults, `stream` and `random` reproduce the
open-simulator reference traces line for line (Python's random seeded with 0, one 4:1 draw per
request). Writes OUT_PREFIX.trace ("0xADDR READ|WRITE CYCLE") and OUT_PREFIX.stl
("CYCLE:\\tread|write\\t0xADDR").
"""
import argparse
import random


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pattern", choices=["stream", "random", "read-stream", "random-read"])
    parser.add_argument("count", type=int)
    parser.add_argument("prefix")
    parser.add_argument("--gap", type=int, default=1, help="cycles between offered requests")
    parser.add_argument("--footprint", type=int, default=1 << 30, help="address wrap in bytes")
    args = parser.parse_args()

    rng = random.Random(0)
    address = 64 if args.pattern == "stream" else 0
    reads_only = args.pattern in ("read-stream", "random-read")
    with open(args.prefix + ".trace", "w") as plain, open(args.prefix + ".stl", "w") as stl:
        for i in range(args.count):
            if args.pattern in ("random", "random-read"):
                line = rng.randrange(0, 32 * 1024 * 1024) * 64
            else:
                line = address
                address += 64
            line %= args.footprint
            write = False if reads_only else rng.uniform(0.0, 1.0) >= 0.8
            cycle = i * args.gap
            plain.write(f"{hex(line)} {'WRITE' if write else 'READ'} {cycle}\n")
            stl.write(f"{cycle}:\t{'write' if write else 'read'}\t{hex(line)}\n")


if __name__ == "__main__":
    main()
