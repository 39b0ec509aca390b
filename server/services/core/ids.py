"""Global IDs for the service layer: the codec configured once from the secret key."""

from __future__ import annotations

from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.ids import IdCodec, InvalidId, Sealer

# Type codes are part of every issued ID: never renumber, only add.
TYPE_CODES = {
    "User": 1,
    "Session": 2,
    "ApiToken": 3,
    "AuditEntry": 4,
    "Goal": 5,
    "Persona": 6,
    "QualificationModel": 7,
    "ServiceLevelAgreement": 8,
    "Lead": 9,
    "LeadActivity": 10,
    "StageChange": 11,
    "Handoff": 12,
    "FollowUp": 13,
    "Notification": 14,
    "LeadFeedback": 15,
    "ContentRequest": 16,
    "ContentAsset": 17,
    "ContentComment": 18,
    "SavedFilter": 19,
    "Webhook": 23,
    "WebhookDelivery": 24,
}

_state: dict[str, object] = {}


def configure(secret_key: str) -> None:
    _state["codec"] = IdCodec(secret_key, TYPE_CODES)
    _state["cursors"] = Sealer(secret_key, "cursor")


def codec() -> IdCodec:
    value = _state.get("codec")
    if not isinstance(value, IdCodec):
        raise RuntimeError("ids.configure() has not been called")
    return value


def cursors() -> Sealer:
    value = _state.get("cursors")
    if not isinstance(value, Sealer):
        raise RuntimeError("ids.configure() has not been called")
    return value


def encode(type_name: str, key: int) -> str:
    return codec().encode(type_name, key)


def decode(global_id: str, expected: str, *field: str) -> int:
    """The row key of an ID of the expected type, or an INVALID_INPUT user error."""
    try:
        type_name, key = codec().decode(global_id)
    except InvalidId:
        raise refuse(
            ErrorCode.INVALID_INPUT, "this is not a valid ID", *field
        ) from None
    if type_name != expected:
        raise refuse(
            ErrorCode.INVALID_INPUT,
            f"expected a {expected} ID, got a {type_name} ID",
            *field,
        )
    return key


def decode_any(global_id: str) -> tuple[str, int] | None:
    try:
        return codec().decode(global_id)
    except InvalidId:
        return None
