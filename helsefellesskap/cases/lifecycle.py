"""The meeting lifecycle in one place: which action may be taken on a meeting in which state, what
state it leads to, who may take it, and how its button looks. Services ask this table before they
change a meeting, views before they show a button or accept a form; tests walk every cell of it.

A meeting with approved minutes is locked: no action that changes it, its agenda, its minutes or
its attendance is open any more."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Meeting

S = Meeting.Status

# Who someone is for a meeting (see `cases.policies.meeting_roles`):
SECRETARIAT = "secretariat"  # the community's secretariat (and the platform administrator)
CHAIR = "chair"  # the chair of one of the meeting's bodies
ATTENDEE = "attendee"  # someone invited to the meeting (a row of its attendance)
ROLES = (SECRETARIAT, CHAIR, ATTENDEE)

ERROR_MINUTES_APPROVED = _("Protokollen er godkjent, og møtet kan ikke endres lenger.")
ERROR_MEETING_STATE = _("Dette kan ikke gjøres når møtet har status «%(status)s».")
ERROR_MINUTES_NOT_HELD = _("Protokollen kan først godkjennes når møtet er avholdt.")

LOCKED = frozenset({S.APPROVED})
UNLOCKED = frozenset(set(S) - LOCKED)
BEFORE_MEETING = frozenset({S.PLANNED, S.INVITED})

# Button variants of Designsystemet: how strongly a button asks to be pressed.
PRIMARY, SECONDARY, TERTIARY = "primary", "secondary", "tertiary"


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str | None  # None: the meeting keeps its state (a change to its content)
    roles: frozenset[str]
    refusal: str | Promise  # the message when the meeting is in none of `sources`
    variant: str = SECONDARY  # the colour of the action's button
    label_again: str | Promise | None = None  # the label when the meeting is in `target` already
    button: bool = False  # one of the buttons of the meeting page's secretariat section

    def label_for(self, state: str) -> str:
        again = self.label_again is not None and state == self.target
        return str(self.label_again if again else self.label)


def _action(
    name: str,
    label: str | Promise,
    sources: frozenset[str],
    target: str | None,
    roles: list[str],
    refusal: str | Promise,
    *,
    variant: str = SECONDARY,
    label_again: str | Promise | None = None,
    button: bool = False,
) -> Action:
    return Action(
        name,
        label,
        sources,
        target,
        frozenset(roles),
        refusal,
        variant=variant,
        label_again=label_again,
        button=button,
    )


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        # Changes to the meeting's content, while its minutes are not approved.
        _action("edit", _("Endre møtet"), UNLOCKED, None, [SECRETARIAT], ERROR_MINUTES_APPROVED),
        _action(
            "agenda", _("Sett på sakslisten"), UNLOCKED, None, [SECRETARIAT], ERROR_MINUTES_APPROVED
        ),
        _action(
            "record", _("Før protokoll"), UNLOCKED, None, [SECRETARIAT], ERROR_MINUTES_APPROVED
        ),
        _action("attendance", _("Lagre"), UNLOCKED, None, [SECRETARIAT], ERROR_MINUTES_APPROVED),
        _action(
            "substitute", _("Kall inn vara"), UNLOCKED, None, [SECRETARIAT], ERROR_MINUTES_APPROVED
        ),
        _action(
            "absence", _("Meld forfall"), BEFORE_MEETING, None, [ATTENDEE], ERROR_MEETING_STATE
        ),
        # Steps of the lifecycle.
        _action(
            "invite",
            _("Send innkalling"),
            BEFORE_MEETING,
            S.INVITED,
            [SECRETARIAT],
            ERROR_MEETING_STATE,
            variant=PRIMARY,
            label_again=_("Send innkallingen på nytt"),
            button=True,
        ),
        _action(
            "held",
            _("Registrer møtet som avholdt"),
            BEFORE_MEETING,
            S.HELD,
            [SECRETARIAT],
            ERROR_MEETING_STATE,
            variant=SECONDARY,
            button=True,
        ),
        _action(
            "cancel",
            _("Avlys møtet"),
            BEFORE_MEETING,
            S.CANCELLED,
            [SECRETARIAT],
            ERROR_MEETING_STATE,
            variant=TERTIARY,
            button=True,
        ),
        # The approval has a form of its own (how and when), in its own section of the page.
        _action(
            "approve",
            _("Godkjenn protokollen"),
            frozenset({S.HELD}),
            S.APPROVED,
            [SECRETARIAT, CHAIR],
            ERROR_MINUTES_NOT_HELD,
            variant=PRIMARY,
        ),
    ]
}


def allowed(action: str, state: str, roles: set[str] | frozenset[str]) -> bool:
    spec = ACTIONS.get(action)
    return bool(spec and state in spec.sources and roles & spec.roles)


def permitted(state: str, roles: set[str] | frozenset[str]) -> dict[str, bool]:
    """Every action by name: whether this person may take it on a meeting in `state`."""
    return {name: allowed(name, state, roles) for name in ACTIONS}


def buttons(state: str, roles: set[str] | frozenset[str]) -> list[Action]:
    """The secretariat section's buttons for a meeting in `state`, in table order."""
    return [a for a in ACTIONS.values() if a.button and allowed(a.name, state, roles)]


def refusal(action: str, state: str, status_label: str = "") -> str | None:
    """Why `action` cannot be taken on a meeting in `state` (whoever asks), or None when it can."""
    spec = ACTIONS[action]
    if state in spec.sources:
        return None
    return str(spec.refusal) % {"status": status_label or state}


def target(action: str) -> str:
    """The state `action` leads to (for the actions that are steps of the lifecycle)."""
    state = ACTIONS[action].target
    if state is None:
        raise ValueError(f"{action} is not a step of the lifecycle")
    return state


def is_locked(state: str) -> bool:
    return state in LOCKED
