"""Agreement mutations: each resolver parses its input, calls one service and
maps the outcome into a payload with user errors."""

from __future__ import annotations

from typing import Any

import strawberry

from schema.agreements.inputs import (
    AddPersonaEvidenceInput,
    CreateGoalInput,
    CreatePersonaInput,
    CreateQualificationModelInput,
    CreateServiceLevelAgreementInput,
    DiscardDraftInput,
    ProposeAgreementInput,
    ProposeRetirementInput,
    RecordGoalProgressInput,
    RejectProposalInput,
    SignOffInput,
    UpdateGoalInput,
    UpdatePersonaInput,
    UpdateQualificationModelInput,
    UpdateServiceLevelAgreementInput,
    WithdrawSignOffInput,
    as_mapping,
)
from schema.agreements.kinds import (
    Goal,
    GoalMeasurement,
    Persona,
    PersonaEvidence,
    QualificationModel,
    ServiceLevelAgreement,
    agreement_type,
    evidence_type,
    measurement_type,
)
from schema.agreements.types import Agreement
from schema.context import Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import actor_of
from server.domain.agreements.lifecycle import AgreementKind as Kind
from server.services.agreements import goals, personas, signing
from server.services.agreements import negotiation as agreements
from server.services.core.mutations import Outcome


@strawberry.type
class GoalPayload:
    goal: Goal | None
    user_errors: list[UserError]


@strawberry.type
class PersonaPayload:
    persona: Persona | None
    user_errors: list[UserError]


@strawberry.type
class QualificationModelPayload:
    qualification_model: QualificationModel | None
    user_errors: list[UserError]


@strawberry.type
class ServiceLevelAgreementPayload:
    service_level_agreement: ServiceLevelAgreement | None
    user_errors: list[UserError]


@strawberry.type
class AgreementPayload:
    agreement: Agreement | None
    user_errors: list[UserError]


@strawberry.type
class AddPersonaEvidencePayload:
    agreement: Agreement | None
    evidence: PersonaEvidence | None
    user_errors: list[UserError]


@strawberry.type
class RecordGoalProgressPayload:
    agreement: Agreement | None
    measurement: GoalMeasurement | None
    user_errors: list[UserError]


def _shared(outcome: Outcome[Any]) -> AgreementPayload:
    row = outcome.result
    return AgreementPayload(
        agreement=agreement_type(row) if row else None,
        user_errors=user_errors(outcome.errors),
    )


def _object(outcome: Outcome[Any]) -> tuple[Any, list[UserError]]:
    row = outcome.result
    return (agreement_type(row) if row else None), user_errors(outcome.errors)


async def _create(info: Info, kind: Kind, terms: Any) -> Outcome[Any]:
    return await agreements.create_agreement(actor_of(info), kind, as_mapping(terms))


async def _update(info: Info, kind: Kind, data: Any) -> Outcome[Any]:
    change = agreements.TermsChange(
        data.id, data.expected_version, as_mapping(data.terms)
    )
    return await agreements.update_agreement(actor_of(info), kind, change)


@strawberry.type
class AgreementMutations:
    @strawberry.mutation
    async def create_goal(self, info: Info, input: CreateGoalInput) -> GoalPayload:
        goal, errors = _object(await _create(info, Kind.GOAL, input.terms))
        return GoalPayload(goal=goal, user_errors=errors)

    @strawberry.mutation
    async def update_goal(self, info: Info, input: UpdateGoalInput) -> GoalPayload:
        goal, errors = _object(await _update(info, Kind.GOAL, input))
        return GoalPayload(goal=goal, user_errors=errors)

    @strawberry.mutation
    async def create_persona(
        self, info: Info, input: CreatePersonaInput
    ) -> PersonaPayload:
        persona, errors = _object(await _create(info, Kind.PERSONA, input.terms))
        return PersonaPayload(persona=persona, user_errors=errors)

    @strawberry.mutation
    async def update_persona(
        self, info: Info, input: UpdatePersonaInput
    ) -> PersonaPayload:
        persona, errors = _object(await _update(info, Kind.PERSONA, input))
        return PersonaPayload(persona=persona, user_errors=errors)

    @strawberry.mutation
    async def create_qualification_model(
        self, info: Info, input: CreateQualificationModelInput
    ) -> QualificationModelPayload:
        outcome = await _create(info, Kind.QUALIFICATION_MODEL, input.terms)
        model, errors = _object(outcome)
        return QualificationModelPayload(qualification_model=model, user_errors=errors)

    @strawberry.mutation
    async def update_qualification_model(
        self, info: Info, input: UpdateQualificationModelInput
    ) -> QualificationModelPayload:
        model, errors = _object(await _update(info, Kind.QUALIFICATION_MODEL, input))
        return QualificationModelPayload(qualification_model=model, user_errors=errors)

    @strawberry.mutation
    async def create_service_level_agreement(
        self, info: Info, input: CreateServiceLevelAgreementInput
    ) -> ServiceLevelAgreementPayload:
        outcome = await _create(info, Kind.SERVICE_LEVEL_AGREEMENT, input.terms)
        sla, errors = _object(outcome)
        return ServiceLevelAgreementPayload(
            service_level_agreement=sla, user_errors=errors
        )

    @strawberry.mutation
    async def update_service_level_agreement(
        self, info: Info, input: UpdateServiceLevelAgreementInput
    ) -> ServiceLevelAgreementPayload:
        outcome = await _update(info, Kind.SERVICE_LEVEL_AGREEMENT, input)
        sla, errors = _object(outcome)
        return ServiceLevelAgreementPayload(
            service_level_agreement=sla, user_errors=errors
        )

    @strawberry.mutation(
        description="Drop pending changes; a never-active draft becomes DISCARDED."
    )
    async def discard_draft(
        self, info: Info, input: DiscardDraftInput
    ) -> AgreementPayload:
        return _shared(
            await agreements.discard_draft(actor_of(info), input.agreement_id)
        )

    @strawberry.mutation(description="Freeze the draft and compute its contentHash.")
    async def propose_agreement(
        self, info: Info, input: ProposeAgreementInput
    ) -> AgreementPayload:
        outcome = await agreements.propose_agreement(actor_of(info), input.agreement_id)
        return _shared(outcome)

    @strawberry.mutation
    async def propose_retirement(
        self, info: Info, input: ProposeRetirementInput
    ) -> AgreementPayload:
        outcome = await agreements.propose_retirement(
            actor_of(info), input.agreement_id
        )
        return _shared(outcome)

    @strawberry.mutation(
        description="Sign the proposal for your team; the second team's sign-off "
        "puts it in force (or retires the agreement)."
    )
    async def sign_off(self, info: Info, input: SignOffInput) -> AgreementPayload:
        outcome = await signing.sign_off(
            actor_of(info), input.agreement_id, input.content_hash
        )
        return _shared(outcome)

    @strawberry.mutation
    async def reject_proposal(
        self, info: Info, input: RejectProposalInput
    ) -> AgreementPayload:
        outcome = await signing.reject_proposal(
            actor_of(info), input.agreement_id, input.reason
        )
        return _shared(outcome)

    @strawberry.mutation
    async def withdraw_sign_off(
        self, info: Info, input: WithdrawSignOffInput
    ) -> AgreementPayload:
        outcome = await signing.withdraw_sign_off(actor_of(info), input.agreement_id)
        return _shared(outcome)

    @strawberry.mutation
    async def add_persona_evidence(
        self, info: Info, input: AddPersonaEvidenceInput
    ) -> AddPersonaEvidencePayload:
        outcome = await personas.add_persona_evidence(
            actor_of(info), input.persona_id, input.source.value, input.note
        )
        added = outcome.result
        return AddPersonaEvidencePayload(
            agreement=agreement_type(added.persona) if added else None,
            evidence=evidence_type(added.evidence) if added else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Record a MANUAL goal's measured value.")
    async def record_goal_progress(
        self, info: Info, input: RecordGoalProgressInput
    ) -> RecordGoalProgressPayload:
        given = goals.Measurement(input.goal_id, input.value, input.as_of, input.note)
        outcome = await goals.record_goal_progress(actor_of(info), given)
        done = outcome.result
        return RecordGoalProgressPayload(
            agreement=agreement_type(done.goal) if done else None,
            measurement=measurement_type(done.measurement) if done else None,
            user_errors=user_errors(outcome.errors),
        )
