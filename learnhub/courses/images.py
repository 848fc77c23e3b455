"""Images uploaded for module content: type by magic bytes, size limit, safe names. No Flask.

Images are stored under ``<instance>/course-images/<course id>/<random name>.<ext>`` and served
only to signed-in members of the course's hub. The file's declared name and content type are
ignored: only its first bytes decide what it is.
"""

import secrets
from pathlib import Path

#: Default upper limit for one image.
MAX_IMAGE_BYTES = 2 * 1024 * 1024

#: Extension → MIME type for the formats we accept.
MIME_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def detect_image_type(data: bytes) -> str | None:
    """The image format from its first bytes ("png", "jpg", "gif", "webp"), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def image_problem(data: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> str | None:
    """What is wrong with an upload, in words for the form, or None if it can be stored."""
    if not data:
        return "The selected file is empty"
    if len(data) > max_bytes:
        return f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB"
    if detect_image_type(data) is None:
        return "The selected file must be a PNG, JPEG, GIF or WebP image"
    return None


def store_image(folder: Path, data: bytes) -> str:
    """Write an already-checked image with a random name; returns the name."""
    kind = detect_image_type(data)
    if kind is None:
        raise ValueError("not an image")
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(12)}.{kind}"
    (folder / name).write_bytes(data)
    return name


def safe_image_name(name: str) -> bool:
    """True for names ``store_image`` makes (no paths, a known extension)."""
    stem, dot, ext = name.rpartition(".")
    return bool(dot) and ext in MIME_TYPES and bool(stem) and all(c.isalnum() or c in "-_" for c in stem)


def list_images(folder: Path) -> list[str]:
    """Names of a course's images, newest first."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and safe_image_name(p.name)]
    return [p.name for p in sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)]
