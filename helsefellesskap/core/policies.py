"""One visibility rule per kind of row, used two ways.

Each app's `policies.py` registers a `Policy` for every model whose rows belong to a community.
The policy states its rule once, as a `Q` over every community the user knows of; from it come the
queryset method (`Model.objects.visible_to(user, community)`) and the object check
(`policy.can_view(user, row)`), so the two cannot disagree. The same for changes (`editable_by`,
`can_edit`). Views fetch a row with `get_visible_or_404`, which answers with the refusal
convention of `core.access`.
"""

from typing import Any, ClassVar, Generic, Self, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404

from . import access

M = TypeVar("M", bound=models.Model)
# Any queryset: the policy's methods hand back the kind they were given (a custom queryset keeps
# its own methods).
QS = TypeVar("QS", bound=models.QuerySet[Any, Any])
# Covariant, as Django's own querysets are: a queryset of cases is a queryset of models.
M_co = TypeVar("M_co", bound=models.Model, covariant=True)

NOTHING = Q(pk__in=[])
# Not Q(): Django drops an empty Q from `a | Q()`, which would turn "or everything" into "a".
EVERYTHING = Q(pk__isnull=False)


class Policy(Generic[M]):
    """Who may see and change the rows of one model. Subclasses set `model`, the path from the
    row to its community (`community_field`), and write `visible`; `editable` defaults to the
    community's secretariat."""

    model: ClassVar[type[models.Model]]
    community_field: ClassVar[str] = "community"

    # --- The rule, written once per model ---

    def visible(self, user: Any) -> Q:
        """The rows the user may see, in every community."""
        raise NotImplementedError

    def editable(self, user: Any) -> Q:
        """The rows the user may change, in every community: by default the secretariat's."""
        return self.administered(user)

    # --- Building blocks for rules ---

    def in_communities(self, ids: Any) -> Q:
        return Q(**{f"{self.community_field}__in": ids})

    def published(self) -> Q:
        """Rows of communities on the public pages."""
        return Q(**{f"{self.community_field}__is_published": True})

    def of_members(self, user: Any) -> Q:
        """Rows of the communities where the user holds a seat (everything for the admin)."""
        grant = access.access_for(user)
        return EVERYTHING if grant.is_platform_admin else self.in_communities(grant.member_of)

    def administered(self, user: Any) -> Q:
        """Rows of the communities whose secretariat the user sits in (everything for the
        admin)."""
        grant = access.access_for(user)
        if grant.is_platform_admin:
            return EVERYTHING
        return self.in_communities(grant.secretariat_of)

    # --- What views, selectors, feeds, search and the API call ---

    def in_community(self, queryset: QS, community: Any) -> QS:
        return (
            queryset if community is None else queryset.filter(**{self.community_field: community})
        )

    def visible_to(self, queryset: QS, user: Any, community: Any = None) -> QS:
        return self.in_community(queryset, community).filter(self.visible(user))

    def editable_by(self, queryset: QS, user: Any, community: Any = None) -> QS:
        return self.in_community(queryset, community).filter(self.editable(user))

    def can_view(self, user: Any, row: M) -> bool:
        rows = self.model._default_manager.filter(pk=row.pk)
        return self.visible_to(rows, user).exists()

    def can_edit(self, user: Any, row: M) -> bool:
        rows = self.model._default_manager.filter(pk=row.pk)
        return self.editable_by(rows, user).exists()

    def community_of(self, row: M) -> Any:
        value: Any = row
        for step in self.community_field.split("__"):
            value = getattr(value, step)
        return value


_policies: dict[type[models.Model], Policy[Any]] = {}

P = TypeVar("P", bound=type[Policy[Any]])


def register(policy_class: P) -> P:
    """Class decorator: the one policy of `policy_class.model`."""
    model = policy_class.model
    if model in _policies and type(_policies[model]) is not policy_class:
        raise ValueError(f"{model.__name__} already has a policy")
    _policies[model] = policy_class()
    return policy_class


def policy_for(model_or_row: type[models.Model] | models.Model) -> Policy[Any]:
    model = model_or_row if isinstance(model_or_row, type) else type(model_or_row)
    model = model._meta.concrete_model or model
    try:
        return _policies[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no policy") from None


class PolicyQuerySet(models.QuerySet[M_co]):
    """The manager of every community-scoped model: `visible_to` and `editable_by` ask the
    model's policy."""

    def visible_to(self, user: Any, community: Any = None) -> Self:
        return policy_for(self.model).visible_to(self, user, community)

    def editable_by(self, user: Any, community: Any = None) -> Self:
        return policy_for(self.model).editable_by(self, user, community)

    def in_community(self, community: Any) -> Self:
        return policy_for(self.model).in_community(self, community)


def get_visible_or_404(
    queryset: models.QuerySet[M] | type[M],
    user: Any,
    *,
    community: Any = None,
    edit: bool = False,
    **lookup: Any,
) -> M:
    """The row of `queryset` matching `lookup` in `community`, if the user may see it (and change
    it, with `edit`). Otherwise: a login for the anonymous visitor when the row exists, 404 for
    whoever may not know of it, 403 for a member who sees it but may not change it."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    policy = policy_for(queryset.model)
    rows = policy.in_community(queryset, community).filter(**lookup)
    row = policy.visible_to(rows, user).first()
    if row is None:
        if not access.access_for(user).is_authenticated and rows.exists():
            raise access.LoginRequired
        raise Http404
    if edit and not policy.can_edit(user, row):
        access.deny(user, policy.community_of(row) if community is None else community)
    if community is not None and policy.community_field == "community":
        # The caller has it already: spare the query. (The field is named by the policy.)
        setattr(row, policy.community_field, community)
    return row
