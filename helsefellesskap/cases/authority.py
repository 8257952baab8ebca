"""Who may decide what: section 5.2 of the collaboration agreement (seeds/004), as rules the
system checks before the meeting (the routing) and after it (the outcomes, in the minutes).

- The agreement and its guidelines: decided by every municipal council and the hospital board;
  PSU and ASU can only recommend. The parties' decisions are tracked as ratifications.
- The action plan: decided by PSU on ASU's recommendation.
- Revised guidelines and procedures: decided by ASU.
- Minor changes to the agreement: decided by PSU, optionally on ASU's recommendation.
- Funds: decided by PSU; a unanimous PSU decision counts as agreement between the municipalities
  and the hospital.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from helsefellesskap.organisation.models import Body

from .models import Case, DecisionKind, Treatment

K = Body.Kind
DECIDER = {
    DecisionKind.ACTION_PLAN: K.POLITICAL,
    DecisionKind.GUIDELINE_REVISION: K.ADMINISTRATIVE,
    DecisionKind.AGREEMENT_MINOR: K.POLITICAL,
    DecisionKind.FUNDS: K.POLITICAL,
}
REQUIRED_RECOMMENDATION = {DecisionKind.ACTION_PLAN: K.ADMINISTRATIVE}
BODY_NAMES = {K.POLITICAL: "PSU", K.ADMINISTRATIVE: "ASU"}

NO_MANDATE = _("%(body)s har ikke mandat til å vedta %(kind)s. Det gjør %(decider)s.")
AGREEMENT_BY_PARTIES = _(
    "%(kind)s vedtas av kommunestyrene og styret i helseforetaket. %(body)s kan bare anbefale."
)
NOT_ROUTED_TO_DECIDER = _("Saken er ikke fordelt til %(decider)s, som vedtar %(kind)s.")
MISSING_RECOMMENDATION = _(
    "%(decider)s vedtar %(kind)s etter innstilling fra %(recommender)s, men saken er ikke "
    "fordelt til %(recommender)s før %(decider)s."
)
RECOMMENDATION_PENDING = _(
    "%(recommender)s har ikke gitt sin innstilling ennå. %(decider)s bør ikke vedta "
    "%(kind)s før innstillingen foreligger."
)
NOT_UNANIMOUS = _(
    "Vedtaket om midler er ikke enstemmig, og regnes derfor ikke som enighet mellom kommunene "
    "og helseforetaket."
)
RATIFICATION_NEEDED = _(
    "Vedtaket må også fattes av hvert kommunestyre og styret i helseforetaket. Følg med på "
    "partenes vedtak under saken."
)


@dataclass(frozen=True)
class AuthorityWarning:
    message: str
    treatment_id: int | None = None
    severity: str = "warning"  # "warning" (the rule is broken) or "info"


def _decided(treatment: Treatment) -> bool:
    return treatment.outcome == Treatment.Outcome.DECIDED


def check(case: Case, treatments: list[Treatment] | None = None) -> list[AuthorityWarning]:
    """Warnings for the case's routing and outcomes. `treatments` (with `body`) in order."""
    if case.type != Case.Type.DECISION or not case.decision_kind:
        return []
    if treatments is None:
        treatments = list(case.treatments.select_related("body").order_by("order", "id"))
    kind = DecisionKind(case.decision_kind)
    label = str(kind.label).lower()
    warnings: list[AuthorityWarning] = []

    if kind == DecisionKind.AGREEMENT:
        for t in treatments:
            if _decided(t):
                warnings.append(
                    AuthorityWarning(
                        str(AGREEMENT_BY_PARTIES % {"kind": kind.label, "body": t.body}),
                        t.pk,
                    )
                )
        warnings.append(AuthorityWarning(str(RATIFICATION_NEEDED), severity="info"))
        return warnings

    decider_kind = DECIDER.get(kind)
    if decider_kind is None:
        return warnings
    decider = BODY_NAMES[decider_kind]
    names = {"kind": label, "decider": decider}
    decider_steps = [t for t in treatments if t.body.kind == decider_kind]
    if not decider_steps:
        warnings.append(AuthorityWarning(str(NOT_ROUTED_TO_DECIDER % names)))
    for t in treatments:
        if _decided(t) and t.body.kind != decider_kind:
            warnings.append(AuthorityWarning(str(NO_MANDATE % {**names, "body": t.body}), t.pk))

    recommender_kind = REQUIRED_RECOMMENDATION.get(kind)
    if recommender_kind and decider_steps:
        recommender = BODY_NAMES[recommender_kind]
        first_decider = decider_steps[0]
        earlier = [
            t
            for t in treatments
            if t.body.kind == recommender_kind
            and (t.order, t.pk) < (first_decider.order, first_decider.pk)
        ]
        if not earlier:
            warnings.append(
                AuthorityWarning(
                    str(MISSING_RECOMMENDATION % {**names, "recommender": recommender}),
                    first_decider.pk,
                )
            )
        elif not any(t.outcome == Treatment.Outcome.RECOMMENDED for t in earlier):
            warnings.append(
                AuthorityWarning(
                    str(RECOMMENDATION_PENDING % {**names, "recommender": recommender}),
                    first_decider.pk,
                )
            )

    if kind == DecisionKind.FUNDS:
        for t in decider_steps:
            if _decided(t) and t.unanimous is False:
                warnings.append(AuthorityWarning(str(NOT_UNANIMOUS), t.pk, severity="info"))
    return warnings
