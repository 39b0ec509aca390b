"""The public contract: the committed schema, the permission table, the layer rule."""

from __future__ import annotations

from pathlib import Path

import schema
from server.services.core.permissions import RULES
from tests import layout

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


def test_no_layer_reaches_the_wrong_way() -> None:
    assert layout.wrong_layer_imports(ROOT) == []


def test_packages_look_back_only() -> None:
    assert layout.later_imports(ROOT) == []


def test_no_capability_imports_another_capabilitys_use_case() -> None:
    assert layout.foreign_use_cases(ROOT) == []


def test_no_module_is_named_with_a_package_prefix() -> None:
    assert layout.prefixed_modules(ROOT) == []


def test_every_package_in_a_layer_is_a_capability() -> None:
    assert layout.capability_folders(ROOT) == []


def test_the_rules_see_the_use_cases_that_exist() -> None:
    # a check that finds nothing to check would pass for the wrong reason
    found = layout.use_cases(ROOT)
    assert "server.services.leads.intake" in found
    assert "server.services.waterfall.handoffs" in found
    assert "server.services.leads.store" not in found
