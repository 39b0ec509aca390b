"""The public contract: the committed schema, the permission table, the layer rule."""

from __future__ import annotations

import ast
from pathlib import Path

import schema
from server.services.core.permissions import RULES

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_schema_matches_the_code() -> None:
    committed = (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema.printed(), "run `make schema` and commit schema.graphql"


def test_every_mutation_maps_to_exactly_one_permission_rule() -> None:
    mutation_type = schema.schema._schema.mutation_type
    assert mutation_type is not None
    missing = [name for name in mutation_type.fields if name not in RULES]
    assert missing == []


def test_every_query_field_has_a_rule_except_the_open_ones() -> None:
    query_type = schema.schema._schema.query_type
    assert query_type is not None
    missing = [name for name in query_type.fields if name not in RULES]
    assert missing == []


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


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in {"server", "schema"}:
                names += [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                names.append(node.module)
    return names


def _type_checking_only(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.module:
                    hidden.add(inner.module)
                    hidden.update(f"{inner.module}.{a.name}" for a in inner.names)
                elif isinstance(inner, ast.Import):
                    hidden.update(alias.name for alias in inner.names)
    return hidden


def test_no_layer_reaches_the_wrong_way() -> None:
    wrong: list[str] = []
    for layer, allowed in ALLOWED.items():
        for path in sorted((ROOT / layer).rglob("*.py")):
            hidden = _type_checking_only(path)
            for name in _imports(path):
                if name in hidden:
                    continue
                top = name.split(".")[0]
                if top in FORBIDDEN_LIBRARIES[layer]:
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
                project = top in {"server", "schema"}
                if project and not any(
                    name == a or name.startswith(a + ".") for a in allowed
                ):
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []
