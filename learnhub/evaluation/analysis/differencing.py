"""Differencing: a filtered view is shown only if no other view a user can request differs from it by 1–7 people.

The rule itself is pure (:mod:`learnhub.evaluation.analysis.slices`); this module reads the
cells it needs: submitted responses per (timepoint, course or programme, cohort or group, PCN,
role, month) and matched pairs per the same attributes of both responses (a pair is in a slice
when both of its responses are). The page reads them from ``evaluation_cell_count``, kept with
every submission; :func:`differencing_cells_raw` computes them with two GROUP BY queries over
the responses (the oracle).
"""

from collections.abc import Iterator

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from learnhub.evaluation.analysis.queries import Filters, _conditions, quarter_of
from learnhub.evaluation.analysis.slices import EVERYONE, Cell, withheld_views
from learnhub.evaluation.models import FOLLOW_UP, POST, PRE, Attachment, CellCount, Instrument, Response
from learnhub.extensions import db

#: Names of the counts checked for differencing, as said to the administrator.
DIFFERENCING_LABELS = {
    PRE: "answered before",
    POST: "answered after",
    FOLLOW_UP: "answered at follow-up",
    "matched": "answered before and after",
    "matched_follow_up": "answered before and at follow-up",
}
#: What each kind of slice is called in messages.
SLICE_NAMES = {
    "attachment": "a course or programme",
    "subgroup": "a cohort or group",
    "pcn": "a PCN",
    "role": "a professional role",
    "period": "a month or quarter",
}


def filters_applied(filters: Filters) -> bool:
    """True when a slice narrows the results."""
    return filters.view() != EVERYONE


def month_of(column):  # type: ignore[no-untyped-def]
    """SQL for the calendar month (UTC) of a timestamp, as ``YYYY-MM``."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _views(attachment_id: int, subgroup: str | None, pcn_id: int | None, role: str | None, month: str | None) -> Iterator:
    yield EVERYONE
    yield ("attachment", attachment_id)
    if subgroup:
        yield ("subgroup", subgroup)
    if pcn_id:
        yield ("pcn", pcn_id)
    if role:
        yield ("role", role)
    if month:
        yield ("period", month)
        yield ("period", quarter_of(month))


def _both(a: object, b: object) -> object:
    return a if a == b else None


def differencing_cells(instrument: Instrument) -> dict[str, list[Cell]]:
    """``{count name: [(views, people), ...]}`` for every published count of people.

    Read from the cells kept with every submission (``evaluation_cell_count``): one row per
    combination of attributes, however many responses share it. Equal to
    :func:`differencing_cells_raw` (tested).
    """
    attachments = select(Attachment.id).where(Attachment.instrument_id == instrument.id)
    attrs = (
        CellCount.count,
        CellCount.attachment_id,
        CellCount.subgroup,
        CellCount.subgroup_later,
        CellCount.pcn,
        CellCount.pcn_later,
        CellCount.role,
        CellCount.role_later,
        CellCount.month,
        CellCount.month_later,
    )
    cells: dict[str, list[Cell]] = {}
    rows = db.session.execute(
        select(*attrs, func.sum(CellCount.n)).where(CellCount.attachment_id.in_(attachments)).group_by(*attrs)
    ).all()
    for name, attachment_id, sg1, sg2, pcn1, pcn2, role1, role2, m1, m2, n in rows:
        if not n:
            continue
        pcn1, pcn2 = int(pcn1) if pcn1 else None, int(pcn2) if pcn2 else None
        sg1, sg2, role1, role2, m1, m2 = (v or None for v in (sg1, sg2, role1, role2, m1, m2))
        if name in (PRE, POST, FOLLOW_UP):
            views = frozenset(_views(attachment_id, sg1, pcn1, role1, m1))
        else:
            views = _pair_views(attachment_id, sg1, sg2, pcn1, pcn2, role1, role2, m1, m2)
        cells.setdefault(name, []).append((views, int(n)))
    return cells


def _pair_views(attachment_id, sg1, sg2, pcn1, pcn2, role1, role2, m1, m2) -> frozenset:  # type: ignore[no-untyped-def]
    """The views a pair is in: those both of its responses are in."""
    views = set(_views(attachment_id, _both(sg1, sg2), _both(pcn1, pcn2), _both(role1, role2), _both(m1, m2)))
    if m1 and m2 and m1 != m2 and quarter_of(m1) == quarter_of(m2):
        views.add(("period", quarter_of(m1)))
    return frozenset(views)


def differencing_cells_raw(instrument: Instrument) -> dict[str, list[Cell]]:
    """:func:`differencing_cells` by GROUP BY over every submitted response (the oracle for the tables)."""
    everyone = Filters()
    resp = aliased(Response)
    keys = (resp.attachment_id, resp.subgroup, resp.pcn_id, resp.professional_role, month_of(resp.submitted_at))
    cells: dict[str, list[Cell]] = {}
    for tp, *attrs, n in db.session.execute(
        select(resp.timepoint, *keys, func.count())
        .where(*_conditions(resp, instrument.id, everyone))
        .group_by(resp.timepoint, *keys)
    ).all():
        cells.setdefault(tp, []).append((frozenset(_views(*attrs)), int(n)))
    pre, later = aliased(Response), aliased(Response)
    on = and_(
        later.attachment_id == pre.attachment_id,
        later.respondent_key == pre.respondent_key,
        pre.timepoint == PRE,
        later.timepoint.in_([POST, FOLLOW_UP]),
    )
    pair_keys = (
        pre.attachment_id,
        pre.subgroup,
        later.subgroup,
        pre.pcn_id,
        later.pcn_id,
        pre.professional_role,
        later.professional_role,
        month_of(pre.submitted_at),
        month_of(later.submitted_at),
    )
    for tp, attachment_id, sg1, sg2, pcn1, pcn2, role1, role2, m1, m2, n in db.session.execute(
        select(later.timepoint, *pair_keys, func.count())
        .select_from(pre)
        .join(later, on)
        .where(*_conditions(pre, instrument.id, everyone), *_conditions(later, instrument.id, everyone))
        .group_by(later.timepoint, *pair_keys)
    ).all():
        views = _pair_views(attachment_id, sg1, sg2, pcn1, pcn2, role1, role2, m1, m2)
        name = "matched" if tp == POST else "matched_follow_up"
        cells.setdefault(name, []).append((views, int(n)))
    return cells


def withheld(instrument: Instrument, threshold: int) -> dict:
    """``{view: reason}`` for every requestable view that must not be shown (see ``slices``)."""
    found = differencing_cells(instrument)
    # In a fixed order (before, after, follow-up, pairs), so that when several counts give a
    # reason of the same kind the one named does not depend on the order rows came in.
    cells = {name: found[name] for name in DIFFERENCING_LABELS if name in found}
    requestable = {view for named in cells.values() for views, _n in named for view in views}
    return withheld_views(cells, requestable, threshold)


def differencing_problem(instrument: Instrument, filters: Filters, threshold: int) -> str | None:
    """Why this filtered view must not be shown, or None (the results for everyone are always shown)."""
    view = filters.view()
    if view == EVERYONE:
        return None
    reason = withheld(instrument, threshold).get(view)
    if reason is None:
        return None
    which = DIFFERENCING_LABELS.get(reason[1], reason[1])
    if reason[0] == "small":
        return (
            f"Results for this filter are not shown because fewer than {threshold} people match it "
            f"(counting people who {which}). Choose a broader filter, or clear the filter."
        )
    other = reason[2]
    if other == EVERYONE:
        return (
            f"Results for this filter are not shown because it leaves out fewer than {threshold} people "
            f"(counting people who {which}). Comparing them with the results for everyone would reveal those "
            "people's answers. Choose a different filter, or clear the filter."
        )
    return (
        f"Results for this filter are not shown because the results for {SLICE_NAMES.get(other[0], 'another filter')} "
        f"differ from them by fewer than {threshold} people (counting people who {which}). Comparing the two would "
        "reveal those people's answers. Choose a different filter, or clear the filter."
    )
