"""The settings table of docs/deploy.md and the generator that writes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field
from pydantic.fields import FieldInfo

from snsreceiver import settings_doc
from snsreceiver.errors import SnsReceiverError
from snsreceiver.settings import Settings
from snsreceiver.settings_doc import (
    TABLE_END,
    TABLE_START,
    extract_settings_table,
    format_default,
    main,
    render_settings_table,
    replace_settings_table,
)

DEPLOY_GUIDE = Path(__file__).resolve().parent.parent / "docs" / "deploy.md"
README = Path(__file__).resolve().parent.parent / "README.md"


def field_with_default(value: object) -> FieldInfo:
    info: FieldInfo = Field(default=value)
    return info


class TestDeployGuide:
    def test_table_in_the_guide_matches_the_settings(self) -> None:
        """docs/deploy.md shows exactly the rendered table; run `make docs` if not."""
        document = DEPLOY_GUIDE.read_text(encoding="utf-8")

        assert extract_settings_table(document) == render_settings_table()

    def test_table_in_the_readme_matches_the_settings(self) -> None:
        """README.md shows the same rendered table; run `make docs` if not."""
        document = README.read_text(encoding="utf-8")

        assert extract_settings_table(document) == render_settings_table()

    def test_every_setting_has_a_description(self) -> None:
        """Each Settings field says what it means, so the table has no blank cell."""
        undocumented = [
            name
            for name, field in Settings.model_fields.items()
            if not (field.description and field.description.strip())
        ]

        assert undocumented == []


class TestRenderSettingsTable:
    def test_one_row_per_setting_named_by_its_variable(self) -> None:
        """Every field appears once, as SNSRECEIVER_ and its upper-case name."""
        rows = render_settings_table().splitlines()[2:]

        variables = [row.split("|")[1].strip().strip("`") for row in rows]
        assert variables == [
            "SNSRECEIVER_" + name.upper() for name in Settings.model_fields
        ]

    def test_row_carries_default_and_description(self) -> None:
        """A row holds the variable, its default and its description."""
        table = render_settings_table()
        description = Settings.model_fields["port"].description

        assert f"| `SNSRECEIVER_PORT` | `8000` | {description} |" in table

    def test_setting_without_description_is_refused(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A new field lacking a description stops the table from being rendered."""

        class Extended(Settings):
            shiny_new_knob: int = 1

        monkeypatch.setattr(settings_doc, "Settings", Extended)

        with pytest.raises(SnsReceiverError) as caught:
            render_settings_table()

        assert caught.value.code == "undocumented_setting"
        assert "shiny_new_knob" in caught.value.message

    def test_pipes_in_a_description_are_escaped(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A `|` in a description cannot split the Markdown row."""

        class Extended(Settings):
            mode: str = Field(default="a", description="either a | b")

        monkeypatch.setattr(settings_doc, "Settings", Extended)

        assert r"either a \| b" in render_settings_table()


class TestFormatDefault:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (None, "*unset*"),
            (True, "`true`"),
            (False, "`false`"),
            ((), "*empty*"),
            (("a", "b"), "`a,b`"),
            (frozenset({"2", "1"}), "`1,2`"),
            (3900.0, "`3900`"),
            (0.5, "`0.5`"),
            ("INFO", "`INFO`"),
        ],
    )
    def test_defaults_are_written_as_an_operator_types_them(
        self, value: object, expected: str
    ) -> None:
        """Defaults read like environment values: lowercase booleans, comma lists."""
        assert format_default(field_with_default(value)) == expected

    def test_field_without_default_is_required(self) -> None:
        """A field with no default is shown as required."""
        info: FieldInfo = Field(description="x")

        assert format_default(info) == "*required*"


class TestReplaceSettingsTable:
    def test_only_the_marked_section_changes(self) -> None:
        """Text before and after the markers is kept as it was."""
        document = f"intro\n{TABLE_START}\nold\n{TABLE_END}\noutro\n"

        updated = replace_settings_table(document, "| new |\n")

        assert updated == f"intro\n{TABLE_START}\n| new |\n{TABLE_END}\noutro\n"
        assert extract_settings_table(updated) == "| new |\n"

    def test_document_without_markers_is_refused(self) -> None:
        """A document lacking the markers raises instead of being left untouched."""
        with pytest.raises(SnsReceiverError) as caught:
            replace_settings_table("no table here\n", "| new |\n")

        assert caught.value.code == "settings_table_missing"


class TestMain:
    def stale_copy(self, tmp_path: Path) -> Path:
        copy = tmp_path / "deploy.md"
        copy.write_text(
            f"# Guide\n{TABLE_START}\n| stale |\n{TABLE_END}\n", encoding="utf-8"
        )
        return copy

    def test_rewrites_a_stale_table(self, tmp_path: Path) -> None:
        """Without --check, the table in the file is replaced by the rendered one."""
        copy = self.stale_copy(tmp_path)

        assert main([str(copy)]) == 0

        text = copy.read_text(encoding="utf-8")
        assert text.startswith("# Guide\n")
        assert extract_settings_table(text) == render_settings_table()

    def test_check_reports_a_stale_table_without_writing(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--check exits 1 on a stale table and leaves the file alone."""
        copy = self.stale_copy(tmp_path)
        before = copy.read_text(encoding="utf-8")

        assert main([str(copy), "--check"]) == 1

        assert copy.read_text(encoding="utf-8") == before
        assert "out of date" in capsys.readouterr().err

    def test_check_passes_on_the_deploy_guide(self) -> None:
        """--check exits 0 on the committed docs/deploy.md."""
        assert main([str(DEPLOY_GUIDE), "--check"]) == 0

    def test_missing_file_is_one_error_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A path that does not exist ends in one error line and exit code 1."""
        assert main([str(tmp_path / "absent.md")]) == 1

        assert capsys.readouterr().err.startswith("error: ")
