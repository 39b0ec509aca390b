"""Saved filters (SPEC §2.3): a user's named filters for one list screen of the
web client, checked here without any I/O.

Where the spec is silent:
- ``screen`` names a client screen: lower-case letters, digits and dashes, at
  most 40 characters (``leads``, ``content-requests``);
- ``name`` is trimmed, 1 to 80 characters, and unique per user and screen:
  saving under a name that exists replaces that filter's contents;
- ``filter`` is the screen's own description (the client keeps its URL query
  there): a JSON object of at most 4 KB whose values are strings, numbers,
  booleans, null or lists of those; the server never interprets it;
- a user keeps at most 50 filters per screen (``LIMIT_EXCEEDED`` beyond).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from server.domain.core.errors import ErrorCode, UserError

MAX_NAME = 80
MAX_FILTER_BYTES = 4096
MAX_PER_SCREEN = 50
SCREEN = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, _SCALARS) for v in value)
    return isinstance(value, _SCALARS)


def check_saved_filter(screen: str, name: str, filter_: Any) -> list[UserError]:
    """What is wrong with a filter to save (empty when nothing)."""
    errors = []
    if not SCREEN.match(screen):
        errors.append(
            UserError(
                ErrorCode.INVALID_INPUT,
                "screen must be lower-case letters, digits and dashes (at most 40)",
                ("screen",),
            )
        )
    clean = name.strip()
    if not clean or len(clean) > MAX_NAME:
        errors.append(
            UserError(
                ErrorCode.INVALID_INPUT,
                f"name must have 1 to {MAX_NAME} characters",
                ("name",),
            )
        )
    if not isinstance(filter_, dict) or not all(
        isinstance(k, str) and _plain(v) for k, v in filter_.items()
    ):
        errors.append(
            UserError(
                ErrorCode.INVALID_INPUT,
                "filter must be an object of text, numbers, booleans or lists of them",
                ("filter",),
            )
        )
    elif len(orjson.dumps(filter_)) > MAX_FILTER_BYTES:
        errors.append(
            UserError(
                ErrorCode.INVALID_INPUT,
                f"filter must be at most {MAX_FILTER_BYTES} bytes as JSON",
                ("filter",),
            )
        )
    return errors
