"""Who may see and change steering information.

* The **analysis group** (a body of kind «Analysegruppe») and the secretariat edit definitions,
  load data and write commentary, and see every number, small ones included.
* **Members** of the community (ASU, councils, every body) read everything; small numbers are
  shown to them only for indicators where the analysis group shares them internally.
* **The public** sees the published indicators of a published community, always suppressed, and
  published reports.
* The national library (definitions without a community) is read by everyone and changed only
  by the platform administrator."""

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from helsefellesskap.core import access
from helsefellesskap.core.pages import Task
from helsefellesskap.core.policies import EVERYTHING, Policy, register
from helsefellesskap.organisation.models import Body

from .models import AsuReport, Commentary, DataLoad, Indicator, Observation, Population

ANALYSIS = Body.Kind.ANALYSIS_GROUP


def analysis_communities(user: Any) -> frozenset[int]:
    """The communities where the user sits in the analysis group or the secretariat."""
    grant = access.access_for(user)
    return (
        frozenset(seat.community_id for seat in grant.seats if seat.body_kind == ANALYSIS)
        | grant.secretariat_of
    )


def is_analyst(user: Any, community: Any) -> bool:
    grant = access.access_for(user)
    return grant.is_platform_admin or community.pk in analysis_communities(user)


def sees_small_numbers(user: Any, indicator: Indicator, community: Any) -> bool:
    """Unsuppressed figures: the analysis group always; other members where it shares them."""
    if is_analyst(user, community):
        return True
    return indicator.share_small_numbers and access.is_member(user, community)


class _AnalysisPolicy(Policy[Any]):
    """The analysis group and the secretariat change the rows."""

    def analysed(self, user: Any) -> Q:
        grant = access.access_for(user)
        if grant.is_platform_admin:
            return EVERYTHING
        return self.in_communities(analysis_communities(user))


@register
class IndicatorPolicy(_AnalysisPolicy):
    model = Indicator

    def visible(self, user: Any) -> Q:
        national = Q(community__isnull=True)
        public = self.published() & Q(is_published=True)
        return national | public | self.of_members(user)

    def editable(self, user: Any) -> Q:
        if access.access_for(user).is_platform_admin:
            return EVERYTHING
        return Q(community__isnull=False) & self.analysed(user)


@register
class ObservationPolicy(_AnalysisPolicy):
    """The stored counts. What a page shows of them goes through suppression (`selectors`)."""

    model = Observation

    def visible(self, user: Any) -> Q:
        return (self.published() & Q(indicator__is_published=True)) | self.of_members(user)

    def editable(self, user: Any) -> Q:
        return self.analysed(user)


@register
class PopulationPolicy(_AnalysisPolicy):
    """Public statistics (SSB): everyone sees them in a published community."""

    model = Population

    def visible(self, user: Any) -> Q:
        return self.published() | self.of_members(user)

    def editable(self, user: Any) -> Q:
        return self.analysed(user)


@register
class DataLoadPolicy(_AnalysisPolicy):
    """Loads name files and their errors: the analysis group's working rows."""

    model = DataLoad

    def visible(self, user: Any) -> Q:
        return self.analysed(user)

    def editable(self, user: Any) -> Q:
        return self.analysed(user)


@register
class CommentaryPolicy(_AnalysisPolicy):
    """Commentary is internal until a published report carries it."""

    model = Commentary

    def visible(self, user: Any) -> Q:
        return self.of_members(user)

    def editable(self, user: Any) -> Q:
        return self.analysed(user)


@register
class AsuReportPolicy(_AnalysisPolicy):
    model = AsuReport

    def visible(self, user: Any) -> Q:
        return (self.published() & Q(is_published=True)) | self.of_members(user)

    def editable(self, user: Any) -> Q:
        return self.analysed(user)


def home_tasks(user: Any, community: Any) -> list[Task]:
    """The module's card on the community's home page."""
    if not (access.is_member(user, community) or community.is_published):
        return []
    url = reverse("indicators:dashboard", args=[community.slug])
    return [Task(50, _("Styringsinformasjon"), _("Indikatorer per kommune og region"), url)]
