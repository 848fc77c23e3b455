"""Evaluation results aggregates: counts kept with every submission, so the results page does not read every answer.

Revision ID: 0017_eval_aggregates
Revises: 0016_renew_completion_override
Create Date: 2026-12-03 10:00:00

The tables are filled by ``flask --app learnhub evaluation rebuild-aggregates`` (run it once
after upgrading a database that already has responses); from then on every saved response
updates them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_eval_aggregates"
down_revision = "0016_renew_completion_override"
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


def downgrade():
    for name in (
        "evaluation_cell_count",
        "evaluation_score_count",
        "evaluation_difference_count",
        "evaluation_answer_count",
        "evaluation_people_count",
    ):
        op.drop_table(name)
