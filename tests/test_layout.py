"""The house rules of the package's layout (issue 9), checked so they cannot regress.

* modules stay small: the median module of `edgarwatch/` is at most 150 lines;
* functions stay small: none is over 60 lines (decorators and docstring included);
* the rooms `edgar/`, `storage/` and `notifiers/` never import the loader
  (`edgarwatch.config`) or the daemon (`edgarwatch.daemon`): the daemon wires
  the parts together, the parts do not reach back (DESIGN.md, "Rooms").

Read with `ast`, never imported: the checks see every import, at module level,
inside functions and under `if TYPE_CHECKING:`, absolute or relative.
"""

from __future__ import annotations

import ast
import statistics
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "edgarwatch"
MEDIAN_MODULE_LINES = 150
FUNCTION_LINES = 60
ROOMS = ("edgar", "storage", "notifiers")
FORBIDDEN = ("edgarwatch.config", "edgarwatch.daemon")


def _modules() -> dict[str, str]:
    """Every module's dotted name (a package's own: `edgarwatch.storage.__init__`)
    and source text."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts)] = path.read_text(encoding="utf-8")
    return found


def long_functions(source: str, limit: int = FUNCTION_LINES) -> list[tuple[str, int]]:
    """The functions (and methods) of `source` over `limit` lines: (name, lines)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            if lines > limit:
                found.append((node.name, lines))
    return found


def imported_modules(module: str, source: str) -> Iterator[str]:
    """The dotted names `source` imports, relative forms resolved against `module`.

    `from edgarwatch import config` yields `edgarwatch.config` (the name may be a
    module), as does `from .. import config` in a subpackage's module.
    """
    here = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            yield origin
            yield from (f"{origin}.{alias.name}" for alias in node.names)


def forbidden_imports(module: str, source: str) -> list[str]:
    """What a module of the rooms imports from the loader or the daemon."""
    if module.split(".")[1:2] not in ([room] for room in ROOMS):
        return []
    return sorted(
        {
            name
            for name in imported_modules(module, source)
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
        }
    )


def test_the_median_module_is_small() -> None:
    sizes = {name: len(text.splitlines()) for name, text in _modules().items()}
    median = statistics.median(sizes.values())
    biggest = sorted(sizes, key=sizes.__getitem__, reverse=True)[:5]
    assert median <= MEDIAN_MODULE_LINES, (
        f"median module {median} lines > {MEDIAN_MODULE_LINES}; biggest: "
        + ", ".join(f"{name} ({sizes[name]})" for name in biggest)
    )


def test_no_function_is_long() -> None:
    found = [
        f"{module}.{name} ({lines} lines)"
        for module, text in _modules().items()
        for name, lines in long_functions(text)
    ]
    assert found == [], f"functions over {FUNCTION_LINES} lines: split them"


def test_the_rooms_import_neither_the_loader_nor_the_daemon() -> None:
    found = {
        module: bad
        for module, text in _modules().items()
        if (bad := forbidden_imports(module, text))
    }
    assert found == {}


def test_the_checks_catch_what_they_look_for() -> None:
    """Each check fails on what it forbids (so a passing run means something)."""
    body = "".join(f"    x = {n}\n" for n in range(60))
    assert long_functions(f"def long() -> None:\n{body}") == [("long", 61)]
    method = "".join(f"        x = {n}\n" for n in range(59))
    assert long_functions(f"class C:\n    def short(self) -> None:\n{method}") == []
    longer = f"class C:\n    def long(self) -> None:\n{method}        x = 59\n"
    assert long_functions(longer) == [("long", 61)]
    for module, source in (
        ("edgarwatch.notifiers.slack", "from edgarwatch.config import Settings"),
        ("edgarwatch.notifiers.slack", "from edgarwatch import config"),
        ("edgarwatch.storage.db", "import edgarwatch.daemon.runtime"),
        ("edgarwatch.storage.db", "from edgarwatch.daemon import runtime"),
        ("edgarwatch.edgar.client", "def f():\n    from ..config import load"),
        ("edgarwatch.edgar.__init__", "from .. import daemon"),
        ("edgarwatch.edgar.nested.module", "from ... import config"),
    ):
        assert forbidden_imports(module, source), source
    assert forbidden_imports("edgarwatch.cli.base", "from edgarwatch.config import load") == []
    assert forbidden_imports("edgarwatch.storage.db", "from edgarwatch.storage import x") == []
    assert forbidden_imports("edgarwatch.edgar.client", "from edgarwatch import configured") == []
