"""Where uploaded files live: one small interface, kept in the database (no web-server disk).

Every app server of a deployment reads and writes the same PostgreSQL, so a file stored by one
is served by any other (issue 21). Today the only kind of file is a course image
(:class:`learnhub.courses.models.CourseImage`, at most 2 MB, like certificate PDFs). The
interface is deliberately small — ``put``, ``get``, ``names`` — so an object-storage
implementation (S3-compatible) can stand beside :class:`DatabaseImageStore` later; none is
built yet. Services only ``flush()``: the request commits.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from learnhub.extensions import db


@dataclass(frozen=True)
class StoredFile:
    """One stored file: its bytes and what is needed to serve them."""

    name: str
    content_type: str
    data: bytes
    etag: str
    created_at: datetime


class ImageStore(Protocol):
    """Course images: store, fetch by (course, name), list."""

    def put(self, course_id: int, name: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``name`` for the course (names are unique per course)."""

    def get(self, course_id: int, name: str) -> StoredFile | None:
        """The stored file, or None."""

    def names(self, course_id: int) -> list[str]:
        """Names of the course's images, newest first."""


def etag_for(data: bytes) -> str:
    """A strong entity tag for these bytes (their SHA-256)."""
    return hashlib.sha256(data).hexdigest()


class DatabaseImageStore:
    """Course images as rows of ``course_image``."""

    def put(self, course_id: int, name: str, data: bytes, content_type: str) -> None:
        """Add the row; flushed, not committed."""
        from learnhub.courses.models import CourseImage

        db.session.add(
            CourseImage(
                course_id=course_id, name=name, content_type=content_type, size=len(data), sha256=etag_for(data), data=data
            )
        )
        db.session.flush()

    def get(self, course_id: int, name: str) -> StoredFile | None:
        """The image, or None."""
        from learnhub.courses.models import CourseImage

        row = db.session.scalar(select(CourseImage).where(CourseImage.course_id == course_id, CourseImage.name == name))
        if row is None:
            return None
        return StoredFile(row.name, row.content_type, row.data, row.sha256, row.created_at)

    def etag(self, course_id: int, name: str) -> str | None:
        """The image's ETag without loading its bytes (for a conditional GET), or None."""
        from learnhub.courses.models import CourseImage

        return db.session.scalar(select(CourseImage.sha256).where(CourseImage.course_id == course_id, CourseImage.name == name))

    def names(self, course_id: int) -> list[str]:
        """Names, newest first."""
        from learnhub.courses.models import CourseImage

        return list(
            db.session.scalars(
                select(CourseImage.name)
                .where(CourseImage.course_id == course_id)
                .order_by(CourseImage.created_at.desc(), CourseImage.id.desc())
            )
        )


def image_store() -> DatabaseImageStore:
    """The configured store for course images (the database; the only implementation so far)."""
    return DatabaseImageStore()
