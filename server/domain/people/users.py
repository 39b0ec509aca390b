"""The rules about people that need no database: e-mail addresses and passwords.

Teams, roles and scopes are `server.domain.core.roles`: every permission check
reads them."""

from __future__ import annotations

import re

import idna

MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def normalise_email(raw: str) -> str:
    """Trim, lower-case and IDNA-encode the domain; plus-tags are kept.

    Raises ValueError when the address cannot be an e-mail address.
    """
    value = raw.strip()
    if len(value) > 320 or not _EMAIL.match(value):
        raise ValueError("not an e-mail address")
    local, domain = value.rsplit("@", 1)
    try:
        ascii_domain = idna.encode(domain.lower(), uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError("the domain is not valid") from exc
    if "." not in ascii_domain:
        raise ValueError("the domain is not valid")
    return f"{local.lower()}@{ascii_domain}"


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a password is too weak, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > 1024:
        return "use at most 1024 characters"
    if len(set(password)) < 5:
        return "use more different characters"
    lowered = password.lower()
    for word in (email.split("@")[0].lower(), name.lower()):
        if len(word) >= 4 and word in lowered:
            return "do not include your name or e-mail address"
    if lowered in _COMMON:
        return "this password is too common"
    return None


_COMMON = {
    "password1234",
    "123456789012",
    "qwertyuiopas",
    "passwordpassword",
    "letmeinletmein",
    "administrator",
    "welcome12345",
    "iloveyou1234",
}
