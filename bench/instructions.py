"""Instructions per verified message beyond the RSA check, counted by callgrind.

``python -m bench.instructions`` runs the verify benchmark's loop under
``valgrind --tool=callgrind``, which counts the instructions the processor
executes instead of timing them. Wall-clock rates on a shared machine wander by
several percent from run to run; the count repeats to within about one percent
for the same code and inputs, so it shows a small change of the verifier that
the clock would hide.

Four runs, each in a child process: the 256 signed messages verified ROUNDS
times over and not at all, and the bare RSA check of one of them 256 * ROUNDS
times and not at all. Setting up (signing, parsing, importing) is the same in
each pair, so the difference of a pair over 256 * ROUNDS is the cost of one
verification and of one RSA check; the printed overhead is the first minus the
second. The signing key is made once and handed to every child, because making
an RSA key takes a different number of steps each time.

The overhead is the figure to compare from one version of the code to the
next. The RSA count is not the RSA time: under valgrind, OpenSSL chooses its
routines by the processor features valgrind emulates, not the real ones.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bench.verify import (
    MESSAGES,
    bare_check,
    cached_verifier,
    signed_bodies,
    sns_headers,
)
from snsreceiver.sns.signature import HASHES, PADDING
from snsreceiver.sns.testkit import TestSigner

ROUNDS = 10
COLLECTED = re.compile(r"Collected : (\d+)")


def _signer(key_file: Path) -> TestSigner:
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return TestSigner(key=key)


async def _verify(signer: TestSigner, rounds: int) -> int:
    """Verifies the messages 1 + rounds times over; how many verified."""
    bodies = signed_bodies(signer)
    deliveries = [(body, sns_headers(body)) for body in bodies]
    async with cached_verifier(signer) as (verifier, _):
        # One pass in every run, counted or not, so that the first fetch and
        # everything cached after it belong to the setup.
        for _ in range(1 + rounds):
            for body, headers in deliveries:
                await verifier.verify(body, headers)  # raises unless verified
    return (1 + rounds) * len(deliveries)


def _raw(signer: TestSigner, rounds: int) -> int:
    """Checks one message's signature as often as _verify verifies; how often."""
    public_key, signature, data = bare_check(signer, signed_bodies(signer)[0])
    sha1 = HASHES["1"]
    checks = (1 + rounds) * MESSAGES
    for _ in range(checks):
        public_key.verify(signature, data, PADDING, sha1)
    return checks


def _count(mode: str, rounds: int, key_file: Path, valgrind: str) -> int:
    """Instructions of one child run of ``mode`` over ``rounds`` rounds."""
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
            [
                valgrind,
                "--tool=callgrind",
                f"--callgrind-out-file={scratch}/callgrind.out",
                sys.executable,
                "-m",
                "bench.instructions",
                "--child",
                mode,
                str(rounds),
                str(key_file),
            ],
            capture_output=True,
            text=True,
            check=False,
            # Python's hash seed changes dictionary layouts and with them the
            # count; one seed for every run keeps the pairs comparable.
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_operation(mode: str, key_file: Path, valgrind: str) -> float:
    """Instructions of one verification (or one RSA check) on its own."""
    counted = _count(mode, ROUNDS, key_file, valgrind)
    setup = _count(mode, 0, key_file, valgrind)
    return (counted - setup) / (ROUNDS * MESSAGES)


def main() -> None:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("skipped: valgrind is not installed (Debian package valgrind)")
        return
    with tempfile.TemporaryDirectory() as scratch:
        key_file = Path(scratch) / "key.pem"
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        verified = per_operation("verify", key_file, valgrind)
        raw = per_operation("raw", key_file, valgrind)

    print(f"instructions per bare RSA-2048 check:   {raw:>9,.0f}")
    print(f"instructions per verified SNS message:  {verified:>9,.0f}")
    print(f"beyond the RSA check:                   {verified - raw:>9,.0f}")
    print(
        "(OpenSSL runs on the processor features valgrind emulates, so the RSA "
        "count is no guide to its time; bench verify gives the ratio of times)"
    )


def _child(mode: str, rounds: int, key_file: Path) -> None:
    signer = _signer(key_file)
    if mode == "verify":
        asyncio.run(_verify(signer, rounds))
    else:
        _raw(signer, rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.instructions", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "ROUNDS", "KEY"), help=argparse.SUPPRESS
    )
    arguments = parser.parse_args()
    if arguments.child:
        mode, rounds, key = arguments.child
        _child(mode, int(rounds), Path(key))
    else:
        main()
