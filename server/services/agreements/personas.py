"""Persona evidence: what backs a persona up, added any time, outside the terms."""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.agreements.lifecycle import AgreementKind
from server.domain.agreements.personas import EvidenceSource
from server.domain.core.errors import ErrorCode, refuse
from server.models.agreements import Agreement, PersonaEvidence
from server.services.agreements import store
from server.services.core import ids, mutations
from server.services.core.actors import Actor

MAX_NOTE = 5000


@dataclass(frozen=True)
class Added:
    persona: Agreement
    evidence: PersonaEvidence


async def add_persona_evidence(
    actor: Actor, persona_id: str, source: str, note: str
) -> mutations.Outcome[Added]:
    async def body(tx: mutations.Tx) -> Added:
        key = ids.decode(persona_id, "Persona", "personaId")
        persona = await store.load_for_update(AgreementKind.PERSONA, key, "personaId")
        if source not in EvidenceSource.__members__:
            raise refuse(ErrorCode.INVALID_INPUT, "unknown evidence source", "source")
        text = note.strip()
        if not text or len(text) > MAX_NOTE:
            raise refuse(
                ErrorCode.INVALID_INPUT,
                f"give a note of 1–{MAX_NOTE} characters",
                "note",
            )
        row = await PersonaEvidence.create(
            persona_id=persona.id,
            source=source,
            note=text,
            added_by_id=actor.user_id,
            added_at=tx.now,
        )
        tx.audit("Persona", persona.id, evidence=row.id, source=source)
        return Added(persona, row)

    return await mutations.run(actor, "addPersonaEvidence", body)
