"""Portable credentials: each hub's signing keys (Open Badges 3.0, vc+jwt).

credential_issuer_key holds a hub's Ed25519 keys: the public key as a JWK, the private key only
encrypted (PKCS #8 under a password derived from configuration). One active key per hub; retired
keys stay so that credentials they signed still verify.

Revision ID: 0016_badges_credentials
Revises: 0016_als_withdrawal_undo
Create Date: 2026-12-02 18:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0016_badges_credentials"
down_revision = "0016_als_withdrawal_undo"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "credential_issuer_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("private_pem", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["hub_id"], ["hub.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kid"),
    )
    op.create_index("ix_credential_issuer_key_hub_id", "credential_issuer_key", ["hub_id"])
    op.create_index(
        "uq_credential_issuer_key_active",
        "credential_issuer_key",
        ["hub_id"],
        unique=True,
        sqlite_where=sa.text("retired_at IS NULL"),
        postgresql_where=sa.text("retired_at IS NULL"),
    )


def downgrade():
    op.drop_index("uq_credential_issuer_key_active", table_name="credential_issuer_key")
    op.drop_index("ix_credential_issuer_key_hub_id", table_name="credential_issuer_key")
    op.drop_table("credential_issuer_key")
