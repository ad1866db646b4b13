"""The settings table of docs/deploy.md, rendered from the Settings class.

The table sits between two marker comments. ``make docs`` (``python -m
snsreceiver.settings_doc``) rewrites it, and a test compares the document with
:func:`render_settings_table`, so a setting added without a description, or a
changed default, fails the test suite until the document is regenerated.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from snsreceiver.errors import SnsReceiverError
from snsreceiver.settings import ENV_PREFIX, Settings

TABLE_START = "<!-- settings-table:start -->"
TABLE_END = "<!-- settings-table:end -->"
DEFAULT_DOCUMENT = Path("docs/deploy.md")

EXIT_FAILURE = 1


def environment_variable(field_name: str) -> str:
    """The variable an operator sets for a field: the prefix and the upper name."""
    return ENV_PREFIX + field_name.upper()


def format_default(field: FieldInfo) -> str:
    """Writes a field's default the way an operator would type it, or says why not."""
    if field.default is PydanticUndefined and field.default_factory is None:
        return "*required*"

    value = field.get_default(call_default_factory=True)
    if value is None:
        return "*unset*"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, frozenset | set):
        value = sorted(value)
    if isinstance(value, tuple | list):
        if not value:
            return "*empty*"
        return "`" + ",".join(str(item) for item in value) + "`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def render_settings_table() -> str:
    """Builds the Markdown table of every setting: variable, default, meaning.

    Raises SnsReceiverError naming the first field that has no description, since
    an undocumented setting is one an operator cannot use.
    """
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]

    for name, field in Settings.model_fields.items():
        if not field.description:
            raise SnsReceiverError(
                f"setting {name!r} has no description; add one to its Field()",
                code="undocumented_setting",
            )

        variable = f"`{environment_variable(name)}`"
        rows.append(
            f"| {variable} | {_cell(format_default(field))} "
            f"| {_cell(field.description)} |"
        )

    return "\n".join(rows) + "\n"


def extract_settings_table(document: str) -> str:
    """Returns the text between the table markers of ``document``."""
    start = document.find(TABLE_START)
    end = document.find(TABLE_END)
    if start == -1 or end < start:
        raise SnsReceiverError(
            f"the document has no {TABLE_START} ... {TABLE_END} section",
            code="settings_table_missing",
        )

    return document[start + len(TABLE_START) : end].strip("\n") + "\n"


def replace_settings_table(document: str, table: str) -> str:
    """Returns ``document`` with the text between the markers set to ``table``."""
    extract_settings_table(document)

    head, _, rest = document.partition(TABLE_START)
    _, _, tail = rest.partition(TABLE_END)
    return f"{head}{TABLE_START}\n{table}{TABLE_END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrites the table in place, or with ``--check`` reports whether it is stale."""
    parser = argparse.ArgumentParser(
        prog="python -m snsreceiver.settings_doc",
        description="Regenerate the settings table of the deployment guide.",
    )
    parser.add_argument("document", nargs="?", type=Path, default=DEFAULT_DOCUMENT)
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 when the table differs from the settings",
    )
    arguments = parser.parse_args(argv)

    try:
        current = arguments.document.read_text(encoding="utf-8")
        updated = replace_settings_table(current, render_settings_table())
    except (OSError, SnsReceiverError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE

    if arguments.check:
        if updated != current:
            print(
                f"{arguments.document}: settings table is out of date", file=sys.stderr
            )
            return EXIT_FAILURE
        return 0

    if updated != current:
        arguments.document.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
