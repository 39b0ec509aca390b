"""Every table holding a lead key, and every text or JSON column of every model,
is declared in the lead-data registry (`server.services.leads.holdings`).

A capability that adds a table (meetings, webhooks…) fails these tests until its
``holdings`` module declares what a merge does with its lead keys and which of
its columns hold a person's data, and `server/wiring.py` installs it."""

from __future__ import annotations

from collections.abc import Iterator

from tortoise import fields
from tortoise.models import Model

import server.models as models
from server.services.leads.holdings import REGISTRY, Registry, TableData
from server.wiring import install_lead_holdings

TEXT = (fields.CharField, fields.TextField, fields.JSONField)
# Integer columns that name a row by (type, id): a lead when the type says so.
POLYMORPHIC = {"subject_id", "entity_id"}


def every_model() -> Iterator[type[Model]]:
    for name in models.__all__:
        yield getattr(models, name)


def lead_keys(model: type[Model]) -> Iterator[str]:
    """The columns of a model that may hold a lead's id: foreign keys to
    `Lead`, (type, id) pairs, and integer columns named after leads."""
    meta = model._meta
    for name, f in meta.fields_map.items():
        if isinstance(f, fields.relational.ForeignKeyFieldInstance):
            if f.model_name == "models.Lead":
                yield f.source_field or f"{name}_id"
        elif isinstance(f, fields.IntField | fields.BigIntField):
            column = f.source_field or name
            if meta.db_table == "lead" and column == "id":
                continue
            if column in POLYMORPHIC or "lead" in column:
                yield column


def text_columns(model: type[Model]) -> Iterator[str]:
    for name, f in model._meta.fields_map.items():
        if isinstance(f, TEXT):
            yield f.source_field or name


def uncovered_keys(registry: Registry) -> list[str]:
    return [
        f"{model._meta.db_table}.{column}"
        for model in every_model()
        for column in lead_keys(model)
        if (model._meta.db_table, column) not in registry.keys
    ]


def unclassified_columns(registry: Registry) -> list[str]:
    missing = []
    for model in every_model():
        table = model._meta.db_table
        held = registry.tables.get(table, TableData(table))
        for column in text_columns(model):
            if column not in (*held.personal, *held.other):
                missing.append(f"{table}.{column}")
    return missing


def test_every_table_holding_a_lead_key_says_what_a_merge_does_with_it() -> None:
    install_lead_holdings()
    assert uncovered_keys(REGISTRY) == []


def test_every_text_and_json_column_is_classified_personal_or_not() -> None:
    install_lead_holdings()
    assert unclassified_columns(REGISTRY) == []


def test_declared_columns_exist_so_a_rename_cannot_slip_past() -> None:
    install_lead_holdings()
    tables = {m._meta.db_table: set(text_columns(m)) for m in every_model()}
    for table, held in REGISTRY.tables.items():
        assert table in tables, table
        assert set(held.personal) | set(held.other) <= tables[table], table


def test_a_new_table_with_a_lead_key_fails_the_walk_until_it_is_registered() -> None:
    # given a registry that forgot the waterfall's tables (as a new branch's
    # table would be forgotten)
    partial = Registry()
    partial.install(
        [k for k in REGISTRY.keys.values() if not k.table.startswith("handoff")],
        [t for t in REGISTRY.tables.values() if t.table != "follow_up"],
    )
    # then the walks name exactly what is missing
    assert {"handoff.lead_id", "handoff.open_lead", "handoff_chain.lead_id"} <= set(
        uncovered_keys(partial)
    )
    assert "follow_up.note" in unclassified_columns(partial)


def test_personal_columns_need_an_eraser() -> None:
    broken = Registry()
    try:
        broken.install([TableData("t", personal=("name",))])
    except ValueError as refusal:
        assert "no eraser" in str(refusal)
    else:
        raise AssertionError("a personal column without an eraser was accepted")
