"""The peer comparison's own logic, without installing any peer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from bench import peers
from snsreceiver.sns.message import parse_message
from snsreceiver.sns.signature import check_signature


@pytest.fixture(autouse=True)
def fixed_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    """snsreceiver's own rates are the verify benchmark's; not timed here."""
    monkeypatch.setattr(peers, "rates", lambda signer, bodies: (50_000.0, 33_000.0))


def test_peers_get_the_messages_and_their_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a peer reads: 256 signed bodies that the written certificate verifies."""
    monkeypatch.setattr(peers, "PEERS", {})
    peers.measure(tmp_path)

    bodies = json.loads((tmp_path / "messages.json").read_text())
    certificate = x509.load_pem_x509_certificate(
        (tmp_path / "certificate.pem").read_bytes()
    )
    key = certificate.public_key()
    assert isinstance(key, RSAPublicKey)
    assert len(bodies) == 256
    assert len({parse_message(body).message_id for body in bodies}) == 256
    for body in bodies:
        check_signature(parse_message(body), key)


def test_table_has_a_row_per_peer_and_says_why_one_was_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def runs(workdir: Path) -> dict[str, Any]:
        return {"runtime": "Node v20", "validated": 6100.4, "raw": 47000, "fetches": 1}

    def cannot(workdir: Path) -> dict[str, Any]:
        raise peers.Skipped("Node.js and npm are not installed")

    monkeypatch.setattr(peers, "PEERS", {"fast peer": runs, "absent peer": cannot})
    peers.measure(tmp_path)

    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("| snsreceiver | Python ")
    assert lines[2].endswith("| 33,000 | 50,000 |")
    assert lines[3] == "| fast peer | Node v20 | 6,100 | 47,000 |"
    assert (
        lines[4] == "| absent peer | skipped: Node.js and npm are not installed | | |"
    )


def test_a_peer_that_fetched_more_than_once_is_not_reported_as_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refetches(workdir: Path) -> dict[str, Any]:
        return {"runtime": "Node v20", "validated": 1.0, "fetches": 256}

    monkeypatch.setattr(peers, "PEERS", {"uncached": refetches})
    with pytest.raises(RuntimeError, match="uncached fetched 256 certificates"):
        peers.measure(tmp_path)


def test_no_node_means_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(peers.shutil, "which", lambda name: None)
    with pytest.raises(peers.Skipped, match=r"Node\.js and npm are not installed"):
        peers.aws_javascript(tmp_path)


def test_a_failed_command_is_a_skip_with_its_last_line(tmp_path: Path) -> None:
    script = tmp_path / "fails.py"
    script.write_text("import sys\nprint('first')\nsys.exit('no such package')\n")
    with pytest.raises(peers.Skipped, match=r"failed: no such package$"):
        peers._run([peers.sys.executable, str(script)])
