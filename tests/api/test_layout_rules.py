"""Each layout rule fails, with a sentence saying why, on a tree that breaks it."""

from __future__ import annotations

from pathlib import Path

from tests import layout

USE_CASE = """
from server.services.core import mutations

async def do(actor):
    return await mutations.run(actor, "doIt", body)
"""


def tree(root: Path, files: dict[str, str]) -> Path:
    """A source tree with these modules (and the layers' folders)."""
    for folder in (*layout.LAYERS, *layout.TEST_LAYERS, layout.MODELS):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_an_earlier_package_importing_a_later_one_fails(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "server/services/agreements/signing.py": (
                "from server.services.leads import rescoring\n"
            ),
            "server/services/leads/rescoring.py": "",
        },
    )
    assert layout.later_imports(root) == [
        "server/services/agreements/signing.py:1 imports "
        "server.services.leads.rescoring: agreements comes before leads, so it "
        "may not import it; declare a hook in agreements and connect leads to it "
        "in server/wiring.py"
    ]


def test_a_later_package_reached_from_the_domain_or_the_schema_fails(
    tmp_path: Path,
) -> None:
    root = tree(
        tmp_path,
        {
            "server/domain/people/users.py": (
                "from server.domain.events.notifications import local_time\n"
            ),
            "schema/leads/types.py": "from schema.waterfall.types import Handoff\n",
        },
    )
    wrong = layout.later_imports(root)
    assert [w.split(" imports ")[0] for w in wrong] == [
        "schema/leads/types.py:1",
        "server/domain/people/users.py:1",
    ]


def test_looking_back_and_type_checking_imports_pass(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "server/services/leads/scoring.py": (
                "from typing import TYPE_CHECKING\n"
                "from server.services.agreements import store\n"
                "from server.services.leads import store as lead_store\n"
                "if TYPE_CHECKING:\n"
                "    from server.services.waterfall import handoffs\n"
            ),
        },
    )
    assert layout.later_imports(root) == []


def test_importing_another_capabilitys_use_case_fails(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "server/services/leads/intake.py": USE_CASE,
            "server/services/waterfall/handoffs.py": (
                "from server.services.leads.intake import refresh\n"
            ),
        },
    )
    assert layout.foreign_use_cases(root) == [
        "server/services/waterfall/handoffs.py:1 imports the use case "
        "server.services.leads.intake of leads: move what waterfall needs into a "
        "module of shared steps (store, reads, …) that runs no transaction"
    ]


def test_a_use_case_of_the_same_capability_or_a_shared_step_passes(
    tmp_path: Path,
) -> None:
    root = tree(
        tmp_path,
        {
            "server/services/leads/intake.py": USE_CASE,
            "server/services/leads/refresh.py": "async def refresh(): ...\n",
            "server/services/leads/activities.py": (
                "from server.services.leads import intake\n"
            ),
            "server/services/waterfall/handoffs.py": (
                "from server.services.leads.refresh import refresh\n"
            ),
        },
    )
    assert layout.use_cases(root) == {"server.services.leads.intake"}
    assert layout.foreign_use_cases(root) == []


def test_a_module_named_with_a_package_prefix_fails(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "server/services/leads/lead_store.py": "",
            "server/services/waterfall/leads.py": "",
            "schema/agreements/agreement_terms.py": "",
            "tests/unit/waterfall/test_lead_stages.py": "",
            "server/services/leads/store.py": "",
        },
    )
    assert layout.prefixed_modules(root) == [
        "server/services/leads/lead_store.py is named after 'lead': name it by "
        "what it holds inside its package (leads/), without the prefix",
        "server/services/waterfall/leads.py is named after 'leads': name it by "
        "what it holds inside its package (waterfall/), without the prefix",
        "schema/agreements/agreement_terms.py is named after 'agreement': name "
        "it by what it holds inside its package (agreements/), without the prefix",
        "tests/unit/waterfall/test_lead_stages.py is named after 'lead': name it "
        "by what it holds inside its package (waterfall/), without the prefix",
    ]


def test_a_folder_that_is_no_capability_fails(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "server/services/handoffs/store.py": "",
            "server/models/handoffs.py": "",
            "server/models/waterfall.py": "",
        },
    )
    assert layout.capability_folders(root) == [
        "server/services/handoffs/ is not a capability: use one of "
        + ", ".join(layout.CAPABILITIES),
        "server/models/handoffs.py is not a capability: tables live in "
        "server/models/<capability>.py",
    ]


def test_a_layer_reaching_the_wrong_way_fails(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "server/domain/leads/scoring.py": "from tortoise import fields\n",
            "server/services/leads/reads.py": "from schema.leads import types\n",
        },
    )
    assert layout.wrong_layer_imports(root) == [
        "server/domain/leads/scoring.py:1 imports tortoise: server/domain may not "
        "use tortoise",
        "server/services/leads/reads.py:1 imports schema.leads: server/services "
        "may import only server.clock, server.db, server.domain, server.metrics, "
        "server.models, server.services, server.settings",
    ]
