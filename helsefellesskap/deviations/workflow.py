"""The deviation workflow in one place: which action moves a case from which states to which, and
who may take it. Services and views ask this table; tests walk every cell of it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Deviation

S = Deviation.State

# Who someone is in a case:
REPORTER = "reporter"  # the person who reported, or a handler of the reporting party
RECEIVER = "receiver"  # a handler of the party (or unit) the case is with now
GP_LIAISON = "gp_liaison"  # the hospital's praksiskonsulent, for GP reports
SECRETARIAT = "secretariat"  # the community's secretariat: sees all, settles disagreements


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset
    target: str
    roles: frozenset
    needs_text: bool = False


def _action(name, label, sources, target, roles, needs_text=False) -> Action:
    return Action(name, label, frozenset(sources), target, frozenset(roles), needs_text)


ACTIONS = {
    a.name: a
    for a in [
        _action("release", _("Send videre til enheten"), [S.TRIAGE], S.REPORTED, [GP_LIAISON]),
        _action("receive", _("Bekreft mottatt"), [S.REPORTED, S.FORWARDED], S.RECEIVED, [RECEIVER]),
        _action(
            "start", _("Start behandling"), [S.RECEIVED, S.REOPENED], S.IN_PROGRESS, [RECEIVER]
        ),
        _action(
            "forward",
            _("Videresend"),
            [S.TRIAGE, S.REPORTED, S.RECEIVED, S.IN_PROGRESS, S.FORWARDED],
            S.FORWARDED,
            [RECEIVER, GP_LIAISON, SECRETARIAT],
        ),
        _action(
            "ask",
            _("Spør melder (fristen stopper)"),
            [S.RECEIVED, S.IN_PROGRESS],
            S.WAITING,
            [RECEIVER],
            needs_text=True,
        ),
        _action(
            "reply",
            _("Svar på spørsmålet"),
            [S.WAITING],
            S.IN_PROGRESS,
            [REPORTER],
            needs_text=True,
        ),
        _action(
            "answer",
            _("Send svar"),
            [S.TRIAGE, S.REPORTED, S.RECEIVED, S.IN_PROGRESS, S.REOPENED],
            S.ANSWERED,
            [RECEIVER, GP_LIAISON],
            needs_text=True,
        ),
        _action("accept", _("Godta svaret og lukk"), [S.ANSWERED], S.CLOSED, [REPORTER]),
        _action(
            "reopen",
            _("Ikke fornøyd – gjenåpne"),
            [S.ANSWERED],
            S.REOPENED,
            [REPORTER],
            needs_text=True,
        ),
        _action(
            "escalate",
            _("Meld uenighet til sekretariatet"),
            [S.ANSWERED, S.REOPENED, S.IN_PROGRESS],
            S.DISAGREEMENT,
            [REPORTER, RECEIVER],
            needs_text=True,
        ),
        _action(
            "resolve",
            _("Avslutt uenigheten"),
            [S.DISAGREEMENT],
            S.CLOSED,
            [SECRETARIAT],
            needs_text=True,
        ),
        _action("close", _("Lukk saken"), [S.ANSWERED], S.CLOSED, [SECRETARIAT]),
    ]
}


def allowed(action: str, state: str, roles: set[str]) -> bool:
    spec = ACTIONS.get(action)
    return bool(spec and state in spec.sources and roles & spec.roles)


def available(state: str, roles: set[str]) -> list[Action]:
    """The actions this person can take on a case in `state`, in table order."""
    return [a for a in ACTIONS.values() if state in a.sources and roles & a.roles]


# Events that are not actions of the table.
EVENT_LABELS = {
    "report": _("Meldte avviket"),
    "comment": _("Kommentar"),
    "overdue": _("Svarfristen gikk ut; sekretariatet er varslet"),
    "theme": _("Knyttet til tema"),
}
