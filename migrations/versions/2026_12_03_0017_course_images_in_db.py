"""Course images in the database (issue 21): table course_image; files under instance/course-images copied in.

Every app server of a deployment must see every image, so they leave the web server's disk.
On upgrade, each ``<instance>/course-images/<course id>/<name>`` whose course exists and whose
name is one LearnHub made is copied into the table (the files are left where they were; delete
the folder once the upgrade is done). On downgrade the table is dropped (images uploaded since
the upgrade are lost; restore from the database backup).

Revision ID: 0017_course_images_in_db
Revises: 0017_supervision_arrangements
Create Date: 2026-12-03 13:30:00

"""
import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017_course_images_in_db"
down_revision = "0017_supervision_arrangements"
branch_labels = None
depends_on = None

MIME_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def _instance_folder():
    try:
        from flask import current_app

        return Path(current_app.instance_path)
    except RuntimeError:  # no app context (plain alembic): nothing to copy
        return None


def _safe(name):
    stem, dot, ext = name.rpartition(".")
    return bool(dot) and ext in MIME_TYPES and bool(stem) and all(c.isalnum() or c in "-_" for c in stem) and len(name) <= 40


def upgrade():
    image = op.create_table(
        "course_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_course_image_course_id_course"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_image")),
        sa.UniqueConstraint("course_id", "name", name="uq_course_image_name"),
    )
    with op.batch_alter_table("course_image", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_image_course_id"), ["course_id"], unique=False)

    folder = _instance_folder()
    root = folder / "course-images" if folder else None
    if root is None or not root.is_dir():
        return
    bind = op.get_bind()
    courses = {row[0] for row in bind.execute(sa.text("SELECT id FROM course"))}
    rows = []
    for course_dir in sorted(root.iterdir()):
        if not course_dir.is_dir() or not course_dir.name.isdigit() or int(course_dir.name) not in courses:
            continue
        for path in sorted(course_dir.iterdir()):
            if not path.is_file() or not _safe(path.name):
                continue
            data = path.read_bytes()
            rows.append(
                {
                    "course_id": int(course_dir.name),
                    "name": path.name,
                    "content_type": MIME_TYPES[path.name.rsplit(".", 1)[1]],
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "created_at": datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc),
                    "data": data,
                }
            )
    if rows:
        op.bulk_insert(image, rows)


def downgrade():
    with op.batch_alter_table("course_image", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_image_course_id"))
    op.drop_table("course_image")
