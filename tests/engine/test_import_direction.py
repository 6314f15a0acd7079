"""The layers of `sqla_checks` import one way, read from the AST of every module.

contract <- evidence <- fixes <- rules; the engine runs rules it finds through the
registry; output renders what the engine produced. Precisely:

- contract imports only contract (evidence only for type annotations, under
  `TYPE_CHECKING`: a rule's constructor takes the file's context);
- evidence imports only contract and evidence;
- fixes import only contract, evidence and fixes;
- rules import only contract, evidence, fixes and the family helpers beside them,
  never another rule module;
- output never imports rules; the engine never imports output, nor a rule module
  (its registry imports the `rules` package to find them);
- the language server imports contract, engine and output, and nothing below it
  imports the server.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import sqla_checks

PACKAGE_DIR = Path(sqla_checks.__file__).resolve().parent
RULE_MODULE = re.compile(r"^sqla_checks\.rules\.alc\d{3}_\w+$")

# Layers a module of each layer may import at run time (`root` is `sqla_checks`
# itself, which holds only `__version__`).
ALLOWED: dict[str, frozenset[str]] = {
    "contract": frozenset({"root", "contract"}),
    "evidence": frozenset({"root", "contract", "evidence"}),
    "fixes": frozenset({"root", "contract", "evidence", "fixes"}),
    "rules": frozenset({"root", "contract", "evidence", "fixes", "rules"}),
    "output": frozenset({"root", "contract", "engine", "evidence", "fixes", "output"}),
    "engine": frozenset({"root", "contract", "engine", "evidence", "fixes", "rules"}),
    # The language server sits beside the CLI, on the engine's API.
    "server": frozenset({"root", "contract", "engine", "output", "server"}),
}
# What a layer may import only for annotations.
TYPE_ONLY: dict[str, frozenset[str]] = {"contract": frozenset({"evidence"})}


@dataclass(frozen=True)
class ImportedName:
    """One `sqla_checks...` name a module imports, and whether only for type checking."""

    target: str
    line: int
    type_only: bool


def layer_of(module: str) -> str:
    """`sqla_checks.rules.alc101_x` -> `rules`; `sqla_checks` -> `root`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "root"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(module: str, source: str, is_package: bool) -> Iterator[ImportedName]:
    """Every `sqla_checks` module or name `source` imports, relative imports resolved."""

    def walk(node: ast.AST, type_only: bool) -> Iterator[ImportedName]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    yield from walk_one(statement, True)
                for statement in child.orelse:
                    yield from walk_one(statement, type_only)
            else:
                yield from walk_one(child, type_only)

    def walk_one(node: ast.AST, type_only: bool) -> Iterator[ImportedName]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield ImportedName(alias.name, node.lineno, type_only)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from sqla_checks import rules` imports the module `sqla_checks.rules`.
            yield ImportedName(base, node.lineno, type_only)
            for alias in node.names:
                yield ImportedName(f"{base}.{alias.name}", node.lineno, type_only)
        yield from walk(node, type_only)

    for found in walk(ast.parse(source), False):
        if found.target == "sqla_checks" or found.target.startswith("sqla_checks."):
            yield found


def violations(modules: Mapping[str, tuple[str, bool]]) -> list[str]:
    """Imports against the layering, as `module:line imports target (why)`.

    `modules` maps a module name to its source and whether it is a package `__init__`.
    """
    found: list[str] = []
    for module, (source, is_package) in sorted(modules.items()):
        if layer_of(module) not in ALLOWED:
            continue  # the CLI and the skill builder sit on top of everything
        for name in imported_names(module, source, is_package):
            reason = _reason(module, name, modules)
            if reason is not None:
                found.append(f"{module}:{name.line} imports {name.target} ({reason})")
    return found


REGISTRY = "sqla_checks.engine.registry"
_RULES_PACKAGE = frozenset({"sqla_checks.rules", "sqla_checks"})


def _reason(module: str, name: ImportedName, modules: Mapping[str, tuple[str, bool]]) -> str | None:
    """Why importing `name` from `module` breaks the layering, or None."""
    layer, target_layer = layer_of(module), layer_of(name.target)
    type_only_allowed = name.type_only and target_layer in TYPE_ONLY.get(layer, frozenset())
    if target_layer not in ALLOWED[layer] and not type_only_allowed:
        return f"{layer} must not import {target_layer}"
    target_module = _module_part(name.target, modules)
    if layer == "rules" and RULE_MODULE.match(target_module) and target_module != module:
        return "a rule imports no other rule"
    through_registry = module == REGISTRY and name.target in _RULES_PACKAGE
    if layer == "engine" and target_layer == "rules" and not through_registry:
        return "the engine reaches rules through the registry"
    return None


def _module_part(target: str, modules: Mapping[str, tuple[str, bool]]) -> str:
    """The module a dotted import target lives in (`pkg.mod.Name` -> `pkg.mod`)."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return target


def package_modules() -> dict[str, tuple[str, bool]]:
    """Every module of the installed `sqla_checks` package, by dotted name."""
    modules: dict[str, tuple[str, bool]] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
        parts = list(relative.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = (path.read_text(encoding="utf-8"), is_package)
    return modules


def test_every_module_imports_down_the_layers() -> None:
    modules = package_modules()
    # The walk really saw the package: every layer, and the rule modules in it.
    assert {layer_of(name) for name in modules} >= set(ALLOWED)
    assert sum(1 for name in modules if RULE_MODULE.match(name)) >= 18
    assert violations(modules) == []


def _synthetic(**sources: str) -> dict[str, tuple[str, bool]]:
    modules = {name.replace("__", "."): (text, False) for name, text in sources.items()}
    modules["sqla_checks.rules"] = ("", True)
    return modules


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        pytest.param(
            {
                "sqla_checks__rules__alc901_one": "X = 1\n",
                "sqla_checks__rules__alc902_two": "from sqla_checks.rules.alc901_one import X\n",
            },
            "sqla_checks.rules.alc902_two:1 imports sqla_checks.rules.alc901_one.X"
            " (a rule imports no other rule)",
            id="rule-imports-rule",
        ),
        pytest.param(
            {
                "sqla_checks__rules__alc901_one": "X = 1\n",
                "sqla_checks__rules__alc902_two": "from . import alc901_one\n",
            },
            "sqla_checks.rules.alc902_two:1 imports sqla_checks.rules.alc901_one"
            " (a rule imports no other rule)",
            id="relative-rule-import",
        ),
        pytest.param(
            {"sqla_checks__rules__alc901_one": "from sqla_checks.engine import runner\n"},
            "sqla_checks.rules.alc901_one:1 imports sqla_checks.engine"
            " (rules must not import engine)",
            id="rule-imports-engine",
        ),
        pytest.param(
            {
                "sqla_checks__output__table": "def f():\n"
                "    from sqla_checks.rules import alc101_legacy_query\n",
            },
            "sqla_checks.output.table:2 imports sqla_checks.rules (output must not import rules)",
            id="output-imports-rule-in-a-function",
        ),
        pytest.param(
            {"sqla_checks__evidence__facts": "import sqla_checks.output.json\n"},
            "sqla_checks.evidence.facts:1 imports sqla_checks.output.json"
            " (evidence must not import output)",
            id="evidence-imports-output",
        ),
        pytest.param(
            {"sqla_checks__engine__runner": "from sqla_checks.rules.alc101_x import Rule\n"},
            "sqla_checks.engine.runner:1 imports sqla_checks.rules.alc101_x"
            " (the engine reaches rules through the registry)",
            id="engine-imports-a-concrete-rule",
        ),
        pytest.param(
            {"sqla_checks__engine__api": "from sqla_checks.server.app import main\n"},
            "sqla_checks.engine.api:1 imports sqla_checks.server.app.main"
            " (engine must not import server)",
            id="engine-imports-the-server",
        ),
        pytest.param(
            {"sqla_checks__contract__rule": "from sqla_checks.evidence.context import C\n"},
            "sqla_checks.contract.rule:1 imports sqla_checks.evidence.context"
            " (contract must not import evidence)",
            id="contract-imports-evidence-at-run-time",
        ),
    ],
)
def test_the_checker_finds_each_kind_of_violation(sources: dict[str, str], expected: str) -> None:
    assert expected in violations(_synthetic(**sources))


def test_the_checker_allows_what_the_layers_allow() -> None:
    modules = _synthetic(
        sqla_checks__engine__registry="from sqla_checks import rules as rules_package\n",
        sqla_checks__contract__rule=(
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from sqla_checks.evidence.context import FileContext\n"
        ),
        sqla_checks__rules__alc901_one=(
            "from sqla_checks.contract.rule import Rule\n"
            "from sqla_checks.evidence.sessions import Kind\n"
            "from sqla_checks.fixes.apply import apply_fixes\n"
            "from sqla_checks.rules.query_family import helper\n"
        ),
        sqla_checks__rules__query_family="X = 1\n",
    )
    assert violations(modules) == []
