"""Small-number suppression («prikking») for tables of counts with totals.

A table is a mapping from cell keys to counts, and a list of groups: each group is one additive
equation, `total = sum(parts)`, whose total and parts are cells of the table. The municipalities
of a region with the region total, the regions with the community total, the months of a year
with the year total, the rows and the columns of a crossed table: each is a group, and a cell
may belong to several groups (a region total is the total of one group and a part of another).

Primary suppression hides the small counts: 1 to `threshold − 1` («values 1–4 hidden» with the
default threshold of 5). Zero is shown, as in Norwegian official statistics: it is not a small
group of people that could be recognised.

Secondary suppression makes sure no hidden count can be worked out from the cells shown.
1. Pairing. A group with exactly one hidden cell gives it away (the total minus the parts shown,
   or the sum of the parts when the total is the hidden one). Every such group gets a second
   hidden cell: its smallest shown non-zero part, or failing that its total. Hiding a cell may
   leave another group with one hidden cell (a region total now hidden inside the community's
   group, a cell hidden in its column); those groups are visited again until none is left, which
   is what makes hierarchies and crossed tables work. This is the classic «at least two hidden
   cells in every group» heuristic.
2. Audit. Pairing blocks single subtractions, not every combination: in a crossed table where
   two rows have their only non-zero cells in one column, hidden with the two row totals, every
   row and column has two hidden cells, yet that column's total is the grand total minus the
   rows shown. A hidden cell is safe only if some change of the hidden values keeps every group
   adding up and moves it (it lies in the support of the null space of the hidden cells'
   columns). That is kept up to date exactly, with rational arithmetic, as cells are hidden
   (`_Audit`). While a hidden cell is still pinned down, the smallest shown non-zero cell whose
   hiding frees it is hidden too (or, if no single cell does, the smallest nearby one), and
   pairing runs again.
Each step hides one more non-zero cell, so it ends; and once every non-zero cell is hidden
nothing is pinned down (the equations left are homogeneous, and the true counts, all positive,
solve them). The result is deterministic: groups are visited in the order given and ties
between equal counts are broken by `repr` of the key.

Limits (a heuristic with an exact check, not an optimal solution by linear programming):
- It is not minimal: it may hide more than an optimal method would, such as a whole total when a
  group's other parts are all zero. Zeros are never hidden: a zero marked «prikket» beside an
  «under 5» is too easily guessed.
- It protects exact values, not intervals: counts are not negative, so two hidden cells known
  to add up to 6 are each at most 6.
- It sees one table. The same count published in another table, or the difference between two
  published tables, is for the caller to model (one call, with shared keys for the shared
  cells) or to avoid.
- A cell the caller keeps shown (`fixed`, say a total shown in a heading) is never chosen as a
  complement; a hidden cell that then stays determined is returned in `exposed`.
- It is meant for the tables of a page (hundreds of cells: a few to a hundred milliseconds), not
  for a whole register; tables with many crossed dimensions need many hidden cells, since the
  smallest safe pattern around one cell of a three-way table is a 2 × 2 × 2 cube.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Generic, TypeVar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

K = TypeVar("K", bound=Hashable)

DEFAULT_THRESHOLD = 5

# For pages that show «prikket» cells: why a number that is not small can be hidden.
SECONDARY_EXPLANATION = _(
    "Der et skjult tall ellers kunne regnes ut fra summen og de andre tallene, er også et annet "
    "tall skjult. Det vises som «prikket» og er ikke nødvendigvis lite."
)


class Reason(enum.Enum):
    """Why a cell is hidden."""

    PRIMARY = "primary"  # a small count
    SECONDARY = "secondary"  # hidden so that a small count cannot be worked out


@dataclass(frozen=True)
class Group(Generic[K]):
    """One additive equation of the table: `counts[total] == sum(counts[p] for p in parts)`."""

    total: K
    parts: frozenset[K]

    @property
    def cells(self) -> tuple[K, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Suppression(Generic[K]):
    """The outcome: which cells are hidden, and why."""

    threshold: int
    primary: frozenset[K]
    secondary: frozenset[K]
    # Hidden cells the shown ones still give away: only when `fixed` left nothing else to hide.
    exposed: frozenset[K] = frozenset()

    @property
    def hidden(self) -> frozenset[K]:
        return self.primary | self.secondary

    def reason(self, key: K) -> Reason | None:
        if key in self.primary:
            return Reason.PRIMARY
        if key in self.secondary:
            return Reason.SECONDARY
        return None

    def shown(self, key: K, value: int) -> str:
        """The text of a cell: the number, «under 5» or «prikket»."""
        reason = self.reason(key)
        return str(value) if reason is None else hidden_label(reason, self.threshold)


def is_small(count: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Whether primary suppression hides `count`: 1 to threshold − 1."""
    return 0 < count < threshold


def hidden_label(reason: Reason, threshold: int = DEFAULT_THRESHOLD) -> str:
    """«under 5» for a small count; «prikket» for a count hidden to protect another one (it is
    not necessarily small, so «under 5» would be wrong)."""
    if reason is Reason.PRIMARY:
        return gettext("under %(n)s") % {"n": threshold}
    return gettext("prikket")


def suppress(
    counts: Mapping[K, int],
    groups: Iterable[Group[K]],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    sensitive: Collection[K] | None = None,
    fixed: Collection[K] = (),
) -> frozenset[K]:
    """The keys to hide. `suppress({"a": 3, "b": 7, "t": 10}, [Group("t", frozenset("ab"))])`
    is `{"a", "b"}`. See `suppression` for the arguments."""
    return suppression(counts, groups, threshold, sensitive=sensitive, fixed=fixed).hidden


def suppression(
    counts: Mapping[K, int],
    groups: Iterable[Group[K]],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    sensitive: Collection[K] | None = None,
    fixed: Collection[K] = (),
) -> Suppression[K]:
    """Primary and secondary suppression of a table (see the module's docstring).

    `counts` holds every cell, totals included; every group must add up (a ValueError says
    which does not). `sensitive` are the cells whose small counts are hidden (default: all; the
    deviation statistics hide small counts only for municipalities). `fixed` cells are never
    chosen as complements, because the page shows them elsewhere anyway."""
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}")
    group_list = list(groups)
    candidates = counts.keys() if sensitive is None else sensitive
    _check(counts, group_list, candidates)
    primary = frozenset(key for key in candidates if is_small(counts[key], threshold))
    hidden = set(primary)
    fixed_cells = frozenset(fixed)

    groups_of: dict[K, list[int]] = {}
    for index, group in enumerate(group_list):
        for cell in group.cells:
            groups_of.setdefault(cell, []).append(index)
    audit = _Audit(group_list, groups_of)
    for cell in sorted(hidden, key=repr):
        audit.hide(cell)
    pairing: Iterable[int] = range(len(group_list))
    while True:
        for cell in _pair_up(group_list, groups_of, pairing, counts, hidden, fixed_cells):
            audit.hide(cell)
        # The audit: a combination of groups may still give a cell away (see the limits).
        exposed = sorted(hidden - audit.free, key=repr)
        complement = next(
            (
                found
                for cell in exposed
                if (found := audit.breaker(cell, counts, hidden, fixed_cells)) is not None
            ),
            None,
        )
        if complement is None:
            break  # nothing exposed, or only fixed cells are left to hide
        hidden.add(complement)
        audit.hide(complement)
        pairing = groups_of[complement]
    return Suppression(threshold, primary, frozenset(hidden) - primary, frozenset(exposed))


def _pair_up(
    groups: list[Group[K]],
    groups_of: Mapping[K, list[int]],
    start: Iterable[int],
    counts: Mapping[K, int],
    hidden: set[K],
    fixed: frozenset[K],
) -> list[K]:
    """Give every group with a single hidden cell a second one, revisiting the groups of each
    newly hidden cell, until none is left. Returns the cells it hid."""
    added = []
    queue = deque(start)
    queued = set(queue)
    while queue:
        index = queue.popleft()
        queued.discard(index)
        complement = _complement(groups[index], counts, hidden, fixed)
        if complement is None:
            continue
        hidden.add(complement)
        added.append(complement)
        for other in groups_of[complement]:
            if other not in queued:
                queue.append(other)
                queued.add(other)
    return added


def _complement(
    group: Group[K], counts: Mapping[K, int], hidden: set[K], fixed: frozenset[K]
) -> K | None:
    """The cell to hide with the group's only hidden cell; None when the group is safe (no hidden
    cell, or two or more) or nothing may be hidden."""
    hidden_cells = [cell for cell in group.cells if cell in hidden]
    if len(hidden_cells) != 1:
        return None
    shown_parts = [
        part
        for part in group.parts
        if part not in hidden and part not in fixed and counts[part] > 0
    ]
    if shown_parts:
        return min(shown_parts, key=lambda part: (counts[part], repr(part)))
    # A hidden part beside zeros (or fixed cells): the total tells it, so the total goes too.
    if group.total not in hidden and group.total not in fixed:
        return group.total
    return None


class _Audit(Generic[K]):
    """Which hidden cells the groups pin down, kept up to date as cells are hidden.

    Each cell is a column over the groups (+1 where it is a total, −1 where it is a part). A
    hidden cell can be worked out exactly unless some change of the hidden values keeps every
    group adding up and moves it: unless it is in the support of a vector of the null space of
    the hidden columns. Hiding a cell adds a column; when it is a combination of the hidden
    columns already in, that combination minus it is a new null vector, and its cells are free
    from then on (the null space only grows as cells are hidden). Exact arithmetic over the
    rationals, on sparse columns in echelon form."""

    def __init__(self, groups: list[Group[K]], groups_of: Mapping[K, list[int]]):
        self._groups = groups
        self._groups_of = groups_of
        self._basis: dict[int, tuple[dict[int, Fraction], dict[K, Fraction]]] = {}
        self.free: set[K] = set()

    def _column(self, cell: K) -> dict[int, Fraction]:
        return {
            index: Fraction(1 if self._groups[index].total == cell else -1)
            for index in self._groups_of.get(cell, ())
        }

    def _reduce(self, cell: K) -> tuple[dict[int, Fraction], dict[K, Fraction]]:
        """The cell's column less its part in the span of the hidden columns, and the
        combination of cells that it now is."""
        vector = self._column(cell)
        origin = {cell: Fraction(1)}
        while vector:
            pivot = min(vector)
            if pivot not in self._basis:
                break
            base, base_origin = self._basis[pivot]
            factor = vector[pivot] / base[pivot]
            _subtract(vector, base, factor)
            _subtract(origin, base_origin, factor)
        return vector, origin

    def hide(self, cell: K) -> None:
        vector, origin = self._reduce(cell)
        if vector:
            self._basis[min(vector)] = (vector, origin)
        else:
            self.free.update(origin)

    def breaker(
        self, cell: K, counts: Mapping[K, int], hidden: set[K], fixed: frozenset[K]
    ) -> K | None:
        """The smallest shown non-zero cell whose hiding frees `cell`; failing that, the
        smallest one in a group with it, or else in a group with those cells, and so on."""
        candidates = sorted(
            (c for c in counts if c not in hidden and c not in fixed and counts[c] > 0),
            key=lambda c: (counts[c], repr(c)),
        )
        for candidate in candidates:
            vector, origin = self._reduce(candidate)
            if not vector and cell in origin:
                return candidate
        seen, layer = {cell}, {cell}
        while layer:
            near = {
                c for x in layer for i in self._groups_of.get(x, ()) for c in self._groups[i].cells
            } - seen
            for candidate in candidates:
                if candidate in near:
                    return candidate
            seen |= near
            layer = near
        return None


def _subtract(
    target: dict[Any, Fraction], source: Mapping[Any, Fraction], factor: Fraction
) -> None:
    """target −= factor × source, dropping zeros."""
    for key, value in source.items():
        new = target.get(key, Fraction(0)) - factor * value
        if new:
            target[key] = new
        else:
            target.pop(key, None)


def _check(counts: Mapping[K, int], groups: list[Group[K]], sensitive: Collection[K]) -> None:
    unknown = [key for key in sensitive if key not in counts]
    if unknown:
        raise ValueError(f"sensitive cells without a count: {unknown!r}")
    negative = [key for key, count in counts.items() if count < 0]
    if negative:
        raise ValueError(f"negative counts: {negative!r}")
    for group in groups:
        missing = [cell for cell in group.cells if cell not in counts]
        if missing:
            raise ValueError(f"cells without a count: {missing!r}")
        if group.total in group.parts:
            raise ValueError(f"the total {group.total!r} is also a part of its group")
        if counts[group.total] != sum(counts[part] for part in group.parts):
            raise ValueError(f"the parts of {group.total!r} do not add up to it")
