"""The SQL side of the results: aggregates with GROUP BY, never one row per response.

:func:`gather` returns an :class:`Aggregates` of plain counts and sums; the figures people see
are computed from it, without the database, by :mod:`learnhub.evaluation.analysis.results`.
The number of queries and the rows Python reads do not grow with the number of responses.

Pairs and filters: a pair is a submitted "pre" and a submitted later ("post" or "follow_up")
response of the same attachment with the same pseudonymous key. Filters apply to every
response counted, so a pair counts when both of its responses pass them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import aliased

from learnhub.accounts.models import User
from learnhub.evaluation import services
from learnhub.evaluation.analysis.slices import EVERYONE, period_bounds, quarter_of  # noqa: F401  (quarter_of re-exported)
from learnhub.evaluation.models import (
    AGREEMENT,
    ALL_SLICE,
    ANSWERED,
    FOLLOW_UP,
    FREE_TEXT,
    MATCHED,
    MULTIPLE,
    POST,
    PRE,
    SCALE_KINDS,
    TIMEPOINTS,
    Answer,
    AnswerCount,
    Attachment,
    DifferenceCount,
    Instrument,
    InvitedCount,
    Invitee,
    PeopleCount,
    Response,
    ScoreCount,
)
from learnhub.extensions import db
from learnhub.suppression import mask_count


@dataclass
class Filters:
    """The one predefined slice the results are narrowed to (all None: everyone).

    Only one may be set (see :mod:`learnhub.evaluation.analysis.slices`): combinations and free
    date ranges are not offered, so every view a user can request is checked for differencing.
    """

    attachment_id: int | None = None
    subgroup: str | None = None
    pcn_id: int | None = None
    professional_role: str | None = None
    #: A calendar month (``2026-10``) or quarter (``2026-Q4``) of submission, in UTC.
    period: str | None = None

    def view(self) -> tuple:
        """The slice as a view key (``("pcn", 3)``), or ``EVERYONE``."""
        chosen = [
            (kind, value)
            for kind, value in (
                ("attachment", self.attachment_id),
                ("subgroup", self.subgroup),
                ("pcn", self.pcn_id),
                ("role", self.professional_role),
                ("period", self.period),
            )
            if value
        ]
        if len(chosen) > 1:
            raise ValueError("Results can be narrowed to one slice at a time")
        return chosen[0] if chosen else EVERYONE


def _conditions(resp, instrument_id: int, filters: Filters, attachment: bool = True) -> list:  # type: ignore[no-untyped-def]
    """WHERE conditions for submitted responses of this instrument passing the filters.

    ``attachment=False`` leaves out the attachment test, for a response joined to one that has it.
    """
    conds = [resp.status == Response.SUBMITTED]
    if attachment:
        conds.append(resp.attachment_id.in_(_attachment_ids(instrument_id, filters)))
    if filters.subgroup:
        conds.append(resp.subgroup == filters.subgroup)
    if filters.pcn_id:
        conds.append(resp.pcn_id == filters.pcn_id)
    if filters.professional_role:
        conds.append(resp.professional_role == filters.professional_role)
    if filters.period:
        start, end = period_bounds(filters.period)
        conds += [resp.submitted_at >= start, resp.submitted_at < end]
    return conds


def _attachment_ids(instrument_id: int, filters: Filters):  # type: ignore[no-untyped-def]
    stmt = select(Attachment.id).where(Attachment.instrument_id == instrument_id)
    if filters.attachment_id:
        stmt = stmt.where(Attachment.id == filters.attachment_id)
    return stmt.scalar_subquery()


def _pairs(instrument_id: int, filters: Filters, later: str = POST):  # type: ignore[no-untyped-def]
    """Aliases and join condition for matched (pre, ``later``) response pairs."""
    pre = aliased(Response)
    post = aliased(Response)
    on = and_(
        post.attachment_id == pre.attachment_id,
        post.respondent_key == pre.respondent_key,
        pre.timepoint == PRE,
        post.timepoint == later,
    )
    # The post response shares the pre response's attachment (the join says so): testing its
    # attachment again would stop the database looking it up by (attachment, timepoint, key).
    where = _conditions(pre, instrument_id, filters) + _conditions(post, instrument_id, filters, attachment=False)
    return pre, post, on, where


def invited_count(instrument: Instrument, filters: Filters, maintained: bool = True) -> int:
    """People invited to the instrument's attachments (after subject, subgroup, PCN and role filters).

    People invited directly (``hub`` attachments, the ``evaluation_invitee`` table) are read from
    the counts the database keeps (``InvitedCount``, one row) when no PCN or role filter applies
    and no course or ALS attachment shares the instrument; otherwise they are counted from the
    invitations, joined to the people's current PCN and role. Courses and ALS programmes give
    their rosters through the interface. ``maintained=False`` always counts the invitations (the
    oracle the maintained counts are tested against).
    """
    direct: list[int] = []
    others: set[int] = set()
    for attachment in instrument.attachments:
        if filters.attachment_id and attachment.id != filters.attachment_id:
            continue
        if attachment.subject_type == "hub":
            direct.append(attachment.id)
            continue
        for user_id, subgroup in services.invited(attachment).items():
            if not filters.subgroup or subgroup == filters.subgroup:
                others.add(user_id)
    narrowed = bool(filters.pcn_id or filters.professional_role)
    if maintained and direct and not others and not narrowed:
        # Counted by the database as invitations are made and removed (``InvitedCount``): one row.
        return (
            db.session.scalar(
                select(InvitedCount.n).where(
                    InvitedCount.instrument_id == instrument.id,
                    InvitedCount.attachment_id == (filters.attachment_id or 0),
                    InvitedCount.subgroup == (filters.subgroup or ""),
                )
            )
            or 0
        )
    chosen = [Invitee.attachment_id.in_(direct or [-1])]
    if filters.subgroup:
        chosen.append(Invitee.subgroup == filters.subgroup)
    invitees = select(Invitee.user_id).where(*chosen)

    def people(stmt):  # type: ignore[no-untyped-def]
        if filters.pcn_id:
            stmt = stmt.where(User.pcn_id == filters.pcn_id)
        if filters.professional_role:
            stmt = stmt.where(User.professional_role == filters.professional_role)
        return db.session.scalar(stmt) or 0

    total = 0
    if direct:
        if narrowed:
            total = people(select(func.count()).select_from(User).where(User.id.in_(invitees)))
        else:
            total = db.session.scalar(select(func.count(distinct(Invitee.user_id))).where(*chosen)) or 0
    if others:
        stmt = select(func.count()).select_from(User).where(User.id.in_(others))
        if direct:
            stmt = stmt.where(User.id.not_in(invitees))
        total += people(stmt) if narrowed or direct else len(others)
    return total


def _response_ids(instrument_id: int, filters: Filters, timepoint: str):  # type: ignore[no-untyped-def]
    """Subquery: ids of the submitted responses at ``timepoint`` passing the filters."""
    resp = aliased(Response)
    return select(resp.id).where(*_conditions(resp, instrument_id, filters), resp.timepoint == timepoint)


def _matched_differences(instrument: Instrument, pairs: tuple) -> dict[int, dict[int, int]]:
    """Per scale item, ``{later - before: number of pairs}`` over the matched pairs."""
    pre, post, on, where = pairs
    scale_ids = {i.id for i in instrument.items if i.kind in SCALE_KINDS}
    pre_answer = aliased(Answer)
    post_answer = aliased(Answer)
    diff = post_answer.value - pre_answer.value
    diff_rows = db.session.execute(
        select(pre_answer.item_id, diff, func.count())
        .select_from(pre)
        .join(post, on)
        .join(pre_answer, pre_answer.response_id == pre.id)
        .join(post_answer, and_(post_answer.response_id == post.id, post_answer.item_id == pre_answer.item_id))
        .where(*where, pre_answer.value.is_not(None))
        .group_by(pre_answer.item_id, diff)
    ).all()
    differences: dict[int, dict[int, int]] = {}
    for item_id, d, count in diff_rows:
        # Filtering here (on a few grouped rows) rather than in SQL lets the database drive the
        # join from the responses; only scale items are analysed as changes.
        if item_id in scale_ids:
            differences.setdefault(item_id, {})[d] = count
    return differences


def composite_from_scores(rows: Iterable[tuple[int, ...]]) -> tuple:
    """(pairs, sum of changes, sum of squared changes, mean before, mean later) of the composite score.

    ``rows`` are ``(answers before, answers later, pairs, Σ before_sum, Σ later_sum,
    Σ before_sum², Σ later_sum², Σ before_sum × later_sum)`` over the pairs whose responses
    have that many scored core answers; a response's score is ``sum / answers``. The sums are
    exact (fractions of integers) and rounded once, so the same pairs give the same figures
    whichever path (aggregate tables or raw answers) counted them.
    """
    n = 0
    total = squares = before = later = Fraction(0)
    for before_n, later_n, pairs, b, a, bb, aa, ab in rows:
        if not pairs:
            continue
        bn, an = int(before_n), int(later_n)
        b, a, bb, aa, ab = (int(v) for v in (b, a, bb, aa, ab))
        n += int(pairs)
        total += Fraction(a, an) - Fraction(b, bn)
        squares += Fraction(aa, an * an) - 2 * Fraction(ab, an * bn) + Fraction(bb, bn * bn)
        before += Fraction(b, bn)
        later += Fraction(a, an)
    if not n:
        return 0, None, None, None, None
    return n, float(total), float(squares), float(before / n), float(later / n)


def _composite_sums(instrument: Instrument, filters: Filters, pairs: tuple, later: str = POST) -> tuple:
    """The composite score over the matched pairs, from the raw answers (see :func:`composite_from_scores`).

    A response's score is the mean of its core scale answers, reverse-scored items flipped; a
    pair counts when both of its responses passed the filters and have a score. The database
    sums each pair's two (sum, number of answers), grouped by the numbers of answers.
    """
    core = [i for i in instrument.items if i.core and i.kind in SCALE_KINDS]
    if not core:
        return 0, None, None, None, None
    answer = aliased(Answer)
    flipped_agreement = [i.id for i in core if i.reverse_scored and i.kind == AGREEMENT]
    flipped_rating = [i.id for i in core if i.reverse_scored and i.kind != AGREEMENT]
    whens = []
    if flipped_agreement:
        whens.append((answer.item_id.in_(flipped_agreement), 6 - answer.value))
    if flipped_rating:
        whens.append((answer.item_id.in_(flipped_rating), 10 - answer.value))
    scored = case(*whens, else_=answer.value) if whens else answer.value
    is_core = answer.item_id.in_([i.id for i in core])
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite sorts to group, so read the pairs in the order of its (attachment, timepoint,
        # key) index and both responses' answers as two ranges of the (response, item, value)
        # index: each pair's group is finished as it is read, with no sort. The core-item test
        # is in the sums, not the join, so that the index is read as ranges.
        pre, post, on, where = pairs
        mine = {PRE: and_(answer.response_id == pre.id, is_core), later: and_(answer.response_id == post.id, is_core)}
        per_pair = (
            select(
                func.sum(case((mine[PRE], scored))).label("before_sum"),
                func.count(case((mine[PRE], 1))).label("before_n"),
                func.sum(case((mine[later], scored))).label("after_sum"),
                func.count(case((mine[later], 1))).label("after_n"),
            )
            .select_from(pre)
            .join(post, on)
            .join(answer, and_(answer.response_id.in_([pre.id, post.id]), answer.value.is_not(None)))
            .where(*where)
            .group_by(pre.attachment_id, pre.respondent_key)
            .subquery()
        )
    else:
        # PostgreSQL hashes: score every filtered response in one pass, then pair the scores
        # by (attachment, key) — two hash aggregates instead of a lookup per pair.
        resp = aliased(Response)
        scores = (
            select(
                resp.attachment_id,
                resp.respondent_key,
                resp.timepoint,
                func.sum(scored).label("total"),
                func.count().label("answers"),
            )
            .join(answer, answer.response_id == resp.id)
            .where(
                *_conditions(resp, instrument.id, filters),
                resp.timepoint.in_([PRE, later]),
                is_core,
                answer.value.is_not(None),
            )
            .group_by(resp.id)
            .subquery()
        )
        per_pair = (
            select(
                func.max(case((scores.c.timepoint == PRE, scores.c.total))).label("before_sum"),
                func.max(case((scores.c.timepoint == PRE, scores.c.answers))).label("before_n"),
                func.max(case((scores.c.timepoint == later, scores.c.total))).label("after_sum"),
                func.max(case((scores.c.timepoint == later, scores.c.answers))).label("after_n"),
            )
            .group_by(scores.c.attachment_id, scores.c.respondent_key)
            .subquery()
        )
    c = per_pair.c
    return composite_from_scores(
        db.session.execute(
            select(
                c.before_n,
                c.after_n,
                func.count(),
                func.sum(c.before_sum),
                func.sum(c.after_sum),
                func.sum(c.before_sum * c.before_sum),
                func.sum(c.after_sum * c.after_sum),
                func.sum(c.before_sum * c.after_sum),
            )
            .where(c.before_n > 0, c.after_n > 0)
            .group_by(c.before_n, c.after_n)
        ).all()
    )


@dataclass
class PairAggregates:
    """Matched pairs of (before, later) responses: counts and sums only."""

    n_pairs: int
    #: ``{item_id: {later - before: number of pairs}}`` for scale items.
    differences: dict[int, dict[int, int]]
    #: (pairs with a score, sum of changes, sum of squared changes, mean before, mean later).
    composite: tuple


@dataclass
class Aggregates:
    """Everything the results are computed from, for one instrument under some filters."""

    invited: int
    #: Submitted responses per timepoint.
    per_wave: dict[str, int]
    #: ``{(timepoint, item_id): {value: count}}``.
    distribution: dict[tuple[str, int], dict[int, int]]
    #: ``{(timepoint, item_id): people who answered}``.
    respondents: dict[tuple[str, int], int]
    matched: PairAggregates
    follow_up: PairAggregates | None = None


def gather_raw(instrument: Instrument, filters: Filters) -> Aggregates:
    """The aggregates from the raw answers (GROUP BY over every response): the oracle :func:`gather` is tested against.

    The page reads the maintained aggregate tables instead (:func:`gather`), whose cost does
    not grow with the number of responses.
    """
    resp = aliased(Response)
    base = _conditions(resp, instrument.id, filters)
    per_wave = dict(db.session.execute(select(resp.timepoint, func.count()).where(*base).group_by(resp.timepoint)).all())
    pairs = _pairs(instrument.id, filters)
    pre, post, on, where = pairs
    matched = db.session.scalar(select(func.count()).select_from(pre).join(post, on).where(*where)) or 0

    # Distribution of answers per timepoint and item; respondents per timepoint and item.
    # Answers are read from the (item, value, response) index in its order, so the database
    # groups them as they come (no sort of every answer); a response's timepoint is a lookup
    # in the set of that timepoint's filtered responses (built once per timepoint).
    item_ids = [i.id for i in instrument.items] or [-1]
    tps = [tp for tp in TIMEPOINTS if per_wave.get(tp)] or [PRE]
    dist_rows = db.session.execute(
        select(
            Answer.item_id,
            Answer.value,
            *(func.count(case((Answer.response_id.in_(_response_ids(instrument.id, filters, tp)), 1))) for tp in tps),
        )
        .where(Answer.item_id.in_(item_ids), Answer.value.is_not(None))
        .group_by(Answer.item_id, Answer.value)
    ).all()
    # One answer row per person for the other kinds, so their n is the sum of the distribution;
    # only multiple choice (a row per option) and free text (no value) need counting apart.
    counted_apart = [i.id for i in instrument.items if i.kind in (MULTIPLE, FREE_TEXT)] or [-1]
    n_rows = db.session.execute(
        select(resp.timepoint, Answer.item_id, func.count(distinct(resp.id)))
        .join(Answer, Answer.response_id == resp.id)
        .where(*base, Answer.item_id.in_(counted_apart))
        .group_by(resp.timepoint, Answer.item_id)
    ).all()
    distribution: dict[tuple[str, int], dict[int, int]] = {}
    respondents: dict[tuple[str, int], int] = {}
    for item_id, value, *counts in dist_rows:
        for tp, count in zip(tps, counts, strict=True):
            if count:
                distribution.setdefault((tp, item_id), {})[value] = count
                respondents[(tp, item_id)] = respondents.get((tp, item_id), 0) + count
    respondents.update({(tp, item_id): n for tp, item_id, n in n_rows})

    out = Aggregates(
        invited=invited_count(instrument, filters, maintained=False),
        per_wave=per_wave,
        distribution=distribution,
        respondents=respondents,
        matched=PairAggregates(matched, _matched_differences(instrument, pairs), _composite_sums(instrument, filters, pairs)),
    )
    if per_wave.get(FOLLOW_UP):
        later = _pairs(instrument.id, filters, later=FOLLOW_UP)
        pre, fu, on, where = later
        n_pairs = db.session.scalar(select(func.count()).select_from(pre).join(fu, on).where(*where)) or 0
        out.follow_up = PairAggregates(
            n_pairs, _matched_differences(instrument, later), _composite_sums(instrument, filters, later, later=FOLLOW_UP)
        )
    return out


# --- the page's path: the maintained aggregate tables ------------------------------------------------


def _slice(instrument: Instrument, filters: Filters) -> tuple:
    """(attachment ids subquery, slice kind, slice key) of the aggregate rows for these filters."""
    kind, value = filters.view()
    attachments = _attachment_ids(instrument.id, filters)
    if (kind, value) == EVERYONE or kind == "attachment":
        return attachments, ALL_SLICE, ""
    return attachments, kind, str(value)


def _summed(model, instrument: Instrument, filters: Filters, *columns, where: tuple = ()) -> list:  # type: ignore[no-untyped-def]
    """``(*columns, n)`` summed over the instrument's attachments in the filters' slice (counts of 0 left out)."""
    attachments, kind, key = _slice(instrument, filters)
    rows = db.session.execute(
        select(*columns, func.sum(model.n))
        .where(model.attachment_id.in_(attachments), model.slice_kind == kind, model.slice_key == key, *where)
        .group_by(*columns)
    ).all()
    return [(*rest, int(n)) for *rest, n in rows if n]


def _pair_aggregates(instrument: Instrument, filters: Filters, later: str, n_pairs: int) -> PairAggregates:
    scale_ids = {i.id for i in instrument.items if i.kind in SCALE_KINDS}
    differences: dict[int, dict[int, int]] = {}
    differences_rows = _summed(
        DifferenceCount,
        instrument,
        filters,
        DifferenceCount.item_id,
        DifferenceCount.difference,
        where=(DifferenceCount.later == later,),
    )
    for item_id, d, n in differences_rows:
        if item_id in scale_ids:
            differences.setdefault(item_id, {})[d] = n
    if any(i.core and i.kind in SCALE_KINDS for i in instrument.items):
        attachments, kind, key = _slice(instrument, filters)
        sums = (
            ScoreCount.n,
            ScoreCount.before_sum,
            ScoreCount.later_sum,
            ScoreCount.before_squares,
            ScoreCount.later_squares,
            ScoreCount.products,
        )
        composite = composite_from_scores(
            db.session.execute(
                select(ScoreCount.before_n, ScoreCount.later_n, *(func.sum(c) for c in sums))
                .where(
                    ScoreCount.attachment_id.in_(attachments),
                    ScoreCount.slice_kind == kind,
                    ScoreCount.slice_key == key,
                    ScoreCount.later == later,
                )
                .group_by(ScoreCount.before_n, ScoreCount.later_n)
            ).all()
        )
    else:
        composite = (0, None, None, None, None)
    return PairAggregates(n_pairs, differences, composite)


def gather(instrument: Instrument, filters: Filters) -> Aggregates:
    """The aggregates behind the results page, read from the tables kept with every submission.

    A fixed number of queries, each reading rows per (attachment, item, value) or (attachment,
    item, difference) of one slice: the cost does not grow with the number of responses. Equal
    to :func:`gather_raw` (tested).
    """
    people = dict(_summed(PeopleCount, instrument, filters, PeopleCount.count))
    per_wave = {tp: people[tp] for tp in TIMEPOINTS if people.get(tp)}
    counted_apart = {i.id for i in instrument.items if i.kind in (MULTIPLE, FREE_TEXT)}
    item_ids = {i.id for i in instrument.items}
    distribution: dict[tuple[str, int], dict[int, int]] = {}
    respondents: dict[tuple[str, int], int] = {}
    answered: dict[tuple[str, int], int] = {}
    answer_rows = _summed(AnswerCount, instrument, filters, AnswerCount.timepoint, AnswerCount.item_id, AnswerCount.value)
    for tp, item_id, value, n in answer_rows:
        if item_id not in item_ids:
            continue
        if value == ANSWERED:
            answered[(tp, item_id)] = n
            continue
        distribution.setdefault((tp, item_id), {})[value] = n
        respondents[(tp, item_id)] = respondents.get((tp, item_id), 0) + n
    for key in [k for k in respondents if k[1] in counted_apart]:
        del respondents[key]
    respondents.update(answered)
    out = Aggregates(
        invited=invited_count(instrument, filters),
        per_wave=per_wave,
        distribution=distribution,
        respondents=respondents,
        matched=_pair_aggregates(instrument, filters, POST, people.get(MATCHED[POST], 0)),
    )
    if per_wave.get(FOLLOW_UP):
        out.follow_up = _pair_aggregates(instrument, filters, FOLLOW_UP, people.get(MATCHED[FOLLOW_UP], 0))
    return out


def free_text(
    instrument: Instrument, filters: Filters, threshold: int, item_id: int | None = None, limit: int = 500
) -> list[dict]:
    """Free-text answers by item, without names, sorted alphabetically (not by who or when).

    Answers to an item are withheld when fewer than ``threshold`` people gave one.
    """
    resp = aliased(Response)
    base = _conditions(resp, instrument.id, filters)
    items = [i for s in instrument.sections for i in s.items if i.kind == FREE_TEXT]
    if item_id:
        items = [i for i in items if i.id == item_id]
    ids = [i.id for i in items]
    if not ids:
        return []
    # People who answered each item, from the aggregates; the texts themselves are read from the
    # answers (at most ``limit`` of them).
    counts: dict[int, int] = {}
    for iid, n in _summed(
        AnswerCount, instrument, filters, AnswerCount.item_id, where=(AnswerCount.value == ANSWERED, AnswerCount.item_id.in_(ids))
    ):
        counts[iid] = n
    shown = [i for i in ids if counts.get(i, 0) >= threshold]
    texts: dict[int, list[tuple[str, str]]] = {}
    if shown:
        rows = db.session.execute(
            select(Answer.item_id, resp.timepoint, Answer.text)
            .join(resp, resp.id == Answer.response_id)
            .where(*base, Answer.item_id.in_(shown), Answer.text.is_not(None))
            .order_by(Answer.item_id, Answer.text)
            .limit(limit)
        ).all()
        for iid, tp, text in rows:
            texts.setdefault(iid, []).append((TIMEPOINTS.get(tp, tp), text))
    return [{"item": i, "count": mask_count(counts.get(i.id, 0), threshold), "texts": texts.get(i.id)} for i in items]


def _slice_keys(instrument: Instrument, kind: str) -> list[str]:
    """Keys of the slices of ``kind`` that have submitted responses (from the aggregates)."""
    attachments = _attachment_ids(instrument.id, Filters())
    keys = db.session.execute(
        select(PeopleCount.slice_key, func.sum(PeopleCount.n))
        .where(
            PeopleCount.attachment_id.in_(attachments),
            PeopleCount.count.in_(list(TIMEPOINTS)),
            PeopleCount.slice_kind == kind,
        )
        .group_by(PeopleCount.slice_key)
        .order_by(PeopleCount.slice_key)
    ).all()
    return [key for key, n in keys if n]


def submission_months(instrument: Instrument) -> list[str]:
    """Calendar months (UTC, ``YYYY-MM``) in which responses to the instrument were submitted (from the aggregates)."""
    return [m for m in _slice_keys(instrument, "period") if "Q" not in m]


def submission_subgroups(instrument: Instrument) -> list[str]:
    """Cohorts or groups of the instrument's submitted responses, sorted (from the aggregates)."""
    return _slice_keys(instrument, "subgroup")
