"""Every GraphQL document in client/operations.js is valid against the schema and
names its operation first (api.js sends that name as operationName)."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from graphql import OperationDefinitionNode, parse, validate

import schema
from tests.client.test_logic import ROOT, _node

OPERATIONS = ROOT / "client" / "operations.js"
MODULES = [OPERATIONS, *sorted((ROOT / "client" / "operations").glob("*.js"))]
PRINT = "import(process.argv[1]).then((m) => console.log(JSON.stringify(m)))"


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    found: dict[str, str] = {}
    for module in MODULES:
        result = subprocess.run(
            [_node(), "-e", PRINT, module.as_uri()],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        exported: dict[str, str] = json.loads(result.stdout)
        assert exported, f"{module.name} exports no documents"
        found.update(exported)
    return found


def test_every_client_document_is_valid_against_the_schema(
    documents: dict[str, str],
) -> None:
    problems = {
        name: [e.message for e in validate(schema.schema._schema, parse(text))]
        for name, text in documents.items()
    }
    assert {name: p for name, p in problems.items() if p} == {}


def test_every_client_document_holds_one_named_operation_first(
    documents: dict[str, str],
) -> None:
    for name, text in documents.items():
        operations = [
            d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)
        ]
        assert len(operations) == 1, name
        first = re.search(r"\b(?:query|mutation)\s+(\w+)", text)
        assert first and operations[0].name, name
        assert first.group(1) == operations[0].name.value, name
