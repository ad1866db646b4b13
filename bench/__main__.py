"""Runs benchmarks by name, or all of them: ``python -m bench [NAME...]``.

The names are verify, instructions, operator and peers.

A benchmark's own options go to its module: ``python -m bench.operator --help``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import instructions, operator, peers, verify

BENCHMARKS: dict[str, Callable[[], None]] = {
    "verify": verify.main,
    "instructions": instructions.main,
    "operator": operator.main,
    "peers": peers.main,
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        choices = ", ".join(BENCHMARKS)
        print(f"error: unknown benchmark {unknown[0]!r}; choose from {choices}")
        return 2
    for name in names:
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
