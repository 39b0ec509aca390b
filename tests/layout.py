"""The layout's rules, checked over a source tree (README "Layout", STYLE.md).

Each check takes the tree's root and returns one sentence per violation, so the
contract test can run them on the repository and on small synthetic trees that
break a rule on purpose.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

# The capabilities, in order: a package may import itself or an earlier one.
CAPABILITIES = (
    "core",
    "people",
    "agreements",
    "leads",
    "waterfall",
    "feedback",
    "content",
    "metrics",
    "meetings",
    "events",
)
# The layers holding one package per capability (server/models holds one module
# per capability instead), and the test layers that mirror them.
LAYERS = ("server/domain", "server/services", "schema")
MODELS = "server/models"
TEST_LAYERS = ("tests/unit", "tests/services", "tests/api")
WIRING = "server/wiring.py"

# Which top-level packages each layer may import from the project.
ALLOWED = {
    "server/domain": {"server.domain"},
    "server/services": {
        "server.domain",
        "server.services",
        "server.models",
        "server.db",
        "server.clock",
        "server.settings",
        "server.metrics",
    },
    "schema": {"schema", "server.domain", "server.services", "server.settings"},
}
FORBIDDEN_LIBRARIES = {
    "server/domain": {"strawberry", "starlette", "tortoise", "graphql"},
    "server/services": {"strawberry", "starlette", "graphql"},
    "schema": {"tortoise", "starlette"},
}
_RUNS_A_TRANSACTION = re.compile(r"\bmutations\.run(_trusted)?\(|\brun_trusted\(")


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def capability_of(module: str) -> str | None:
    """The capability a project module belongs to, or None outside the layers."""
    parts = module.split(".")
    layered = parts[:1] == ["server"] and len(parts) > 2
    if layered and parts[1] in {"domain", "services", "models"}:
        return parts[2] if parts[2] in CAPABILITIES else None
    if parts[:1] == ["schema"] and len(parts) > 1 and parts[1] in CAPABILITIES:
        return parts[1]
    return None


def _sources(root: Path, *folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((root / folder).rglob("*.py"))


def _is_module(root: Path, name: str) -> bool:
    path = root / name.replace(".", "/")
    return path.with_suffix(".py").is_file() or path.is_dir()


def _runtime_imports(root: Path, path: Path) -> list[tuple[int, str]]:
    """(line, module) imported when the module runs, naming the submodule for
    `from package import submodule`; imports under `if TYPE_CHECKING:` are for
    the type checker only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(inner) for inner in ast.walk(node))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = {
                f"{node.module}.{a.name}"
                if _is_module(root, f"{node.module}.{a.name}")
                else node.module
                for a in node.names
            }
            found += [(node.lineno, name) for name in sorted(names)]
    return found


def _where(root: Path, path: Path, line: int) -> str:
    return f"{path.relative_to(root)}:{line}"


def wrong_layer_imports(root: Path) -> list[str]:
    """The layer rule: domain ← services ← schema, and no web or ORM library
    where it does not belong."""
    wrong: list[str] = []
    for layer, allowed in ALLOWED.items():
        for path in _sources(root, layer):
            for line, name in _runtime_imports(root, path):
                top = name.split(".")[0]
                if top in FORBIDDEN_LIBRARIES[layer]:
                    wrong.append(
                        f"{_where(root, path, line)} imports {name}: "
                        f"{layer} may not use {top}"
                    )
                elif (
                    top in {"server", "schema"}
                    and name not in {"server", "schema"}
                    and not any(name == a or name.startswith(a + ".") for a in allowed)
                ):
                    wrong.append(
                        f"{_where(root, path, line)} imports {name}: {layer} may "
                        f"import only {', '.join(sorted(allowed))}"
                    )
    return sorted(set(wrong))


def later_imports(root: Path) -> list[str]:
    """Packages look back only: a capability imports itself or an earlier one;
    a later one is reached through a hook connected in server/wiring.py."""
    wrong: list[str] = []
    for path in _sources(root, *LAYERS, MODELS):
        mine = capability_of(module_name(root, path))
        if mine is None:
            continue
        for line, name in _runtime_imports(root, path):
            theirs = capability_of(name)
            if theirs and CAPABILITIES.index(theirs) > CAPABILITIES.index(mine):
                wrong.append(
                    f"{_where(root, path, line)} imports {name}: {mine} comes "
                    f"before {theirs}, so it may not import it; declare a hook in "
                    f"{mine} and connect {theirs} to it in {WIRING}"
                )
    return sorted(set(wrong))


def use_cases(root: Path) -> set[str]:
    """Modules that run a transaction through the mutation path."""
    return {
        module_name(root, path)
        for path in _sources(root, "server/services")
        if path.name != "mutations.py"
        and _RUNS_A_TRANSACTION.search(path.read_text(encoding="utf-8"))
    }


def foreign_use_cases(root: Path) -> list[str]:
    """A use case is never imported by another capability: shared steps live in
    modules that run no transaction of their own (store, reads, a named step)."""
    cases = use_cases(root)
    wrong: list[str] = []
    for path in _sources(root, "server/services", "schema"):
        mine = capability_of(module_name(root, path))
        if mine is None:
            continue
        for line, name in _runtime_imports(root, path):
            if name in cases and capability_of(name) != mine:
                wrong.append(
                    f"{_where(root, path, line)} imports the use case {name} of "
                    f"{capability_of(name)}: move what {mine} needs into a module "
                    "of shared steps (store, reads, …) that runs no transaction"
                )
    return sorted(set(wrong))


def _prefixes() -> set[str]:
    words = set(CAPABILITIES)
    words |= {c[:-1] for c in CAPABILITIES if c.endswith("s")}
    return words


def prefixed_modules(root: Path) -> list[str]:
    """No module is named after its own package or another capability: inside
    a package the name already says it (`services/leads/store.py`, not
    `lead_store.py`)."""
    words = _prefixes()
    wrong: list[str] = []
    for path in _sources(root, *LAYERS, *TEST_LAYERS):
        if path.name == "__init__.py":
            continue
        package = path.parent.name
        stem = path.stem.removeprefix("test_")
        own = {package, package.rstrip("s")}
        clash = next(
            (
                w
                for w in sorted(words | own, key=len, reverse=True)
                if stem == w or stem.startswith(w + "_")
            ),
            None,
        )
        if clash is not None:
            wrong.append(
                f"{path.relative_to(root)} is named after {clash!r}: name it by what "
                f"it holds inside its package ({package}/), without the prefix"
            )
    return wrong


def capability_folders(root: Path) -> list[str]:
    """Every package inside a layer is a capability, with the same name in every
    layer it appears in."""
    wrong: list[str] = []
    for layer in (*LAYERS, *TEST_LAYERS):
        for folder in sorted(p for p in (root / layer).iterdir() if p.is_dir()):
            if folder.name.startswith((".", "__")) or folder.name == "demo":
                continue
            if folder.name not in CAPABILITIES:
                wrong.append(
                    f"{folder.relative_to(root)}/ is not a capability: use one of "
                    + ", ".join(CAPABILITIES)
                )
    for path in sorted((root / MODELS).glob("*.py")):
        if path.stem != "__init__" and path.stem not in CAPABILITIES:
            wrong.append(
                f"{path.relative_to(root)} is not a capability: tables live in "
                f"{MODELS}/<capability>.py"
            )
    return wrong
