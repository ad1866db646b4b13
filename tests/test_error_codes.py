"""The refusal codes the code raises against the table that documents them.

SNS decides from the status alone whether to retry, and operators match on the
codes, so the table in docs/authentication.md is part of the interface: these
tests read every construction of a MessageRejected or TemporaryFailure in the
package and fail when a code or a status is missing from the table, or listed
there but raised nowhere.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from snsreceiver import errors

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "snsreceiver"
GUIDE = ROOT / "docs" / "authentication.md"

# The two families SNS sees: given up on (4xx) and retried (503).
FAMILIES = {
    name: cls
    for name, cls in vars(errors).items()
    if inspect.isclass(cls)
    and issubclass(cls, errors.MessageRejected | errors.TemporaryFailure)
}
TABLE_ROW = re.compile(r"^\| (\w+) \((\d{3})\) \| (.+) \|$")


def documented() -> dict[str, tuple[int, set[str]]]:
    """Class name -> (status, codes) from the Errors table of the guide."""
    section = GUIDE.read_text().split("### Errors\n", 1)[1].split("\n### ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = TABLE_ROW.match(line)
        if match:
            name, status, cell = match.groups()
            # Codes are the backquoted words before any explanation in brackets.
            codes = set(re.findall(r"`([a-z_]+)`", re.sub(r"\([^)]*\)", "", cell)))
            rows[name] = (int(status), codes)
    return rows


def raised() -> dict[str, set[str]]:
    """Class name -> codes, from every call of a family class in the package.

    A call without ``code=`` carries the class's default code. A code passed on
    by a helper must come from a parameter or local annotated with a
    ``Literal`` alias of the module, whose strings are taken; any other code
    fails the test, so that no code escapes it unread.
    """
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        aliases = _literal_aliases(tree)
        for scope, call in _family_calls(tree):
            name = _called_name(call)
            codes = found.setdefault(name, set())
            code = next((kw.value for kw in call.keywords if kw.arg == "code"), None)
            if code is None:
                codes.add(FAMILIES[name].default_code)
            elif isinstance(code, ast.Constant) and isinstance(code.value, str):
                codes.add(code.value)
            elif isinstance(code, ast.Name) and code.id in (
                typed := _literal_names(scope, aliases)
            ):
                codes.update(typed[code.id])
            else:
                pytest.fail(
                    f"{path.relative_to(ROOT)}:{call.lineno}: {name} gets a code "
                    f"this test cannot read: {ast.unparse(code)}; pass a string or "
                    "a name typed with a Literal alias"
                )
    return found


def _called_name(call: ast.Call) -> str:
    """``X`` for ``X(...)`` and for ``errors.X(...)``."""
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _family_calls(tree: ast.Module) -> list[tuple[ast.AST, ast.Call]]:
    """(innermost enclosing function, or the module; call) per family call."""
    calls: list[tuple[ast.AST, ast.Call]] = []

    def visit(node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Call) and _called_name(child) in FAMILIES:
                calls.append((scope, child))
            function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, child if function else scope)

    visit(tree, tree)
    return calls


def _literal_aliases(tree: ast.Module) -> dict[str, set[str]]:
    """Module-level ``Name = Literal["a", "b"]`` aliases and their strings."""
    aliases: dict[str, set[str]] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Subscript)
            and ast.unparse(node.value.value) == "Literal"
        ):
            values = {
                element.value
                for element in ast.walk(node.value.slice)
                if isinstance(element, ast.Constant) and isinstance(element.value, str)
            }
            for target in node.targets:
                if isinstance(target, ast.Name):
                    aliases[target.id] = values
    return aliases


def _literal_names(scope: ast.AST, aliases: dict[str, set[str]]) -> dict[str, set[str]]:
    """Parameters and annotated locals of a function typed with an alias."""
    if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        return {}
    annotated: list[tuple[str, ast.expr | None]] = [
        (argument.arg, argument.annotation)
        for argument in [
            *scope.args.posonlyargs,
            *scope.args.args,
            *scope.args.kwonlyargs,
        ]
    ]
    annotated += [
        (node.target.id, node.annotation)
        for node in ast.walk(scope)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    ]
    return {
        name: aliases[annotation.id]
        for name, annotation in annotated
        if isinstance(annotation, ast.Name) and annotation.id in aliases
    }


def test_every_raised_code_is_documented_under_its_class() -> None:
    """A code the package raises, missing from the table, fails here."""
    table = documented()

    missing = {
        f"{name}: {code}"
        for name, codes in raised().items()
        for code in codes
        if code not in table.get(name, (0, set()))[1]
    }

    assert missing == set()


def test_every_documented_code_is_raised() -> None:
    """A code left in the table after the code stopped raising it fails here."""
    found = raised()

    stale = {
        f"{name}: {code}"
        for name, (_, codes) in documented().items()
        for code in codes
        if code not in found.get(name, set())
    }

    assert stale == set()


def test_documented_statuses_are_the_classes_own() -> None:
    """The status in the table is the one the webhook answers."""
    table = documented()

    assert {name: status for name, (status, _) in table.items()} == {
        name: int(FAMILIES[name].status) for name in table
    }


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_permanent_refusals_are_4xx_and_temporary_failures_503(name: str) -> None:
    """SNS gives up on 4xx and retries 5xx; the class decides which it gets."""
    cls = FAMILIES[name]

    if issubclass(cls, errors.TemporaryFailure):
        assert cls.status == 503
    else:
        assert 400 <= cls.status < 500


def test_the_reader_sees_real_rows() -> None:
    """Guards the tests above against a table they silently fail to read."""
    table = documented()

    assert table["CertificateUrlRefused"] == (
        403,
        {"certificate_url_refused", "subscribe_url_refused"},
    )
    assert table["MalformedMessage"][1] >= {"invalid_json", "unreadable_file"}
    assert "snsreceiver" not in table["MalformedMessage"][1]
