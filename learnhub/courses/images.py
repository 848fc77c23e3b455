"""Images uploaded for module content: decoded and re-encoded with Pillow, safe names. No Flask.

Images are stored through :mod:`learnhub.storage` (rows of ``course_image``, so every app
server sees them; never the web server's disk) under a random name ``<random>.<ext>`` and served
only to signed-in members of the course's hub. The file's declared name and content type are
ignored. Every upload is decoded with Pillow within size and pixel limits (a PNG that declares
100000×100000 pixels is refused before any pixel is decoded) and written out again from its
pixels alone, so EXIF (camera, GPS position), comments and anything hidden after the image data
are dropped; a photo's EXIF orientation is applied first so it still shows the right way up.
"""

import io
import secrets
import warnings
from typing import TYPE_CHECKING

from PIL import Image, ImageOps, UnidentifiedImageError

if TYPE_CHECKING:
    from learnhub.storage import ImageStore

#: Default upper limit for one uploaded file.
MAX_IMAGE_BYTES = 2 * 1024 * 1024
#: Largest width or height, and largest number of pixels, accepted.
MAX_SIDE = 8000
MAX_PIXELS = 24_000_000
#: Frames kept from an animated GIF or WebP.
MAX_FRAMES = 100

#: Extension → MIME type for the formats we accept.
MIME_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
#: Pillow format name → extension.
_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}

NOT_AN_IMAGE = "The selected file must be a PNG, JPEG, GIF or WebP image"


class ImageProblem(ValueError):
    """The upload cannot be stored; the message is shown on the form."""


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


def clean_image(data: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> tuple[bytes, str]:
    """The image re-encoded from its pixels only, and its extension; ImageProblem if it cannot be.

    :raises ImageProblem: empty, too large a file, too many pixels, not an image we accept, or
        an image Pillow cannot decode.
    """
    if not data:
        raise ImageProblem("The selected file is empty")
    if len(data) > max_bytes:
        raise ImageProblem(f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB")
    kind = detect_image_type(data)
    if kind is None:
        raise ImageProblem(NOT_AN_IMAGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as image:
                if _FORMATS.get(image.format or "") != kind:
                    raise ImageProblem(NOT_AN_IMAGE)
                width, height = image.size
                if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                    raise ImageProblem(
                        f"The image must be at most {MAX_SIDE} pixels wide and high "
                        f"(this one is {width} × {height}). Make it smaller and upload it again"
                    )
                return _reencode(image, kind), kind
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(f"The image must be at most {MAX_SIDE} pixels wide and high") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise ImageProblem("The selected file could not be read as an image. Save it again as PNG or JPEG") from None


def _reencode(image: Image.Image, kind: str) -> bytes:
    """Write the pixels out again in the same format, with no metadata."""
    out = io.BytesIO()
    frames = getattr(image, "n_frames", 1)
    if kind in ("gif", "webp") and frames > 1:
        if frames > MAX_FRAMES:
            raise ImageProblem(f"An animated image can have at most {MAX_FRAMES} frames")
        pictures = []
        durations = []
        for index in range(frames):
            image.seek(index)
            pictures.append(_pixels_only(image.convert("RGBA")))
            durations.append(image.info.get("duration", 100))
        first, rest = pictures[0], pictures[1:]
        first.save(out, format=image.format, save_all=True, append_images=rest, duration=durations, loop=0)
        return out.getvalue()
    image.load()
    upright = ImageOps.exif_transpose(image)
    if kind == "jpg":
        upright = upright.convert("RGB")
    elif upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        upright = upright.convert("RGBA")
    clean = _pixels_only(upright)
    if kind == "jpg":
        clean.save(out, format="JPEG", quality=90, optimize=True)
    elif kind == "png":
        clean.save(out, format="PNG", optimize=True)
    elif kind == "gif":
        clean.save(out, format="GIF")
    else:
        clean.save(out, format="WEBP", quality=90)
    return out.getvalue()


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image with the same pixels (and palette) and none of the source's metadata."""
    clean = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean.putpalette(image.getpalette() or [])
        if "transparency" in image.info and isinstance(image.info["transparency"], int):
            clean.info["transparency"] = image.info["transparency"]
    clean.paste(image)
    return clean


def image_problem(data: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> str | None:
    """What is wrong with an upload, in words for the form, or None if it can be stored."""
    try:
        clean_image(data, max_bytes)
    except ImageProblem as problem:
        return str(problem)
    return None


def store_image(store: "ImageStore", course_id: int, data: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> str:
    """Re-encode an upload and store it with a random name; returns the name.

    :raises ImageProblem: for an upload that is not an acceptable image.
    """
    clean, kind = clean_image(data, max_bytes)
    name = f"{secrets.token_urlsafe(12)}.{kind}"
    store.put(course_id, name, clean, MIME_TYPES[kind])
    return name


def safe_image_name(name: str) -> bool:
    """True for names ``store_image`` makes (no paths, a known extension)."""
    stem, dot, ext = name.rpartition(".")
    return bool(dot) and ext in MIME_TYPES and bool(stem) and all(c.isalnum() or c in "-_" for c in stem)
