"""Insert a row guarded by a unique constraint exactly once, however many requests race.

A double click, two tabs or ten impatient clicks send the same POST several times at once.
:func:`insert_or_get` inserts with ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL dialect
inserts) and then selects the row by its unique key, so every caller gets the same row back
and none gets an ``IntegrityError``. Whether *this* call created it is returned too, so the
service audits (and sends mail) only once.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from learnhub.extensions import db

M = TypeVar("M")


def insert_or_get(
    model: type[M], key: dict[str, Any], values: dict[str, Any] | None = None, where: tuple[Any, ...] = ()
) -> tuple[M, bool]:
    """The row of ``model`` with unique ``key``, inserting it with ``values`` if missing.

    ``key`` must be the columns of a unique constraint (or primary key); for a partial unique
    index, ``where`` gives its condition (e.g. ``(Key.retired_at.is_(None),)``), so the row found
    is the one the index keeps unique. Returns
    ``(row, created)``. Pending changes are flushed first so the insert sees them.
    """
    db.session.flush()
    table = model.__table__  # type: ignore[attr-defined]
    row = {**key, **(values or {})}
    # Column defaults that are Python callables (utcnow, token generators) are applied by the
    # dialect insert just as by the ORM.
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    primary = list(table.primary_key.columns)
    stmt = insert(table).values(**row).on_conflict_do_nothing().returning(*primary)
    # RETURNING gives a row only when this statement inserted one (rowcount is unreliable here).
    created = db.session.execute(stmt).first() is not None
    query = select(model).filter_by(**key).where(*where)
    existing = db.session.scalars(query.execution_options(populate_existing=True)).one()
    return existing, created
