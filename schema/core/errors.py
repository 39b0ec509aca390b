"""Errors as schema values: `UserError` with its code, and payload helpers."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from server.domain.core.errors import ErrorCode as DomainErrorCode
from server.domain.core.errors import UserError as DomainUserError

strawberry.enum(DomainErrorCode, name="ErrorCode")
ErrorCode: TypeAlias = DomainErrorCode


@strawberry.type
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path into the mutation's input; null when not about one field."
    )
    message: str
    code: ErrorCode


def user_errors(errors: list[DomainUserError]) -> list[UserError]:
    return [
        UserError(field=list(e.field) or None, message=e.message, code=e.code)
        for e in errors
    ]
