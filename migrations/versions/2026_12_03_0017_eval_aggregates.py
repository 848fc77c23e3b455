"""Evaluation results aggregates: counts kept with every submission, so the results page does not read every answer.

Revision ID: 0017_eval_aggregates
Revises: 0018_job_lock
Create Date: 2026-12-03 10:00:00

The upgrade fills the tables from the submitted answers already in the database (``_fill``), so
results are not empty after upgrading a live database; from then on every saved response
updates them. ``_fill`` is a frozen copy of ``learnhub.evaluation.services.aggregates`` as of
this revision (migrations do not import application code, which may change after them);
``tests/evaluation/test_aggregates_migration.py`` checks that it agrees with the application's rebuild.
"""

from collections import Counter
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0017_eval_aggregates"
down_revision = "0018_job_lock"
branch_labels = None
depends_on = None


def _attachment():
    return sa.Column(
        "attachment_id", sa.Integer(), sa.ForeignKey("evaluation_attachment.id", ondelete="CASCADE"), primary_key=True
    )


def _item():
    return sa.Column("item_id", sa.Integer(), sa.ForeignKey("evaluation_item.id", ondelete="CASCADE"), primary_key=True)


def _slice():
    return [
        sa.Column("slice_kind", sa.String(10), primary_key=True),
        sa.Column("slice_key", sa.String(60), primary_key=True),
    ]


def _int(name):
    return sa.Column(name, sa.Integer(), primary_key=True, autoincrement=False)


def _n():
    return sa.Column("n", sa.Integer(), nullable=False)


def upgrade():
    op.create_table(
        "evaluation_people_count", _attachment(), sa.Column("count", sa.String(20), primary_key=True), *_slice(), _n()
    )
    op.create_table(
        "evaluation_answer_count",
        _attachment(),
        sa.Column("timepoint", sa.String(20), primary_key=True),
        *_slice(),
        _item(),
        _int("value"),
        _n(),
    )
    op.create_table(
        "evaluation_difference_count",
        _attachment(),
        sa.Column("later", sa.String(20), primary_key=True),
        *_slice(),
        _item(),
        _int("difference"),
        _n(),
    )
    op.create_table(
        "evaluation_score_count",
        _attachment(),
        sa.Column("later", sa.String(20), primary_key=True),
        *_slice(),
        _int("before_n"),
        _int("later_n"),
        _n(),
        *(
            sa.Column(name, sa.BigInteger(), nullable=False)
            for name in ("before_sum", "later_sum", "before_squares", "later_squares", "products")
        ),
    )
    op.create_table(
        "evaluation_cell_count",
        _attachment(),
        sa.Column("count", sa.String(20), primary_key=True),
        sa.Column("subgroup", sa.String(60), primary_key=True),
        sa.Column("subgroup_later", sa.String(60), primary_key=True),
        sa.Column("pcn", sa.String(20), primary_key=True),
        sa.Column("pcn_later", sa.String(20), primary_key=True),
        sa.Column("role", sa.String(40), primary_key=True),
        sa.Column("role_later", sa.String(40), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("month_later", sa.String(7), primary_key=True),
        _n(),
    )
    _fill(op.get_bind())
    op.create_table(
        "evaluation_invited_count",
        sa.Column(
            "instrument_id",
            sa.Integer(),
            sa.ForeignKey("evaluation_instrument.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _int("attachment_id"),
        sa.Column("subgroup", sa.String(60), primary_key=True),
        _n(),
    )
    for statement in _INVITED_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.execute(_INVITED_FILL)


# --- people invited directly, counted by triggers on evaluation_invitee ------------------------------
#
# Per instrument: (attachment, "") and (attachment, subgroup) count the attachment's invitee rows
# (one per person, by its unique constraint); (0, "") and (0, subgroup) count distinct people over
# the instrument's hub attachments: a row adds (or removes) a person there only when no other
# invitee row of theirs in the instrument already counts them. Only "hub" attachments invite
# directly. An update counts as a removal and an addition.

_UPSERT = (
    "INSERT INTO evaluation_invited_count (instrument_id, attachment_id, subgroup, n) "
    "SELECT a.instrument_id, {attachment}, {subgroup}, {delta} FROM evaluation_attachment a "
    "WHERE a.id = {row}.attachment_id AND a.subject_type = 'hub' {extra} "
    "ON CONFLICT (instrument_id, attachment_id, subgroup) DO UPDATE SET n = evaluation_invited_count.n + {delta}"
)
_HAS_SUBGROUP = "AND {row}.subgroup IS NOT NULL AND {row}.subgroup <> ''"
_ALONE = (
    "AND NOT EXISTS (SELECT 1 FROM evaluation_invitee v JOIN evaluation_attachment b ON b.id = v.attachment_id "
    "WHERE v.user_id = {row}.user_id AND b.instrument_id = a.instrument_id AND b.subject_type = 'hub' "
    "AND v.id <> {row}.id {same})"
)


def _changes(row, delta):
    """The four upserts that add (delta 1) or remove (delta -1) the invitee row ``row`` (NEW or OLD)."""
    subgroup = _HAS_SUBGROUP.format(row=row)
    return [
        _UPSERT.format(attachment=f"{row}.attachment_id", subgroup="''", delta=delta, row=row, extra=""),
        _UPSERT.format(attachment=f"{row}.attachment_id", subgroup=f"{row}.subgroup", delta=delta, row=row, extra=subgroup),
        _UPSERT.format(attachment="0", subgroup="''", delta=delta, row=row, extra=_ALONE.format(row=row, same="")),
        _UPSERT.format(
            attachment="0",
            subgroup=f"{row}.subgroup",
            delta=delta,
            row=row,
            extra=subgroup + " " + _ALONE.format(row=row, same=f"AND v.subgroup = {row}.subgroup"),
        ),
    ]


def _sqlite_trigger(name, event, rows):
    body = "".join(f"{statement};\n" for row, delta in rows for statement in _changes(row, delta))
    return f"CREATE TRIGGER {name} AFTER {event} ON evaluation_invitee FOR EACH ROW BEGIN\n{body}END"


def _postgresql_function():
    # A person's invitations are counted one transaction at a time (two new invitations of one
    # person, to two attachments, must not both see the other missing).
    lock = "PERFORM pg_advisory_xact_lock(15, {row}.user_id);"
    remove = "\n".join(f"{s};" for s in _changes("OLD", -1))
    add = "\n".join(f"{s};" for s in _changes("NEW", 1))
    return f"""CREATE OR REPLACE FUNCTION evaluation_invited_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    {lock.format(row="OLD")}
    {remove}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {lock.format(row="NEW")}
    {add}
  END IF;
  RETURN NULL;
END
$$"""


_INVITED_TRIGGERS = {
    "sqlite": [
        _sqlite_trigger("evaluation_invitee_added", "INSERT", [("NEW", 1)]),
        _sqlite_trigger("evaluation_invitee_removed", "DELETE", [("OLD", -1)]),
        _sqlite_trigger("evaluation_invitee_changed", "UPDATE", [("OLD", -1), ("NEW", 1)]),
    ],
    "postgresql": [
        _postgresql_function(),
        "CREATE TRIGGER evaluation_invitee_counted AFTER INSERT OR UPDATE OR DELETE ON evaluation_invitee "
        "FOR EACH ROW EXECUTE FUNCTION evaluation_invited_count_change()",
    ],
}
_DROP_TRIGGERS = {
    "sqlite": [f"DROP TRIGGER IF EXISTS evaluation_invitee_{t}" for t in ("added", "removed", "changed")],
    "postgresql": [
        "DROP TRIGGER IF EXISTS evaluation_invitee_counted ON evaluation_invitee",
        "DROP FUNCTION IF EXISTS evaluation_invited_count_change()",
    ],
}

#: The counts of the invitations already made.
_INVITED_FILL = """
INSERT INTO evaluation_invited_count (instrument_id, attachment_id, subgroup, n)
SELECT instrument_id, attachment_id, subgroup, n FROM (
  SELECT a.instrument_id, v.attachment_id, '' AS subgroup, COUNT(*) AS n
  FROM evaluation_invitee v JOIN evaluation_attachment a ON a.id = v.attachment_id
  WHERE a.subject_type = 'hub' GROUP BY a.instrument_id, v.attachment_id
  UNION ALL
  SELECT a.instrument_id, v.attachment_id, v.subgroup, COUNT(*)
  FROM evaluation_invitee v JOIN evaluation_attachment a ON a.id = v.attachment_id
  WHERE a.subject_type = 'hub' AND v.subgroup IS NOT NULL AND v.subgroup <> ''
  GROUP BY a.instrument_id, v.attachment_id, v.subgroup
  UNION ALL
  SELECT a.instrument_id, 0, '', COUNT(DISTINCT v.user_id)
  FROM evaluation_invitee v JOIN evaluation_attachment a ON a.id = v.attachment_id
  WHERE a.subject_type = 'hub' GROUP BY a.instrument_id
  UNION ALL
  SELECT a.instrument_id, 0, v.subgroup, COUNT(DISTINCT v.user_id)
  FROM evaluation_invitee v JOIN evaluation_attachment a ON a.id = v.attachment_id
  WHERE a.subject_type = 'hub' AND v.subgroup IS NOT NULL AND v.subgroup <> ''
  GROUP BY a.instrument_id, v.subgroup
) AS counted
"""


# --- filling the tables from the answers already submitted (frozen at this revision) ----------------

_AGREEMENT, _RATING, _MULTIPLE, _FREE_TEXT = "agreement", "rating", "multiple", "text"
_SCALE = (_AGREEMENT, _RATING)
_PRE = "pre"
_MATCHED = {"post": "matched", "follow_up": "matched_follow_up"}
_ANSWERED = -1
_SUMS = ("n", "before_sum", "later_sum", "before_squares", "later_squares", "products")
_KEYS = {
    "evaluation_people_count": ("attachment_id", "count", "slice_kind", "slice_key"),
    "evaluation_answer_count": ("attachment_id", "timepoint", "slice_kind", "slice_key", "item_id", "value"),
    "evaluation_difference_count": ("attachment_id", "later", "slice_kind", "slice_key", "item_id", "difference"),
    "evaluation_score_count": ("attachment_id", "later", "slice_kind", "slice_key", "before_n", "later_n"),
    "evaluation_cell_count": (
        "attachment_id",
        "count",
        *("subgroup", "subgroup_later", "pcn", "pcn_later", "role", "role_later", "month", "month_later"),
    ),
}


def _month(when):
    if when is None:
        return None
    if isinstance(when, str):  # SQLite without a declared type
        return when[:7]
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m")


def _slices(sig):
    subgroup, pcn_id, role, month = sig
    out = [("all", "")]
    if subgroup:
        out.append(("subgroup", subgroup))
    if pcn_id:
        out.append(("pcn", str(pcn_id)))
    if role:
        out.append(("role", role))
    if month:
        year, m = month.split("-")
        out += [("period", month), ("period", f"{year}-Q{(int(m) - 1) // 3 + 1}")]
    return out


def _score(answers, items):
    total = count = 0
    for item_id, value in answers:
        item = items.get(item_id)
        if value is None or item is None or not item[1] or item[0] not in _SCALE:
            continue
        if item[2]:
            value = (6 if item[0] == _AGREEMENT else 10) - value
        total += value
        count += 1
    return total, count


def _text(value):
    return "" if value is None else str(value)


def _fill(bind):
    """Count every submitted response, and every pair of a person's responses, into the new tables."""
    items = {
        row.id: (row.kind, bool(row.core), bool(row.reverse_scored))
        for row in bind.execute(sa.text("SELECT id, kind, core, reverse_scored FROM evaluation_item"))
    }
    answers = {}
    for response_id, item_id, value in bind.execute(
        sa.text(
            "SELECT a.response_id, a.item_id, a.value FROM evaluation_answer a "
            "JOIN evaluation_response r ON r.id = a.response_id WHERE r.status = 'submitted'"
        )
    ):
        answers.setdefault(response_id, []).append((item_id, value))
    response = sa.table(
        "evaluation_response",
        *(sa.column(c) for c in ("id", "attachment_id", "respondent_key", "timepoint", "status", "subgroup")),
        *(sa.column(c) for c in ("pcn_id", "professional_role")),
        sa.column("submitted_at", sa.DateTime(timezone=True)),
    )
    c = response.c
    rows = bind.execute(
        sa.select(c.id, c.attachment_id, c.respondent_key, c.timepoint, c.subgroup, c.pcn_id, c.professional_role, c.submitted_at)
        .where(c.status == "submitted")
        .order_by(c.attachment_id, c.respondent_key, c.id)
    )
    out = {table: Counter() for table in _KEYS}
    group, current = [], None
    for rid, att, key, tp, subgroup, pcn_id, role, submitted_at in rows:
        if (att, key) != current:
            group, current = [], (att, key)
        sig = (subgroup, pcn_id, role, _month(submitted_at))
        mine = answers.get(rid, [])
        for s in _slices(sig):
            out["evaluation_people_count"][(att, tp, *s)] += 1
            answered = set()
            for item_id, value in mine:
                if value is not None:
                    out["evaluation_answer_count"][(att, tp, *s, item_id, value)] += 1
                if item_id in items and items[item_id][0] in (_MULTIPLE, _FREE_TEXT):
                    answered.add(item_id)
            for item_id in answered:
                out["evaluation_answer_count"][(att, tp, *s, item_id, _ANSWERED)] += 1
        out["evaluation_cell_count"][(att, tp, _text(subgroup), "", _text(pcn_id), "", _text(role), "", _text(sig[3]), "")] += 1
        for other in group:
            if tp == _PRE and other[0] in _MATCHED:
                _pair(out, att, (tp, sig, mine), other, items)
            elif other[0] == _PRE and tp in _MATCHED:
                _pair(out, att, other, (tp, sig, mine), items)
        group.append((tp, sig, mine))
    for table, counts in out.items():
        columns = _KEYS[table]
        values = []
        for key, n in counts.items():
            if table == "evaluation_score_count":
                values.append({**dict(zip(columns, key, strict=True)), **dict(zip(_SUMS, n, strict=True))})
            elif n:
                values.append({**dict(zip(columns, key, strict=True)), "n": n})
        if values:
            names = columns + (_SUMS if table == "evaluation_score_count" else ("n",))
            target = sa.table(table, *(sa.column(name) for name in names))
            for start in range(0, len(values), 500):
                bind.execute(target.insert(), values[start : start + 500])


def _pair(out, att, before, later, items):
    (_, before_sig, before_answers), (tp, later_sig, later_answers) = before, later
    theirs = set(_slices(later_sig))
    slices = [s for s in _slices(before_sig) if s in theirs]
    name = _MATCHED[tp]
    later_values = dict(later_answers)
    (b, bn), (a, an) = _score(before_answers, items), _score(later_answers, items)
    for s in slices:
        out["evaluation_people_count"][(att, name, *s)] += 1
        for item_id, value in before_answers:
            item = items.get(item_id)
            if value is None or item is None or item[0] not in _SCALE or later_values.get(item_id) is None:
                continue
            out["evaluation_difference_count"][(att, tp, *s, item_id, later_values[item_id] - value)] += 1
        if bn and an:
            key = (att, tp, *s, bn, an)
            old = out["evaluation_score_count"].get(key, (0,) * 6)
            add = (1, b, a, b * b, a * a, b * a)
            out["evaluation_score_count"][key] = tuple(x + y for x, y in zip(old, add, strict=True))
    cells = (v for both in zip(map(_text, before_sig), map(_text, later_sig), strict=True) for v in both)
    out["evaluation_cell_count"][(att, name, *cells)] += 1


def downgrade():
    for statement in _DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    for name in (
        "evaluation_invited_count",
        "evaluation_cell_count",
        "evaluation_score_count",
        "evaluation_difference_count",
        "evaluation_answer_count",
        "evaluation_people_count",
    ):
        op.drop_table(name)
