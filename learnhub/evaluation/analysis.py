"""Results of an instrument: aggregates computed in SQL, statistics, then suppression.

Every figure is computed with GROUP BY queries; Python only sees one row per (timepoint, item,
value) or per (item, difference), so the number of queries and the work done in Python do not
grow with the number of responses. Suppression (``learnhub.suppression``) is applied here,
once, so pages, exports and the PDF all show the same protected figures.

Pairs and filters: a pair is a submitted "pre" and a submitted "post" response of the same
attachment with the same pseudonymous key. Filters (subject, subgroup, PCN, professional role,
submission dates) apply to every response counted, so a pair counts when both of its responses
pass them.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Float, and_, case, cast, distinct, func, select
from sqlalchemy.orm import aliased

from learnhub.accounts.models import User
from learnhub.evaluation import services, stats
from learnhub.evaluation.models import (
    AGREEMENT,
    FOLLOW_UP,
    FREE_TEXT,
    MULTIPLE,
    POST,
    PRE,
    RATING,
    SCALE_KINDS,
    SINGLE,
    TIMEPOINTS,
    Answer,
    Attachment,
    Instrument,
    Item,
    Response,
)
from learnhub.extensions import db
from learnhub.suppression import MASK, differencing_risk, enough_for_statistics, mask_count, percentage, suppress_row


@dataclass
class Filters:
    """What the results are narrowed to (all optional)."""

    attachment_id: int | None = None
    subgroup: str | None = None
    pcn_id: int | None = None
    professional_role: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self, labels: dict[str, str]) -> list[str]:
        """Readable list of the filters in use (labels map field names to chosen values' names)."""
        return [f"{name}: {value}" for name, value in labels.items() if value]


@dataclass
class ItemWave:
    """One item at one timepoint: n, distribution, median/mean (already suppressed)."""

    n: int | str
    counts: list[int | str]
    percentages: list[float | str]
    median: float | str | None = None
    mean: float | str | None = None
    agree_percent: float | str | None = None
    raw_counts: list[int] = field(default_factory=list)


@dataclass
class ItemResult:
    """Everything shown for one item."""

    item: Item
    choices: list[tuple[int, str]]
    waves: dict[str, ItemWave]
    change: stats.PairedChange | None = None
    #: None when the change may be shown; otherwise why not.
    change_withheld: str | None = None
    change_text: str = ""


@dataclass
class Results:
    """An instrument's results under some filters."""

    instrument: Instrument
    threshold: int
    rates: dict[str, int | str]
    rate_percent: dict[str, float | str]
    items: list[ItemResult]
    composite: stats.CompositeChange | None
    composite_withheld: str | None
    composite_text: str
    composite_means: dict[str, float | None]
    core_count: int
    free_text_counts: dict[int, int]
    #: Before vs follow-up, when follow-up responses exist (see ``follow_up_change``).
    follow_up: "FollowUpResults | None" = None
    #: Why filtered results are withheld (differencing), or None (see ``differencing_problem``).
    differencing_withheld: str | None = None


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
    if filters.date_from:
        conds.append(resp.submitted_at >= datetime.combine(filters.date_from, time.min, UTC))
    if filters.date_to:
        conds.append(resp.submitted_at < datetime.combine(filters.date_to + timedelta(days=1), time.min, UTC))
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


def invited_count(instrument: Instrument, filters: Filters) -> int:
    """People invited to the instrument's attachments (after subject, subgroup, PCN and role filters)."""
    people: set[int] = set()
    for attachment in instrument.attachments:
        if filters.attachment_id and attachment.id != filters.attachment_id:
            continue
        for user_id, subgroup in services.invited(attachment).items():
            if not filters.subgroup or subgroup == filters.subgroup:
                people.add(user_id)
    if not people or not (filters.pcn_id or filters.professional_role):
        return len(people)
    stmt = select(func.count()).select_from(User).where(User.id.in_(people))
    if filters.pcn_id:
        stmt = stmt.where(User.pcn_id == filters.pcn_id)
    if filters.professional_role:
        stmt = stmt.where(User.professional_role == filters.professional_role)
    return db.session.scalar(stmt) or 0


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


def _composite_sums(instrument: Instrument, filters: Filters, pairs: tuple, later: str = POST) -> tuple:
    """(pairs, sum of changes, sum of squared changes, mean before, mean later) of the composite score.

    A response's score is the mean of its core scale answers, reverse-scored items flipped; a
    pair counts when both of its responses passed the filters and have a score.
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
    scored = cast(case(*whens, else_=answer.value) if whens else answer.value, Float)
    is_core = answer.item_id.in_([i.id for i in core])
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite sorts to group, so read the pairs in the order of its (attachment, timepoint,
        # key) index and both responses' answers as two ranges of the (response, item, value)
        # index: each pair's group is finished as it is read, with no sort. The core-item test
        # is in the averages, not the join, so that the index is read as ranges.
        pre, post, on, where = pairs
        per_pair = (
            select(
                func.avg(case((and_(answer.response_id == pre.id, is_core), scored))).label("before"),
                func.avg(case((and_(answer.response_id == post.id, is_core), scored))).label("after"),
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
            select(resp.attachment_id, resp.respondent_key, resp.timepoint, func.avg(scored).label("score"))
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
                func.max(case((scores.c.timepoint == PRE, scores.c.score))).label("before"),
                func.max(case((scores.c.timepoint == later, scores.c.score))).label("after"),
            )
            .group_by(scores.c.attachment_id, scores.c.respondent_key)
            .subquery()
        )
    change = per_pair.c.after - per_pair.c.before
    return db.session.execute(
        select(
            func.count(), func.sum(change), func.sum(change * change), func.avg(per_pair.c.before), func.avg(per_pair.c.after)
        ).where(per_pair.c.before.is_not(None), per_pair.c.after.is_not(None))
    ).one()


def compute(instrument: Instrument, filters: Filters, threshold: int) -> Results:
    """All results for the dashboard, export and report, suppressed with the hub's threshold."""
    resp = aliased(Response)
    base = _conditions(resp, instrument.id, filters)

    # 1. Responses per timepoint.
    per_wave = dict(db.session.execute(select(resp.timepoint, func.count()).where(*base).group_by(resp.timepoint)).all())
    pre, post, on, where = _pairs(instrument.id, filters)
    matched = db.session.scalar(select(func.count()).select_from(pre).join(post, on).where(*where)) or 0
    invited = invited_count(instrument, filters)
    raw_rates = {"invited": invited, PRE: per_wave.get(PRE, 0), POST: per_wave.get(POST, 0), "matched": matched}
    if per_wave.get(FOLLOW_UP):
        raw_rates[FOLLOW_UP] = per_wave[FOLLOW_UP]
    rates = {k: mask_count(v, threshold) for k, v in raw_rates.items()}
    rate_percent = {k: percentage(rates[k], rates["invited"]) for k in rates if k != "invited"}

    # 2. Distribution of answers per timepoint and item; respondents per timepoint and item.
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

    # 3. Matched differences per scale item: {item: {post - pre: number of pairs}}.
    differences = _matched_differences(instrument, (pre, post, on, where))

    # 4. Composite: each response's score is the mean of its core answers (reverse-scored items
    # flipped); sums over matched pairs, in one pass over the answers.
    n_pairs, total, total_sq, pre_mean, post_mean = _composite_sums(instrument, filters, (pre, post, on, where))
    # 5. Free-text answer counts (the texts themselves are fetched by ``free_text``).
    free_counts: dict[int, int] = {}
    for (_tp, item_id), n in respondents.items():
        free_counts[item_id] = free_counts.get(item_id, 0) + n

    items = [i for s in instrument.sections for i in s.items]
    results = []
    for item in items:
        if item.kind == FREE_TEXT:
            continue
        choices = item.choices()
        waves = {}
        for tp in TIMEPOINTS:
            if not item.asked(tp) and (tp, item.id) not in respondents:
                continue
            counts_map = distribution.get((tp, item.id), {})
            n = respondents.get((tp, item.id), 0)
            if tp == FOLLOW_UP and not n:
                continue
            raw = [counts_map.get(v, 0) for v, _ in choices]
            masked = suppress_row(raw, threshold, total_shown=item.kind != MULTIPLE)
            n_shown = mask_count(n, threshold)
            wave = ItemWave(n=n_shown, counts=masked, percentages=[percentage(c, n_shown) for c in masked], raw_counts=raw)
            if item.kind in SCALE_KINDS or item.kind == SINGLE:
                ok = enough_for_statistics(n, threshold)
                if item.kind in SCALE_KINDS:
                    wave.median = stats.median_from_counts(counts_map) if ok else MASK
                if item.kind == RATING:
                    mean = stats.mean_from_counts(counts_map)
                    wave.mean = (round(mean, 1) if mean is not None else None) if ok else MASK
                if item.kind == AGREEMENT:
                    agree = counts_map.get(4, 0) + counts_map.get(5, 0)
                    # With only one of "agree"/"strongly agree" hidden, the share would reveal it.
                    one_hidden = (masked[3] == MASK) != (masked[4] == MASK)
                    wave.agree_percent = round(100 * agree / n) if ok and n and not one_hidden else MASK
            waves[tp] = wave
        result = ItemResult(item=item, choices=choices, waves=waves)
        if item.kind in SCALE_KINDS and item.asked(PRE) and item.asked(POST):
            counts = differences.get(item.id, {})
            pairs = sum(counts.values())
            if not enough_for_statistics(pairs, threshold):
                result.change_withheld = f"Fewer than {threshold} people answered this question both before and after."
            else:
                result.change = stats.paired_change_from_counts(counts)
                result.change_text = stats.describe_paired_change(result.change)
                if item.reverse_scored:
                    result.change_text += " This statement is negative, so a fall is an improvement."
        results.append(result)

    core_count = sum(1 for i in items if i.core and not i.retired)
    composite = None
    composite_withheld = None
    composite_text = ""
    means: dict[str, float | None] = {PRE: None, POST: None}
    if core_count == 0:
        composite_withheld = "This survey has no core questions, so there is no overall score."
    elif not enough_for_statistics(n_pairs, threshold):
        composite_withheld = f"Fewer than {threshold} people answered both before and after."
    else:
        composite = stats.composite_change_from_sums(int(n_pairs), float(total or 0), float(total_sq or 0))
        composite_text = stats.describe_composite(composite)
        means = {PRE: float(pre_mean), POST: float(post_mean)}
    out = Results(
        instrument=instrument,
        threshold=threshold,
        rates=rates,
        rate_percent=rate_percent,
        items=results,
        composite=composite,
        composite_withheld=composite_withheld,
        composite_text=composite_text,
        composite_means=means,
        core_count=core_count,
        free_text_counts=free_counts,
    )
    if raw_rates.get(FOLLOW_UP):
        out.follow_up = follow_up_change(instrument, filters, threshold)
    withhold_if_differencing(out, filters)
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
    counts = dict(
        db.session.execute(
            select(Answer.item_id, func.count())
            .join(resp, resp.id == Answer.response_id)
            .where(*base, Answer.item_id.in_(ids), Answer.text.is_not(None))
            .group_by(Answer.item_id)
        ).all()
    )
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


# --- before vs follow-up, and differencing between filtered and unfiltered views ----------------------
# Kept apart from ``compute``'s own queries: each runs only when it is needed (follow-up
# responses exist; a filter is applied) and adds a fixed number of GROUP BY queries.


@dataclass
class FollowUpItem:
    """Matched change on one item from before to follow-up (already suppressed)."""

    change: stats.PairedChange | None
    withheld: str | None
    text: str = ""


@dataclass
class FollowUpResults:
    """Before vs follow-up for people who answered both."""

    pairs: int | str
    items: dict[int, FollowUpItem]
    composite: stats.CompositeChange | None
    composite_withheld: str | None
    composite_text: str = ""


def follow_up_change(instrument: Instrument, filters: Filters, threshold: int) -> FollowUpResults:
    """Matched change from before to follow-up: items (Wilcoxon) and the overall score (paired t).

    The same rules as before vs after: pairs share attachment and pseudonymous key, both
    responses pass the filters, and nothing rests on fewer than ``threshold`` pairs.
    """
    pairs = _pairs(instrument.id, filters, later=FOLLOW_UP)
    pre, later, on, where = pairs
    n_pairs = db.session.scalar(select(func.count()).select_from(pre).join(later, on).where(*where)) or 0
    differences = _matched_differences(instrument, pairs)

    items: dict[int, FollowUpItem] = {}
    for item in instrument.items:
        if item.kind not in SCALE_KINDS or not (item.asked(PRE) or item.id in differences):
            continue
        if not (item.asked(FOLLOW_UP) or item.id in differences):
            continue
        counts = differences.get(item.id, {})
        if not enough_for_statistics(sum(counts.values()), threshold):
            items[item.id] = FollowUpItem(
                None, f"Fewer than {threshold} people answered this question both before and at follow-up."
            )
            continue
        change = stats.paired_change_from_counts(counts)
        text = stats.describe_paired_change(change, later="at follow-up")
        if item.reverse_scored:
            text += " This statement is negative, so a fall is an improvement."
        items[item.id] = FollowUpItem(change, None, text)

    scored_pairs, total, total_sq, _before, _later = _composite_sums(instrument, filters, pairs, later=FOLLOW_UP)
    composite, composite_withheld, composite_text = None, None, ""
    if not any(i.core and not i.retired for i in instrument.items):
        composite_withheld = "This survey has no core questions, so there is no overall score."
    elif not enough_for_statistics(scored_pairs, threshold):
        composite_withheld = f"Fewer than {threshold} people answered both before and at follow-up."
    else:
        composite = stats.composite_change_from_sums(int(scored_pairs), float(total or 0), float(total_sq or 0))
        composite_text = stats.describe_composite(composite, later="at follow-up")
    return FollowUpResults(
        pairs=mask_count(n_pairs, threshold),
        items=items,
        composite=composite,
        composite_withheld=composite_withheld,
        composite_text=composite_text,
    )


def filters_applied(filters: Filters) -> bool:
    """True when any filter narrows the results."""
    return any(
        (filters.attachment_id, filters.subgroup, filters.pcn_id, filters.professional_role, filters.date_from, filters.date_to)
    )


#: Names of the counts checked for differencing, as said to the administrator.
DIFFERENCING_LABELS = {
    PRE: "answered before",
    POST: "answered after",
    FOLLOW_UP: "answered at follow-up",
    "matched": "answered before and after",
    "matched_follow_up": "answered before and at follow-up",
}


def _filter_dimensions(filters: Filters) -> list[Filters]:
    """Each filter in use on its own (the two dates separately): the views an observer could combine."""
    dims = []
    for name in ("attachment_id", "subgroup", "pcn_id", "professional_role", "date_from", "date_to"):
        value = getattr(filters, name)
        if value:
            dims.append(Filters(**{name: value}))
    return dims


def differencing_cells(instrument: Instrument, filters: Filters) -> dict[str, dict[tuple[bool, ...], int]]:
    """People per published count, split by which of the filters in use they pass.

    ``{"pre": {(True, False): 12, ...}, "matched": {...}}``: the tuple has one flag per filter in
    use (``_filter_dimensions`` order). Any view with a subset of the filters is a sum of cells,
    so two GROUP BY queries serve every comparison.
    """
    dims = _filter_dimensions(filters)
    everything = Filters()
    resp = aliased(Response)
    flags = [case((and_(*_conditions(resp, instrument.id, d)), 1), else_=0) for d in dims]
    cells: dict[str, dict[tuple[bool, ...], int]] = {}
    for tp, *bits, n in db.session.execute(
        select(resp.timepoint, *flags, func.count())
        .where(*_conditions(resp, instrument.id, everything))
        .group_by(resp.timepoint, *flags)
    ).all():
        cells.setdefault(tp, {})[tuple(bool(b) for b in bits)] = int(n)
    pre, later = aliased(Response), aliased(Response)
    on = and_(
        later.attachment_id == pre.attachment_id,
        later.respondent_key == pre.respondent_key,
        pre.timepoint == PRE,
        later.timepoint.in_([POST, FOLLOW_UP]),
    )
    pair_flags = [
        case((and_(*_conditions(pre, instrument.id, d), *_conditions(later, instrument.id, d)), 1), else_=0) for d in dims
    ]
    for tp, *bits, n in db.session.execute(
        select(later.timepoint, *pair_flags, func.count())
        .select_from(pre)
        .join(later, on)
        .where(*_conditions(pre, instrument.id, everything), *_conditions(later, instrument.id, everything))
        .group_by(later.timepoint, *pair_flags)
    ).all():
        name = "matched" if tp == POST else "matched_follow_up"
        cells.setdefault(name, {})[tuple(bool(b) for b in bits)] = int(n)
    return cells


def _count(cells: dict[tuple[bool, ...], int], kept: tuple[int, ...]) -> int:
    """People passing the filters numbered in ``kept``."""
    return sum(n for bits, n in cells.items() if all(bits[k] for k in kept))


def differencing_comparisons(instrument: Instrument, filters: Filters) -> dict[tuple[str, tuple[int, ...]], tuple[int, int]]:
    """``{(count name, filters kept): (filtered, broader)}`` for every broader view.

    A broader view keeps some of the filters in use (none: the results for everyone). The
    filtered view subtracted from any of them gives the people the other filters leave out.
    """
    from itertools import combinations

    k = len(_filter_dimensions(filters))
    every = tuple(range(k))
    out = {}
    for name, cells in differencing_cells(instrument, filters).items():
        filtered = _count(cells, every)
        for size in range(k):
            for kept in combinations(every, size):
                out[(name, kept)] = (filtered, _count(cells, kept))
    return out


def differencing_counts(instrument: Instrument, filters: Filters) -> dict[str, tuple[int, int]]:
    """``(filtered, unfiltered)`` people per published count: each wave and each kind of matched pair."""
    return {name: pair for (name, kept), pair in differencing_comparisons(instrument, filters).items() if not kept}


def differencing_problem(instrument: Instrument, filters: Filters, threshold: int) -> str | None:
    """Why filtered results must not be shown, or None.

    Someone who sees the unfiltered results (or the results with fewer filters) and a filtered
    view can subtract one from the other. So when a filter is applied, every published count
    of people (each wave, each kind of matched pair) must, in the filtered view and in what the
    filters leave out compared with any broader view, be either zero or at least the threshold.
    """
    if not filters_applied(filters):
        return None
    comparisons = differencing_comparisons(instrument, filters)
    risky = differencing_risk({f"{name}|{kept}": pair for (name, kept), pair in comparisons.items()}, threshold)
    if not risky:
        return None
    risky_keys = [key for key in comparisons if f"{key[0]}|{key[1]}" in risky]
    order = list(DIFFERENCING_LABELS)
    names = sorted({name for name, _ in risky_keys}, key=lambda n: order.index(n) if n in order else len(order))
    which = "; ".join(DIFFERENCING_LABELS.get(name, name) for name in names)
    if any(0 < comparisons[key][0] < threshold for key in risky_keys):
        return (
            f"Results for these filters are not shown because fewer than {threshold} people match them "
            f"(counting people who {which}). Choose a broader filter, or clear the filters."
        )
    against = "the results for everyone" if any(not kept for _, kept in risky_keys) else "the results with fewer filters"
    return (
        f"Results for these filters are not shown because the filters leave out fewer than {threshold} people "
        f"(counting people who {which}). Comparing them with {against} would reveal those people's "
        "answers. Choose a different filter, or clear the filters."
    )


def withhold_if_differencing(results: Results, filters: Filters) -> None:
    """Blank filtered results that could be compared with the unfiltered ones to reveal a small group."""
    problem = differencing_problem(results.instrument, filters, results.threshold)
    if problem is None:
        return
    results.differencing_withheld = problem
    results.rates = {k: (v if k == "invited" else MASK) for k, v in results.rates.items()}
    results.rate_percent = {k: MASK for k in results.rate_percent}
    results.items = []
    results.composite = None
    results.composite_withheld = problem
    results.composite_text = ""
    results.composite_means = {PRE: None, POST: None}
    results.free_text_counts = {}
    results.follow_up = None
