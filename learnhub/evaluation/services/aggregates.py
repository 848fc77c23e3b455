"""The results aggregates (``evaluation_*_count`` tables), kept in step with the answers.

Every change of a submitted response goes through :func:`changed`: the counts the response and
its pairs contributed before the change are subtracted and those they contribute after it are
added, in the transaction that saves the response, with one ``INSERT ... ON CONFLICT DO UPDATE
SET n = n + excluded.n`` per table (SQLite and PostgreSQL). :func:`rebuild` recomputes them
from the answers (after a bulk load, or to check them); both use :func:`contributions`, and a
test compares them with the GROUP BY queries on the raw answers (``analysis.queries.gather_raw``).

Erasure keeps the answers (``privacy.erasure`` deletes only who submitted), so it changes no
aggregate. Items whose scoring could change what a response contributes (kind, core,
reverse-scored) are fixed once answered (``services.authoring.update_item``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, distinct, func, literal, select, union_all
from sqlalchemy.dialects import postgresql, sqlite

from learnhub.evaluation.models import (
    AGGREGATE_MODELS,
    AGREEMENT,
    ALL_SLICE,
    ANSWERED,
    FREE_TEXT,
    MATCHED,
    MULTIPLE,
    PRE,
    SCALE_KINDS,
    SCORE_SUMS,
    Answer,
    AnswerCount,
    Attachment,
    CellCount,
    DifferenceCount,
    Instrument,
    InvitedCount,
    Invitee,
    Item,
    PeopleCount,
    Response,
    ScoreCount,
)
from learnhub.extensions import db

#: Rows per INSERT statement (SQLite allows 32,766 bound parameters; rows have up to 10 columns).
CHUNK = 500


#: A response's filter attributes: (cohort or group, PCN id, professional role, month ``YYYY-MM``).
Signature = tuple[str | None, int | None, str | None, str | None]


@dataclass(frozen=True)
class Snapshot:
    """What a submitted response contributes: its filter attributes and ``(item_id, value)`` answers."""

    attachment_id: int
    timepoint: str
    signature: Signature
    answers: tuple[tuple[int, int | None], ...]


def quarter_of(month: str) -> str:
    """``"2026-10"`` → ``"2026-Q4"`` (as ``analysis.slices.quarter_of``)."""
    year, m = month.split("-")
    return f"{year}-Q{(int(m) - 1) // 3 + 1}"


def month_of(when: datetime | None) -> str | None:
    """The calendar month (UTC) of a submission, as ``YYYY-MM`` (as ``analysis.differencing.month_of`` in SQL)."""
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m")


def _snapshot(
    attachment_id: int,
    timepoint: str,
    subgroup: str | None,
    pcn_id: int | None,
    role: str | None,
    submitted_at: datetime | None,
    answers: Iterable[tuple[int, int | None]],
) -> Snapshot:
    return Snapshot(attachment_id, timepoint, (subgroup, pcn_id, role, month_of(submitted_at)), tuple(answers))


def snapshot(response: Response) -> Snapshot | None:
    """The response as counted now, or None when it is not submitted (drafts count nowhere)."""
    if response.status != Response.SUBMITTED:
        return None
    return _snapshot(
        response.attachment_id,
        response.timepoint,
        response.subgroup,
        response.pcn_id,
        response.professional_role,
        response.submitted_at,
        [(a.item_id, a.value) for a in response.answers],
    )


def _slices(signature: Signature) -> list[tuple[str, str]]:
    """The slices a response with these attributes is in."""
    subgroup, pcn_id, role, month = signature
    out = [(ALL_SLICE, "")]
    if subgroup:
        out.append(("subgroup", subgroup))
    if pcn_id:
        out.append(("pcn", str(pcn_id)))
    if role:
        out.append(("role", role))
    if month:
        out += [("period", month), ("period", quarter_of(month))]
    return out


def _pair_slices(before: Signature, later: Signature) -> list[tuple[str, str]]:
    """The slices a pair is in: those both of its responses are in."""
    # A month and its quarter are slices of their own, so two months of one quarter share the quarter.
    mine = set(_slices(later))
    return [s for s in _slices(before) if s in mine]


def _score(snap: Snapshot, items: dict[int, Item]) -> tuple[int, int]:
    """(sum, number) of the response's core scale answers, reverse-scored items flipped."""
    total = count = 0
    for item_id, value in snap.answers:
        item = items.get(item_id)
        if value is None or item is None or not item.core or item.kind not in SCALE_KINDS:
            continue
        if item.reverse_scored:
            value = (6 if item.kind == AGREEMENT else 10) - value
        total += value
        count += 1
    return total, count


# What responses contribute is first counted per signature ("raw" keys below), then expanded to
# the tables' slices once (:func:`expand`): a response is counted once, not once per slice.


def contributions(response: Snapshot | None, partners: Iterable[Snapshot | None], items: dict[int, Item]) -> Counter:
    """The raw counts the response adds: as a response, and in its pairs with ``partners``.

    ``partners`` are the other submitted responses of the same person to the same attachment.
    Turn them into table rows with :func:`expand`.
    """
    out: Counter = Counter()
    if response is None:
        return out
    att, tp, sig = response.attachment_id, response.timepoint, response.signature
    out[("people", att, tp, sig)] += 1
    answered = set()
    for item_id, value in response.answers:
        if value is not None:
            out[("answer", att, tp, sig, item_id, value)] += 1
        item = items.get(item_id)
        if item is not None and item.kind in (MULTIPLE, FREE_TEXT):
            answered.add(item_id)
    for item_id in answered:
        out[("answer", att, tp, sig, item_id, ANSWERED)] += 1
    for partner in partners:
        if partner is None:
            continue
        if tp == PRE and partner.timepoint in MATCHED:
            _pair(out, response, partner, items)
        elif partner.timepoint == PRE and tp in MATCHED:
            _pair(out, partner, response, items)
    return out


def _pair(out: Counter, before: Snapshot, later: Snapshot, items: dict[int, Item]) -> None:
    att, tp, sigs = before.attachment_id, later.timepoint, (before.signature, later.signature)
    out[("pair", att, tp, sigs)] += 1
    later_values = dict(later.answers)
    for item_id, value in before.answers:
        item = items.get(item_id)
        if value is None or item is None or item.kind not in SCALE_KINDS or later_values.get(item_id) is None:
            continue
        out[("difference", att, tp, sigs, item_id, later_values[item_id] - value)] += 1  # type: ignore[operator]
    (b, before_n), (a, later_n) = _score(before, items), _score(later, items)
    if before_n and later_n:
        for name, value in zip(SCORE_SUMS, (1, b, a, b * b, a * a, b * a), strict=True):
            if value:
                out[("score", att, tp, sigs, before_n, later_n, name)] += value


def _text(value: object) -> str:
    return "" if value is None else str(value)


def expand(raw: Counter) -> Counter:
    """Table rows ``(model, primary key values...)`` and their counts, from :func:`contributions`' raw counts."""
    out: Counter = Counter()
    slices: dict = {}
    for key, n in raw.items():
        if not n:
            continue
        kind, att, tp, sig, *rest = key
        if kind in ("people", "answer"):
            if sig not in slices:
                slices[sig] = _slices(sig)
            if kind == "people":
                for s in slices[sig]:
                    out[(PeopleCount, att, tp, *s)] += n
                subgroup, pcn_id, role, month = map(_text, sig)
                out[(CellCount, att, tp, subgroup, "", pcn_id, "", role, "", month, "")] += n
            else:
                for s in slices[sig]:
                    out[(AnswerCount, att, tp, *s, *rest)] += n
            continue
        if sig not in slices:
            slices[sig] = _pair_slices(*sig)
        if kind == "pair":
            name = MATCHED[tp]
            for s in slices[sig]:
                out[(PeopleCount, att, name, *s)] += n
            before, later = (tuple(map(_text, one)) for one in sig)
            out[(CellCount, att, name, *(v for both in zip(before, later, strict=True) for v in both))] += n
        else:
            model = DifferenceCount if kind == "difference" else ScoreCount
            for s in slices[sig]:
                out[(model, att, tp, *s, *rest)] += n
    return out


def _columns(model: type) -> list[str]:
    return [c.name for c in model.__table__.primary_key.columns]  # type: ignore[attr-defined]


def _sums(model: type) -> tuple[str, ...]:
    return SCORE_SUMS if model is ScoreCount else ("n",)


def apply(delta: Counter) -> None:
    """Add ``delta`` (table rows, see :func:`expand`) to the tables: one upsert per table (``n = n + excluded.n``).

    A :class:`ScoreCount` key ends with the name of the summed column it adds to.
    """
    rows: dict[type, dict[tuple, dict]] = {}
    for (model, *key), n in delta.items():
        if not n:
            continue
        if model is ScoreCount:
            *key, name = key
        else:
            name = "n"
        row = rows.setdefault(model, {}).setdefault(tuple(key), {**dict(zip(_columns(model), key, strict=True))})
        row.update({s: row.get(s, 0) for s in _sums(model)})
        row[name] += n
    if not rows:
        return
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for model, by_key in rows.items():
        values = list(by_key.values())
        table = model.__table__  # type: ignore[attr-defined]
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=_columns(model), set_={s: table.c[s] + stmt.excluded[s] for s in _sums(model)}
        )
        for start in range(0, len(values), CHUNK):
            # executemany: the statement is compiled once (a multi-row VALUES is compiled per row).
            db.session.execute(stmt, values[start : start + CHUNK])


def items_of(instrument: Instrument) -> dict[int, Item]:
    return {item.id: item for item in instrument.items}


def lock_person(attachment_id: int, respondent_key: str) -> None:
    """Lock the person's responses to the attachment (all waves, in id order) until the transaction ends.

    A response's pairs count both responses, so saving one wave must not interleave with saving
    another wave of the same person; taking the rows in one order cannot deadlock. PostgreSQL
    only: SQLite runs one writing transaction at a time.
    """
    db.session.execute(
        select(Response.id)
        .where(Response.attachment_id == attachment_id, Response.respondent_key == respondent_key)
        .order_by(Response.id)
        .with_for_update()
    ).all()


def partners_of(response: Response) -> list[Response]:
    """The person's other responses to the attachment, as committed now (lock them first: :func:`lock_person`)."""
    return list(
        db.session.scalars(
            select(Response)
            .where(
                Response.attachment_id == response.attachment_id,
                Response.respondent_key == response.respondent_key,
                Response.id != response.id,
            )
            .order_by(Response.id)
            .execution_options(populate_existing=True)
        )
    )


def before_change(attachment: Attachment, response: Response) -> tuple[Counter, list[Snapshot | None]]:
    """What the response and its pairs contribute now, before it changes (call with the rows locked: :func:`lock_person`)."""
    items = items_of(attachment.instrument)
    partners = [snapshot(p) for p in partners_of(response)]
    return contributions(snapshot(response), partners, items), partners


def after_change(attachment: Attachment, response: Response, before: tuple[Counter, list[Snapshot | None]]) -> None:
    """Apply the difference between what the response contributes now and ``before`` (flushed)."""
    db.session.flush()
    old, partners = before
    items = items_of(attachment.instrument)
    delta = contributions(snapshot(response), partners, items)
    delta.subtract(old)
    apply(expand(delta))


# --- rebuild ----------------------------------------------------------------------------------------


def _responses(attachment: Attachment) -> Iterator[tuple[str, Snapshot]]:
    """(respondent key, snapshot) of every submitted response of the attachment, grouped by key."""
    submitted = (Response.attachment_id == attachment.id, Response.status == Response.SUBMITTED)
    by_response: dict[int, list[tuple[int, int | None]]] = {}
    rows = db.session.execute(select(Answer.response_id, Answer.item_id, Answer.value).join(Response).where(*submitted))
    for response_id, item_id, value in rows:
        by_response.setdefault(response_id, []).append((item_id, value))
    responses = db.session.execute(
        select(
            Response.id,
            Response.respondent_key,
            Response.timepoint,
            Response.subgroup,
            Response.pcn_id,
            Response.professional_role,
            Response.submitted_at,
        )
        .where(*submitted)
        .order_by(Response.respondent_key, Response.id)
    )
    for response_id, key, timepoint, subgroup, pcn_id, role, submitted_at in responses:
        answers = by_response.pop(response_id, [])
        yield key, _snapshot(attachment.id, timepoint, subgroup, pcn_id, role, submitted_at, answers)


def recompute(instrument: Instrument) -> Counter:
    """Every aggregate row of the instrument (see :func:`expand`), from its submitted responses and their answers."""
    items = items_of(instrument)
    raw: Counter = Counter()
    for attachment in instrument.attachments:
        group: list[Snapshot] = []
        current = None
        for key, snap in _responses(attachment):
            if key != current:
                group, current = [], key
            # Each response, and each of its pairs with the person's earlier responses (each pair once).
            raw.update(contributions(snap, group, items))
            group.append(snap)
    return expand(raw)


def stored(instrument: Instrument) -> Counter:
    """The aggregate counts in the tables for the instrument (zero rows left out), in the keys of :func:`expand`."""
    out: Counter = Counter()
    attachments = select(Attachment.id).where(Attachment.instrument_id == instrument.id)
    for model in AGGREGATE_MODELS:
        table = model.__table__
        columns = [table.c[name] for name in _columns(model)]
        sums = _sums(model)
        rows = db.session.execute(
            select(*columns, *(table.c[s] for s in sums)).where(table.c.attachment_id.in_(attachments), table.c.n != 0)
        )
        for row in rows:
            key, values = tuple(row[: len(columns)]), row[len(columns) :]
            for name, value in zip(sums, values, strict=True):
                if value:
                    out[(model, *key, name) if model is ScoreCount else (model, *key)] = value
    return out


def invited(instrument: Instrument) -> dict[tuple[int, str], int]:
    """People invited directly, from the invitations: ``{(attachment id or 0, subgroup or ""): n}`` (see ``InvitedCount``)."""
    direct = (Attachment.instrument_id == instrument.id, Attachment.subject_type == "hub")
    named = (Invitee.subgroup.is_not(None), Invitee.subgroup != "")
    joined = select().select_from(Invitee).join(Attachment, Attachment.id == Invitee.attachment_id).where(*direct)
    parts = [
        joined.add_columns(Invitee.attachment_id, literal(""), func.count()).group_by(Invitee.attachment_id),
        joined.add_columns(Invitee.attachment_id, Invitee.subgroup, func.count())
        .where(*named)
        .group_by(Invitee.attachment_id, Invitee.subgroup),
        joined.add_columns(literal(0), literal(""), func.count(distinct(Invitee.user_id))),
        joined.add_columns(literal(0), Invitee.subgroup, func.count(distinct(Invitee.user_id)))
        .where(*named)
        .group_by(Invitee.subgroup),
    ]
    return {(a, s): int(n) for a, s, n in db.session.execute(union_all(*parts)) if n}


def stored_invited(instrument: Instrument) -> dict[tuple[int, str], int]:
    """The invited counts the database keeps for the instrument (zero rows left out)."""
    rows = db.session.execute(
        select(InvitedCount.attachment_id, InvitedCount.subgroup, InvitedCount.n).where(
            InvitedCount.instrument_id == instrument.id, InvitedCount.n != 0
        )
    )
    return {(a, s): n for a, s, n in rows}


def rebuild(instrument: Instrument) -> int:
    """Replace the instrument's aggregates by counts recomputed from the answers (and invitations); returns the rows written."""
    attachments = select(Attachment.id).where(Attachment.instrument_id == instrument.id)
    for model in AGGREGATE_MODELS:
        db.session.execute(delete(model).where(model.attachment_id.in_(attachments)))
    counts = recompute(instrument)
    apply(counts)
    db.session.execute(delete(InvitedCount).where(InvitedCount.instrument_id == instrument.id))
    db.session.add_all(
        InvitedCount(instrument_id=instrument.id, attachment_id=a, subgroup=s, n=n) for (a, s), n in invited(instrument).items()
    )
    db.session.flush()
    return sum(1 for key, n in counts.items() if n and (key[0] is not ScoreCount or key[-1] == "n"))
