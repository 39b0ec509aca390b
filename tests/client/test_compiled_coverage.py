"""Every document the web client sends and every `make bench` operation is
answered by the compiled reads (`schema.core.compiled`) or listed with the
reason it is not, in docs/compiled-reads.md (regenerate the list with
``ACCORD_WRITE_COVERAGE=1`` set)."""

from __future__ import annotations

import os
import re

from graphql import parse

import schema
from bench.operations import OPERATIONS
from schema.core import compiled
from server.wiring import install_compiled_reads
from tests.client.test_logic import ROOT
from tests.client.test_operations import documents  # noqa: F401  (a fixture)

DOC = ROOT / "docs" / "compiled-reads.md"
BEGIN, END = "<!-- coverage: begin -->", "<!-- coverage: end -->"
# Reads that must stay compiled (the figures of issue 26).
MUST = {"bench.leadList", "bench.leadDetail"}


def coverage(client: dict[str, str]) -> dict[str, str]:
    install_compiled_reads()
    texts = {f"client.{k}": v for k, v in client.items()}
    texts.update({f"bench.{op.name}": op.document for op in OPERATIONS})
    found = {}
    for name, text in sorted(texts.items()):
        try:
            compiled.compile_plan(schema.schema, parse(text), None)
            found[name] = "compiled"
        except compiled.NotCompiled as reason:
            found[name] = str(reason)
    return found


def listing(found: dict[str, str]) -> str:
    rows = ["| document | compiled, or why not |", "| --- | --- |"]
    rows += [f"| `{name}` | {why} |" for name, why in found.items()]
    return "\n".join(rows)


def test_every_client_and_bench_document_is_compiled_or_listed_with_its_reason(
    documents: dict[str, str],  # noqa: F811
) -> None:
    found = coverage(documents)
    assert {name: found[name] for name in MUST} == dict.fromkeys(MUST, "compiled")
    text = DOC.read_text()
    block = f"{BEGIN}\n{listing(found)}\n{END}"
    if os.environ.get("ACCORD_WRITE_COVERAGE"):
        text = re.sub(f"{BEGIN}.*{END}", block, text, flags=re.S)
        DOC.write_text(text)
    assert block in text, "docs/compiled-reads.md is not current"
