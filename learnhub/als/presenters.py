"""Presenter rotation for ALS sessions. Plain functions, no Flask.

Fair turns: nobody presents a second time until everyone has presented once (and so on);
a member who was due to present but was absent goes first next time; among members with
equal claims, those who bid for time come first.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PastSession:
    """What happened at an earlier session: who was there and who presented."""

    present: frozenset[int]
    presenters: frozenset[int]


@dataclass
class Standing:
    """A member's place in the rotation."""

    member: int
    presented: int = 0
    missed_when_due: int = 0
    #: Index of the last session they presented at (-1 if never).
    last_presented: int = -1
    bid: bool = False

    def key(self, position: int) -> tuple:
        """Sort key: fewest turns, then missed turns, then bids, then longest wait."""
        return (self.presented, -self.missed_when_due, not self.bid, self.last_presented, position)


@dataclass
class Suggestion:
    """Suggested presenters in order, and everyone's standing."""

    presenters: list[int]
    standings: list[Standing] = field(default_factory=list)


def standings(members: list[int], history: Iterable[PastSession], slots: int = 2) -> dict[int, Standing]:
    """Each member's standing after the sessions in ``history`` (oldest first)."""
    table = {m: Standing(m) for m in members}
    for index, session in enumerate(history):
        due = _order(members, table, set())[:slots]
        for m in due:
            if m not in session.present and m not in session.presenters:
                table[m].missed_when_due += 1
        for m in session.presenters:
            if m in table:
                table[m].presented += 1
                table[m].last_presented = index
                table[m].missed_when_due = 0
    return table


def _order(members: list[int], table: dict[int, Standing], bids: set[int]) -> list[int]:
    position = {m: i for i, m in enumerate(members)}
    for m in members:
        table[m].bid = m in bids
    return sorted(members, key=lambda m: table[m].key(position[m]))


def suggest_presenters(
    members: list[int],
    history: Iterable[PastSession],
    *,
    slots: int = 2,
    bids: Iterable[int] = (),
    away: Iterable[int] = (),
) -> Suggestion:
    """Who should present next, in order.

    :param members: the group's members in a stable order (ties fall back to it).
    :param bids: members who asked for time at this session.
    :param away: members who have sent apologies for this session.
    """
    table = standings(members, history, slots)
    available = [m for m in members if m not in set(away)]
    ordered = _order(available, table, set(bids))
    return Suggestion(ordered[:slots], [table[m] for m in ordered])
