"""People: admins create and change users and issue one-time set-password links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from server.domain.core.errors import ErrorCode, UserError, UserErrors, refuse
from server.domain.core.instants import local_time, zone_problem
from server.domain.core.roles import Role, Team
from server.domain.people.users import normalise_email, password_problem
from server.models.people import Session, SetPasswordLink, User
from server.services.core import ids, mutations
from server.services.core import mail as mailer
from server.services.core.actors import Actor, Anonymous
from server.services.core.hooks import Hook
from server.services.people import auth
from server.services.people.passwords import (
    digest,
    hash_password,
    new_secret,
    verify_password,
)

LINK_LIFETIME = timedelta(hours=72)
# Run inside the transaction when a user's team or role changes or the user is
# deactivated; `server/wiring.py` connects agreements' voiding of sign-offs.
role_changed: Hook[[mutations.Tx, User]] = Hook("role changed")


@dataclass(frozen=True)
class NewUser:
    email: str
    name: str
    team: str
    role: str
    timezone: str = "UTC"
    password: str | None = None


@dataclass(frozen=True)
class UserChanges:
    id: str
    expected_version: int | None
    values: dict[str, Any]


@dataclass(frozen=True)
class IssuedLink:
    """A new set-password link: e-mailed when SMTP is configured (the token is
    then never shown), else shown once to the admin."""

    user: User
    token: str | None
    expires_at: datetime
    emailed: bool = False


def _problems_of(new: NewUser) -> tuple[list[UserError], str]:
    errors: list[UserError] = []
    email = ""
    try:
        email = normalise_email(new.email)
    except ValueError as exc:
        errors.append(UserError(ErrorCode.INVALID_INPUT, str(exc), ("email",)))
    if not new.name.strip() or len(new.name) > 200:
        errors.append(
            UserError(
                ErrorCode.INVALID_INPUT, "give a name of 1–200 characters", ("name",)
            )
        )
    errors += _enum_problem(Team, new.team, "team") + _enum_problem(
        Role, new.role, "role"
    )
    errors += _timezone_problem(new.timezone)
    if new.password is not None:
        why = password_problem(new.password, email=email, name=new.name)
        if why:
            errors.append(
                UserError(
                    ErrorCode.INVALID_INPUT, f"weak password: {why}", ("password",)
                )
            )
    return errors, email


def _enum_problem(
    enum: type[Team] | type[Role], value: str, field: str
) -> list[UserError]:
    if value in enum.__members__:
        return []
    allowed = ", ".join(enum.__members__)
    return [
        UserError(
            ErrorCode.INVALID_INPUT,
            f"unknown {field} {value!r}; use {allowed}",
            (field,),
        )
    ]


def _timezone_problem(name: str) -> list[UserError]:
    """The same rule as business calendars: IANA names only, no host aliases."""
    why = zone_problem(name)
    return [UserError(ErrorCode.INVALID_INPUT, why, ("timezone",))] if why else []


async def _insert_user(
    tx: mutations.Tx, new: NewUser, email: str, admin_id: int | None
) -> User:
    if await User.filter(email=email).exists():
        raise refuse(
            ErrorCode.DUPLICATE, "a user with this e-mail already exists", "email"
        )
    password_hash = await hash_password(new.password) if new.password else None
    user = await User.create(
        email=email,
        name=new.name.strip(),
        team=new.team,
        role=new.role,
        timezone=new.timezone,
        password_hash=password_hash,
        role_granted_by_id=admin_id,
        role_granted_at=tx.now if admin_id else None,
        created_at=tx.now,
        updated_at=tx.now,
    )
    tx.audit("User", user.id, email=email, name=user.name, team=new.team, role=new.role)
    return user


async def create_user(actor: Actor, new: NewUser) -> mutations.Outcome[User]:
    async def body(tx: mutations.Tx) -> User:
        errors, email = _problems_of(new)
        if errors:
            raise UserErrors(errors)
        return await _insert_user(tx, new, email, actor.user_id)

    return await mutations.run(actor, "createUser", body)


async def create_user_from_cli(new: NewUser) -> mutations.Outcome[User]:
    """The operator's bootstrap path (`accord create-user`): no admin grants it."""

    async def body(tx: mutations.Tx) -> User:
        errors, email = _problems_of(new)
        if new.password is None:
            errors.append(
                UserError(
                    ErrorCode.INVALID_INPUT, "a password is required", ("password",)
                )
            )
        if errors:
            raise UserErrors(errors)
        return await _insert_user(tx, new, email, None)

    return await mutations.run_trusted("createUser", body, credential="cli")


async def _load_for_update(tx: mutations.Tx, changes: UserChanges) -> User:
    key = ids.decode(changes.id, "User", "id")
    user = await User.filter(id=key).select_for_update().first()
    if user is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such user", "id")
    if (
        changes.expected_version is not None
        and changes.expected_version != user.version
    ):
        raise refuse(
            ErrorCode.CONFLICT,
            f"the user changed meanwhile (version {user.version}); reload and retry",
            "expectedVersion",
        )
    return user


def _validate_changes(values: dict[str, Any]) -> list[UserError]:
    errors: list[UserError] = []
    if "team" in values:
        errors += _enum_problem(Team, values["team"], "team")
    if "role" in values:
        errors += _enum_problem(Role, values["role"], "role")
    if "timezone" in values:
        errors += _timezone_problem(values["timezone"] or "")
    name = values.get("name", "")
    if not isinstance(name, str) or (
        "name" in values and not 0 < len(name.strip()) <= 200
    ):
        errors.append(
            UserError(
                ErrorCode.INVALID_INPUT, "give a name of 1–200 characters", ("name",)
            )
        )
    for flag in ("outOfOffice", "acceptsLeads", "active"):
        if flag in values and values[flag] is None:
            errors.append(UserError(ErrorCode.INVALID_INPUT, "cannot be null", (flag,)))
    return errors


COLUMN = {"outOfOffice": "out_of_office", "acceptsLeads": "accepts_leads"}


async def update_user(actor: Actor, changes: UserChanges) -> mutations.Outcome[User]:
    async def body(tx: mutations.Tx) -> User:
        errors = _validate_changes(changes.values)
        if errors:
            raise UserErrors(errors)
        user = await _load_for_update(tx, changes)
        before = {k: getattr(user, COLUMN.get(k, k)) for k in changes.values}
        if user.id == actor.user_id and (
            changes.values.get("role", user.role) != user.role
            or changes.values.get("active") is False
        ):
            raise refuse(
                ErrorCode.FORBIDDEN,
                "admins cannot change their own role or deactivate themselves",
                "role",
            )
        regranted = any(
            changes.values.get(k, getattr(user, k)) != getattr(user, k)
            for k in ("team", "role")
        )
        for key, value in changes.values.items():
            setattr(
                user, COLUMN.get(key, key), value.strip() if key == "name" else value
            )
        if regranted:
            user.role_granted_by_id, user.role_granted_at = actor.user_id, tx.now
        await _save(tx, user, before, changes.values)
        if regranted or changes.values.get("active") is False:
            await _after_role_change(tx, user)
        return user

    return await mutations.run(actor, "updateUser", body)


async def _save(
    tx: mutations.Tx, user: User, before: dict[str, Any], after: dict[str, Any]
) -> None:
    user.version += 1
    user.updated_at = tx.now
    await user.save()
    tx.audit("User", user.id, before=before, after=after)


async def _after_role_change(tx: mutations.Tx, user: User) -> None:
    if not user.active:
        await auth.end_sessions_of(user.id, tx.now)
    await role_changed(tx, user)


PREFERENCES = ("outOfOffice", "acceptsLeads", "timezone")


async def update_preferences(
    actor: Actor, expected_version: int | None, values: dict[str, Any]
) -> mutations.Outcome[User]:
    """A user's own preferences (`PREFERENCES`): routing skips whoever is out of
    office or takes no leads, and the sweeper moves an absent user's pending
    handoffs; messages show times in the user's timezone."""

    async def body(tx: mutations.Tx) -> User:
        unknown = set(values) - set(PREFERENCES)
        if unknown:
            raise ValueError(f"not a preference: {sorted(unknown)}")
        errors = _validate_changes(values)
        if errors:
            raise UserErrors(errors)
        own = UserChanges(ids.encode("User", actor.user_id), expected_version, {})
        user = await _load_for_update(tx, own)
        before = {k: getattr(user, COLUMN.get(k, k)) for k in values}
        for key, value in values.items():
            setattr(user, COLUMN.get(key, key), value)
        await _save(tx, user, before, values)
        return user

    return await mutations.run(actor, "updatePreferences", body)


async def deactivate_user(actor: Actor, user_id: str) -> mutations.Outcome[User]:
    async def body(tx: mutations.Tx) -> User:
        user = await _load_for_update(tx, UserChanges(user_id, None, {}))
        if user.id == actor.user_id:
            raise refuse(ErrorCode.FORBIDDEN, "you cannot deactivate yourself", "id")
        if not user.active:
            return user
        user.active = False
        await _save(tx, user, {"active": True}, {"active": False})
        await _after_role_change(tx, user)
        return user

    return await mutations.run(actor, "deactivateUser", body)


async def create_set_password_link(
    actor: Actor, user_id: str
) -> mutations.Outcome[IssuedLink]:
    async def body(tx: mutations.Tx) -> IssuedLink:
        user = await _load_for_update(tx, UserChanges(user_id, None, {}))
        if not user.active:
            raise refuse(
                ErrorCode.INVALID_TRANSITION, "the user is not active", "userId"
            )
        await SetPasswordLink.filter(user_id=user.id, used_at__isnull=True).update(
            used_at=tx.now
        )
        token = new_secret()
        link = await SetPasswordLink.create(
            user_id=user.id,
            secret_hash=digest(token),
            created_by_id=actor.user_id,
            created_at=tx.now,
            expires_at=tx.now + LINK_LIFETIME,
        )
        tx.audit(
            "User",
            user.id,
            setPasswordLink=link.id,
            expiresAt=link.expires_at.isoformat(),
            emailed=mailer.enabled(),
        )
        if mailer.enabled():
            await _mail_link(tx, user, token, link)
            return IssuedLink(user, None, link.expires_at, emailed=True)
        return IssuedLink(user, token, link.expires_at)

    return await mutations.run(actor, "createSetPasswordLink", body)


def set_password_path(token: str) -> str:
    """Where the web client redeems a set-password token."""
    return f"/#/set-password?token={token}"


async def _mail_link(
    tx: mutations.Tx, user: User, token: str, link: SetPasswordLink
) -> None:
    """Queue the link's e-mail in this transaction (sent after commit; its body
    is scrubbed once sent)."""
    url = mailer.absolute(set_password_path(token))
    body = (
        f"Hello {user.name},\n\nan administrator invited you to set your Accord "
        f"password. Open this link, which works once, until "
        f"{local_time(link.expires_at, user.timezone)}:\n\n{url}\n\n"
        "If you did not expect this, ignore this message."
    )
    mail = mailer.Mail(
        user.email,
        "Set your Accord password",
        body,
        f"{mailer.SECRET_PREFIX}{link.id}",
    )
    await mailer.queue([mail], tx.now)


async def set_password(
    caller: Anonymous | Actor | None, token: str, password: str
) -> mutations.Outcome[User]:
    """Redeem a one-time link: the password is set, every old session ends."""

    async def body(tx: mutations.Tx) -> User:
        link = (
            await SetPasswordLink.filter(secret_hash=digest(token))
            .select_for_update()
            .first()
        )
        if link is None or link.used_at is not None or link.expires_at <= tx.now:
            raise refuse(
                ErrorCode.INVALID_INPUT,
                "this link is not valid or has expired",
                "token",
            )
        user = await User.get(id=link.user_id)
        why = password_problem(password, email=user.email, name=user.name)
        if why:
            raise refuse(ErrorCode.INVALID_INPUT, f"weak password: {why}", "password")
        link.used_at = tx.now
        await link.save(update_fields=["used_at"])
        user.password_hash = await hash_password(password)
        user.credentials_issued_by_id, user.credentials_issued_at = (
            link.created_by_id,
            tx.now,
        )
        await _save(tx, user, {}, {"password": "set through a one-time link"})
        await auth.end_sessions_of(user.id, tx.now)
        return user

    return await mutations.run(caller, "setPassword", body)


async def change_password(
    actor: Actor, current: str, new: str
) -> mutations.Outcome[User]:
    async def body(tx: mutations.Tx) -> User:
        user = await User.filter(id=actor.user_id).select_for_update().get()
        if not await verify_password(user.password_hash, current):
            raise refuse(
                ErrorCode.INVALID_INPUT,
                "the current password is wrong",
                "currentPassword",
            )
        why = password_problem(new, email=user.email, name=user.name)
        if why:
            raise refuse(
                ErrorCode.INVALID_INPUT, f"weak password: {why}", "newPassword"
            )
        user.password_hash = await hash_password(new)
        await _save(tx, user, {}, {"password": "changed by its owner"})
        # Every other session ends; this one stays.
        await (
            Session.filter(user_id=user.id, revoked_at__isnull=True)
            .exclude(id=actor.credential_id)
            .update(revoked_at=tx.now)
        )
        return user

    return await mutations.run(actor, "changePassword", body)


# What reads need: everything but the password hash, which never leaves the table
# except for sign-in and password changes.
