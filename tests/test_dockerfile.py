"""The Dockerfile: its key properties, read from the text, and hadolint's verdict.

There is no Docker engine where the tests run, so the image is never built here;
these tests read the Dockerfile as text and lint it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from snsreceiver.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
HADOLINT = Path(sys.executable).parent / "hadolint"


@dataclass
class Instruction:
    keyword: str
    arguments: str


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [i.arguments for i in self.instructions if i.keyword == keyword]


def parse_instructions(text: str) -> list[Instruction]:
    """Joins continuation lines and drops comments, giving one entry per instruction."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue

        pending += line
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip() + " "
            continue

        keyword, _, arguments = pending.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def parse_stages(text: str) -> list[Stage]:
    """Groups the instructions by the FROM that opens each build stage."""
    stages: list[Stage] = []
    for instruction in parse_instructions(text):
        if instruction.keyword == "FROM":
            words = instruction.arguments.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=words[0], name=name))
        elif stages:
            stages[-1].instructions.append(instruction)
    return stages


def environment(stage: Stage) -> dict[str, str]:
    """The variables a stage's ENV instructions set, in KEY=value form."""
    variables: dict[str, str] = {}
    for arguments in stage.all("ENV"):
        for pair in arguments.split():
            key, _, value = pair.partition("=")
            variables[key] = value
    return variables


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_stages(DOCKERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def final(stages: list[Stage]) -> Stage:
    return stages[-1]


class TestParser:
    def test_continuations_are_joined_and_comments_dropped(self) -> None:
        """A backslash-continued RUN is one instruction; comment lines vanish."""
        text = "# note\nFROM a:1 AS b\nRUN one \\\n    && two\n"

        instructions = parse_instructions(text)

        assert [i.keyword for i in instructions] == ["FROM", "RUN"]
        assert instructions[1].arguments == "one && two"

    def test_stages_are_split_at_from(self) -> None:
        """Each FROM opens a new stage with its own image and name."""
        stages = parse_stages("FROM a:1 AS one\nRUN x\nFROM b:2\nUSER 5\n")

        assert [(s.image, s.name) for s in stages] == [("a:1", "one"), ("b:2", None)]
        assert stages[1].all("USER") == ["5"]


class TestDockerfile:
    def test_build_has_a_builder_and_a_final_stage(self, stages: list[Stage]) -> None:
        """The image is built in at least two stages."""
        assert len(stages) >= 2

    def test_base_images_are_slim_python_with_a_pinned_tag(
        self, stages: list[Stage]
    ) -> None:
        """Every stage starts from a tagged python 3.11 slim image, never `latest`."""
        for stage in stages:
            repository, _, tag = stage.image.partition(":")

            assert repository == "python"
            assert re.fullmatch(r"3\.11\.\d+-slim(-\w+)?", tag), stage.image

    def test_final_stage_copies_only_the_virtual_environment(
        self, stages: list[Stage], final: Stage
    ) -> None:
        """The final stage takes the venv from the builder and no source tree."""
        copies = final.all("COPY")

        assert copies == [f"--from={stages[0].name} /opt/venv /opt/venv"]

    def test_final_stage_runs_as_a_non_root_user(self, final: Stage) -> None:
        """The last USER instruction names neither root nor uid 0."""
        users = final.all("USER")

        assert users
        user = users[-1].split(":")[0]
        assert user not in {"root", "0"}

    def test_final_stage_installs_nothing(self, final: Stage) -> None:
        """No pip, apt or compiler runs in the final stage, so no dev extra ships."""
        commands = " ".join(final.all("RUN"))

        assert "pip" not in commands
        assert "apt" not in commands
        assert "[dev]" not in DOCKERFILE.read_text(encoding="utf-8")

    def test_builder_installs_the_package_without_extras(
        self, stages: list[Stage]
    ) -> None:
        """The builder's pip install names the project itself, with no extra."""
        installs = [
            run for stage in stages[:-1] for run in stage.all("RUN") if "pip" in run
        ]

        assert installs
        assert all(run.rstrip().endswith(" .") for run in installs)

    def test_healthcheck_asks_healthz_with_the_standard_library(
        self, final: Stage
    ) -> None:
        """The HEALTHCHECK runs python's urllib against /healthz (slim has no curl)."""
        (check,) = final.all("HEALTHCHECK")
        command = json.loads(check[check.index("CMD") + 3 :])

        assert command[:2] == ["python", "-c"]
        assert "urllib.request" in command[2]
        assert "/healthz" in command[2]
        assert "curl" not in check

    def test_exposed_port_is_the_default_port(self, final: Stage) -> None:
        """EXPOSE and SNSRECEIVER_PORT agree with the settings' default port."""
        default_port = Settings.model_fields["port"].default

        assert final.all("EXPOSE") == [str(default_port)]
        assert environment(final)["SNSRECEIVER_PORT"] == str(default_port)

    def test_container_listens_on_every_interface(self, final: Stage) -> None:
        """SNSRECEIVER_HOST is 0.0.0.0, or the port would be unreachable."""
        assert environment(final)["SNSRECEIVER_HOST"] == "0.0.0.0"  # noqa: S104

    def test_sqlite_default_lives_in_the_writable_data_volume(
        self, final: Stage
    ) -> None:
        """The default database file is under /data, the working dir and volume."""
        url = environment(final)["SNSRECEIVER_DATABASE_URL"]

        assert url == "sqlite+aiosqlite:////data/snsreceiver.db"
        assert final.all("WORKDIR") == ["/data"]
        assert final.all("VOLUME") == ['["/data"]']
        assert any("chown" in run and "/data" in run for run in final.all("RUN"))

    def test_command_serves_and_leaves_migrations_to_start_up(
        self, final: Stage
    ) -> None:
        """CMD runs `snsreceiver serve`; migrate-on-start is not switched off."""
        assert json.loads(final.all("CMD")[-1]) == ["snsreceiver", "serve"]
        assert "SNSRECEIVER_MIGRATE_ON_START" not in environment(final)
        assert Settings.model_fields["migrate_on_start"].default is True

    def test_build_context_admits_only_what_the_build_copies(self) -> None:
        """.dockerignore excludes everything except the package and its metadata."""
        lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        rules = [line for line in lines if line and not line.startswith("#")]

        assert rules[0] == "*"
        assert {r for r in rules if r.startswith("!")} == {
            "!pyproject.toml",
            "!README.md",
            "!snsreceiver/",
        }


class TestHadolint:
    def run_hadolint(self, path: Path) -> subprocess.CompletedProcess[str]:
        # The command is the venv's own hadolint on a path the test chose.
        return subprocess.run(  # noqa: S603
            [str(HADOLINT), "--no-color", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )

    def test_dockerfile_passes_hadolint(self) -> None:
        """hadolint, installed beside this Python, finds nothing to report."""
        result = self.run_hadolint(DOCKERFILE)

        assert result.returncode == 0, result.stdout + result.stderr

    def test_hadolint_rejects_an_unpinned_image(self, tmp_path: Path) -> None:
        """The lint can fail: a `latest` base image is reported as DL3007."""
        bad = tmp_path / "Dockerfile"
        bad.write_text('FROM python:latest\nCMD ["python"]\n', encoding="utf-8")

        result = self.run_hadolint(bad)

        assert result.returncode != 0
        assert "DL3007" in result.stdout
