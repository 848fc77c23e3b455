"""Evaluation results at scale: answer indexes that carry the value (covering the aggregates).

(response_id, item_id) becomes (response_id, item_id, value) and (item_id) becomes
(item_id, value, response_id), so the dashboard's GROUP BY queries read only the indexes.

Revision ID: 0009_eval_perf
Revises: 0011_data_protection
Create Date: 2026-12-02 02:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_eval_perf"
down_revision = "0011_data_protection"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evaluation_answer", schema=None) as batch_op:
        batch_op.create_index("ix_evaluation_answer_response_item_value", ["response_id", "item_id", "value"], unique=False)
        batch_op.create_index("ix_evaluation_answer_item_value_response", ["item_id", "value", "response_id"], unique=False)
        batch_op.drop_index("ix_evaluation_answer_response_item")
        batch_op.drop_index(batch_op.f("ix_evaluation_answer_item_id"))


def downgrade():
    with op.batch_alter_table("evaluation_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_answer_item_id"), ["item_id"], unique=False)
        batch_op.create_index("ix_evaluation_answer_response_item", ["response_id", "item_id"], unique=False)
        batch_op.drop_index("ix_evaluation_answer_item_value_response")
        batch_op.drop_index("ix_evaluation_answer_response_item_value")
