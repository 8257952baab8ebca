"""The deviation workflow in one place: which action moves a case from which states to which, and
who may take it, with the label and colour of each action and each state. Services, views and
templates ask this table; tests walk every cell of it."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Deviation

S = Deviation.State

# Who someone is in a case:
REPORTER = "reporter"  # the person who reported, or a handler of the reporting party
RECEIVER = "receiver"  # a handler of the party (or unit) the case is with now
GP_LIAISON = "gp_liaison"  # the hospital's praksiskonsulent, for GP reports
SECRETARIAT = "secretariat"  # the community's secretariat: sees all, settles disagreements

# Colours of Designsystemet (`data-color`).
ACCENT, SUCCESS, INFO, WARNING, DANGER = "accent", "success", "info", "warning", "danger"

TEXT_LABEL = _("Tekst")


@dataclass(frozen=True)
class Action:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_text: bool = False
    color: str = ACCENT  # the colour of the action's button
    text_label: Promise = TEXT_LABEL  # the label of its text box
    asks_text: bool = False  # shows a text box (always when the text is required)
    asks_measures: bool = False  # shows the box for measures taken (the answer)
    asks_target: bool = False  # asks where to send the case (forwarding)


def _action(
    name: str,
    label: Promise,
    sources: Iterable[str],
    target: str,
    roles: Iterable[str],
    *,
    needs_text: bool = False,
    color: str = ACCENT,
    text_label: Promise = TEXT_LABEL,
    asks_measures: bool = False,
    asks_target: bool = False,
) -> Action:
    return Action(
        name,
        label,
        frozenset(sources),
        target,
        frozenset(roles),
        needs_text=needs_text,
        color=color,
        text_label=text_label,
        asks_text=needs_text or asks_target,
        asks_measures=asks_measures,
        asks_target=asks_target,
    )


ACTIONS: dict[str, Action] = {
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
            asks_target=True,
        ),
        _action(
            "ask",
            _("Spør melder (fristen stopper)"),
            [S.RECEIVED, S.IN_PROGRESS],
            S.WAITING,
            [RECEIVER],
            needs_text=True,
            text_label=_("Spørsmål til melder"),
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
            text_label=_("Svar til melder"),
            asks_measures=True,
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
            color=DANGER,
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

# The colour of a case's status tag: done, with the secretariat, waiting for the reporter to
# judge the answer, or still on its way.
STATE_COLORS: dict[str, str] = {
    S.TRIAGE: WARNING,
    S.REPORTED: WARNING,
    S.RECEIVED: WARNING,
    S.IN_PROGRESS: WARNING,
    S.FORWARDED: WARNING,
    S.WAITING: WARNING,
    S.ANSWERED: INFO,
    S.REOPENED: WARNING,
    S.DISAGREEMENT: DANGER,
    S.CLOSED: SUCCESS,
}


def state_color(state: str) -> str:
    return STATE_COLORS.get(state, WARNING)


def allowed(action: str, state: str, roles: Collection[str]) -> bool:
    spec = ACTIONS.get(action)
    return bool(spec and state in spec.sources and set(roles) & spec.roles)


def available(state: str, roles: Collection[str]) -> list[Action]:
    """The actions this person can take on a case in `state`, in table order."""
    return [a for a in ACTIONS.values() if state in a.sources and set(roles) & a.roles]


# Events of a case's history that are not actions of the table.
REPORT, COMMENT, OVERDUE, THEME = "report", "comment", "overdue", "theme"
EVENT_LABELS: dict[str, Promise] = {
    REPORT: _("Meldte avviket"),
    COMMENT: _("Kommentar"),
    OVERDUE: _("Svarfristen gikk ut; sekretariatet er varslet"),
    THEME: _("Knyttet til tema"),
}


def event_label(action: str) -> str:
    """What an event of the history says: the action's label, or the event's own."""
    if action in ACTIONS:
        return str(ACTIONS[action].label)
    return str(EVENT_LABELS.get(action, action))
