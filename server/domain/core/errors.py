"""Expected failures: each becomes a `UserError` (or a top-level error) with a code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    NOT_QUALIFIED = "NOT_QUALIFIED"
    ALREADY_HANDED_OFF = "ALREADY_HANDED_OFF"
    ALREADY_DECIDED = "ALREADY_DECIDED"
    CONTENT_CHANGED = "CONTENT_CHANGED"
    ALREADY_SIGNED = "ALREADY_SIGNED"
    DUPLICATE = "DUPLICATE"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"


@dataclass(frozen=True)
class UserError:
    """One refusal: ``field`` is the path into the mutation's input."""

    code: ErrorCode
    message: str
    field: tuple[str, ...] = ()


class UserErrors(Exception):
    """Raised inside a use case to roll it back and answer with user errors."""

    def __init__(self, errors: Sequence[UserError], result: object = None) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)
        # Some refusals still return an object (ALREADY_HANDED_OFF returns the handoff).
        self.result = result


def refuse(
    code: ErrorCode, message: str, *field: str, result: object = None
) -> UserErrors:
    return UserErrors([UserError(code, message, tuple(field))], result)


class TopLevelError(Exception):
    """An error reported in the response's top-level ``errors`` with extensions.code."""

    code = "INTERNAL"

    def __init__(self, message: str, **extensions: object) -> None:
        super().__init__(message)
        self.extensions = extensions


class Unauthenticated(TopLevelError):
    code = "UNAUTHENTICATED"


class Forbidden(TopLevelError):
    code = "FORBIDDEN"


class InvalidArguments(TopLevelError):
    code = "INVALID_INPUT"


class Throttled(TopLevelError):
    code = "THROTTLED"
