"""The one scoping function.

Every org-owned row is visible only inside the subtree of the staff user's scope org. Views,
API handlers, exports and reports read org-owned rows through `scoped()` and nothing else, so a
leak cannot hide in a secondary path (counts, search, exports, charts).

A model opts in by naming the materialised-path field that places it in the tree:
`scope_path = "path"` on UnionOrg itself, `scope_path = "org__path"` on rows owned by an org,
or a tuple of such fields for rows two orgs share (a transfer is visible on both sides).
"""

from functools import reduce
from operator import or_
from typing import Any, Protocol, TypeVar

from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)


class ScopedUser(Protocol):
    is_authenticated: bool
    scope_org_id: int | None

    @property
    def scope_path(self) -> str | None: ...


def scope_path_of(model: type[Model]) -> tuple[str, ...]:
    field: Any = getattr(model, "scope_path", None)
    if isinstance(field, str):
        return (field,)
    if isinstance(field, tuple) and field and all(isinstance(f, str) for f in field):
        return field
    raise TypeError(f"{model.__name__} declares no scope_path; it cannot be read scoped")


def _prefix(user: Any) -> str | None:
    return getattr(user, "scope_path", None) if getattr(user, "is_authenticated", False) else None


def scoped(queryset: QuerySet[M], *, user: Any, via: str | None = None) -> QuerySet[M]:
    """Restrict `queryset` to the rows inside `user`'s org subtree (nothing for anyone else).

    `via` keeps only one of a shared row's declared scope paths: a transfer's receiving side
    (`via="to_org__path"`) rather than either side.
    """
    fields = scope_path_of(queryset.model)
    if via is not None:
        if via not in fields:
            raise TypeError(f"{via!r} is not a scope path of {queryset.model.__name__}")
        fields = (via,)
    prefix = _prefix(user)
    if not prefix:
        return queryset.none()
    return queryset.filter(reduce(or_, (Q(**{f"{f}__startswith": prefix}) for f in fields)))


def org_in_scope(org: Any, *, user: Any) -> bool:
    """Whether `org` lies inside the user's subtree (the same rule as `scoped`, without a query)."""
    prefix = _prefix(user)
    return bool(prefix) and org.path.startswith(prefix)
