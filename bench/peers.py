"""snsreceiver's verifier beside other SNS validators, on the same messages.

``python -m bench.peers [--workdir DIR]`` signs the verify benchmark's 256 SES
bounce notifications, writes them and the certificate to DIR, and times, one
core each:

- snsreceiver's :class:`MessageVerifier`, as ``python -m bench verify`` does;
- AWS's own JavaScript validator, the npm package ``sns-validator``, under the
  machine's Node.js, installed into DIR with npm;
- PyPI's ``sns-message-validator``, in a virtual environment made in DIR, on
  the same ``cryptography`` release as snsreceiver so that the RSA check under
  each is the same.

Every validator gets the certificate from memory after its first message, as
snsreceiver gets it from its cache, so none of them touches the network once
installed. A peer that cannot be installed or run is reported as skipped, with
the reason. What each peer checks differs (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import shutil
import subprocess
import sys
import tempfile
import venv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.verify import rates, signed_bodies
from snsreceiver.sns.testkit import TestSigner

SCRIPTS = Path(__file__).parent / "peer_scripts"
JS_PACKAGE = "sns-validator@0.3.5"
PY_PACKAGE = "sns-message-validator==0.0.1"


class Skipped(Exception):
    """A peer that could not be installed or run here; the text says why."""


def _run(command: list[str], **options: Any) -> str:
    try:
        done = subprocess.run(  # noqa: S603 (fixed commands of this file)
            command, capture_output=True, text=True, check=False, **options
        )
    except OSError as error:
        raise Skipped(f"{command[0]}: {error}") from error
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:]
        raise Skipped(f"{Path(command[0]).name} failed: {' '.join(last)}")
    output: str = done.stdout
    return output


def aws_javascript(workdir: Path) -> dict[str, Any]:
    """AWS's JavaScript validator under Node.js."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise Skipped("Node.js and npm are not installed")
    if not (workdir / "node_modules" / "sns-validator").is_dir():
        _run([npm, "install", "--no-save", "--prefix", str(workdir), JS_PACKAGE])
    output = _run([node, str(SCRIPTS / "aws_js_validator.js"), str(workdir)])
    result: dict[str, Any] = json.loads(output.splitlines()[-1])
    return result


def pypi_validator(workdir: Path) -> dict[str, Any]:
    """PyPI's sns-message-validator, on snsreceiver's cryptography release."""
    environment = workdir / "venv"
    python = environment / "bin" / "python"
    installed = environment / "peer-installed"
    if not installed.exists():
        venv.create(environment, clear=True, with_pip=True)
        cryptography = importlib.metadata.version("cryptography")
        pip = [str(python), "-m", "pip", "install", "--quiet"]
        # The package pins cryptography 2.6.1, from 2019; install it without its
        # pins so that it runs on the same RSA code as snsreceiver.
        _run([*pip, "--no-deps", PY_PACKAGE])
        _run([*pip, "requests", f"cryptography=={cryptography}"])
        installed.touch()
    output = _run([str(python), str(SCRIPTS / "pypi_validator.py"), str(workdir)])
    result: dict[str, Any] = json.loads(output.splitlines()[-1])
    return result


PEERS: dict[str, Callable[[Path], dict[str, Any]]] = {
    f"AWS's JavaScript validator ({JS_PACKAGE})": aws_javascript,
    f"PyPI {PY_PACKAGE}": pypi_validator,
}


def measure(workdir: Path) -> None:
    signer = TestSigner()
    bodies = signed_bodies(signer)
    (workdir / "messages.json").write_text(
        json.dumps([body.decode() for body in bodies])
    )
    (workdir / "certificate.pem").write_bytes(signer.certificate_pem)

    raw, verified = rates(signer, bodies)
    python = f"Python {sys.version.split()[0]}"
    print("| validator | runtime | messages/s | bare RSA/s in that runtime |")
    print("| --- | --- | ---: | ---: |")
    print(f"| snsreceiver | {python} | {verified:,.0f} | {raw:,.0f} |")
    for name, peer in PEERS.items():
        try:
            result = peer(workdir)
        except Skipped as reason:
            print(f"| {name} | skipped: {reason} | | |")
            continue
        # A peer with a cache of its own says how often it fetched.
        if result.get("fetches", 1) != 1:
            raise RuntimeError(f"{name} fetched {result['fetches']} certificates")
        rsa = f"{result['raw']:,.0f}" if "raw" in result else ""
        print(f"| {name} | {result['runtime']} | {result['validated']:,.0f} | {rsa} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.peers",
        description="Time snsreceiver's verifier beside other SNS validators.",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="Where the peers are installed and the messages written; kept, so "
        "a second run installs nothing (default: a temporary directory).",
    )
    options = parser.parse_args(argv or [])
    if options.workdir is None:
        with tempfile.TemporaryDirectory(prefix="snsreceiver-peers-") as workdir:
            measure(Path(workdir))
    else:
        options.workdir.mkdir(parents=True, exist_ok=True)
        measure(options.workdir)


if __name__ == "__main__":
    main(sys.argv[1:])
