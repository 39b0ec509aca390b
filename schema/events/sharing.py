"""One execution per (event, permission scope) instead of one per subscriber.

When an event is dispatched every subscription of the worker receives the same
`EventRecord`, and `schema.events.subscriptions.event_type` turns it into one
`Event` object shared by all of them (``Event._shared``, a per-event memo). The
subscription resolvers still decide per subscriber, against its caller as it is
now, whether the event is sent at all; only the execution of the selection set
on an event that is sent is shared, under a key that holds everything the
result can depend on:

- **record-only selections** (``events``/``myQueue`` selecting only `Event`'s
  own fields, without arguments, directives or fragments: ``id``, ``kind``,
  ``sequence``, ``occurredAt``, ``subjectType``, ``subjectId``, ``payload``,
  ``__typename``): the result is a function of the record alone, so the key is
  the selection (field and response names);
- **anything else** (``actor``, fragments, directives, `notifications`): the
  key adds the document's text, the operation name, the variables and the
  caller (user, team, role, scopes, credential), so only subscriptions of one
  caller with one document share.

Errors are shared as `GraphQLError` objects and formatted per subscriber (each
with its own request id) by `server.executor`. The execution that consults the
memo is `server.websocket.SharedEventExecution`.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from graphql import FieldNode, OperationDefinitionNode

# Event's fields computed from its record alone (schema/events/subscriptions.py).
RECORD_FIELDS = frozenset(
    {
        "id",
        "kind",
        "sequence",
        "occurredAt",
        "subjectType",
        "subjectId",
        "payload",
        "__typename",
    }
)
EVENT_FIELDS = frozenset({"events", "myQueue"})  # subscription fields giving Event
MEMO_ATTRIBUTE = "_shared"


def share_key(
    operation: OperationDefinitionNode, context: Any, variables: Any
) -> Hashable:
    """What a per-event result of this subscription depends on besides the event."""
    selected = record_only(operation)
    if selected is not None:
        return ("record", selected)
    caller = getattr(context, "caller", None)
    values = getattr(variables, "coerced", variables) or {}
    source = operation.loc.source.body if operation.loc is not None else None
    return (
        "caller",
        source,
        operation.name.value if operation.name else None,
        repr(sorted(values.items())),
        getattr(caller, "user_id", None),
        getattr(caller, "team", None),
        getattr(caller, "role", None),
        tuple(sorted(getattr(caller, "scopes", ()) or ())),
        getattr(caller, "credential", None),
        getattr(caller, "credential_id", None),
    )


def record_only(operation: OperationDefinitionNode) -> Hashable | None:
    """The selection as (response name, field name) pairs when it reads only
    the event's record, else None."""
    roots = operation.selection_set.selections
    if operation.directives or len(roots) != 1 or not isinstance(roots[0], FieldNode):
        return None
    root = roots[0]
    if root.name.value not in EVENT_FIELDS or root.directives:
        return None
    if root.selection_set is None:
        return None
    picked: list[tuple[str, str]] = []
    for node in root.selection_set.selections:
        if not isinstance(node, FieldNode):
            return None  # a fragment: not worth proving
        if node.arguments or node.directives or node.selection_set is not None:
            return None
        if node.name.value not in RECORD_FIELDS:
            return None
        alias = node.alias.value if node.alias else node.name.value
        picked.append((alias, node.name.value))
    response = root.alias.value if root.alias else root.name.value
    return (response, root.name.value, tuple(picked))
