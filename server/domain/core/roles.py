"""Teams, roles and API-token scopes: who a caller is, as every permission check
reads it."""

from __future__ import annotations

from enum import StrEnum


class Team(StrEnum):
    MARKETING = "MARKETING"
    SALES = "SALES"
    LEADERSHIP = "LEADERSHIP"


class Role(StrEnum):
    MEMBER = "MEMBER"
    MANAGER = "MANAGER"
    ADMIN = "ADMIN"


class Scope(StrEnum):
    READ = "READ"
    INGEST = "INGEST"
    WRITE = "WRITE"
