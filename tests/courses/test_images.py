"""Images for module content: decoded and re-encoded with Pillow, served only to the hub."""

import io
import struct
import zlib

import pytest
from PIL import Image

from learnhub.courses import images
from learnhub.roles import HubRole
from tests.helpers import assert_redirect


def _encoded(fmt: str, *, exif: bytes | None = None, size=(40, 30)) -> bytes:
    out = io.BytesIO()
    picture = Image.new("P" if fmt == "GIF" else "RGB", size, 1 if fmt == "GIF" else "red")
    picture.save(out, fmt, **({"exif": exif} if exif else {}))
    return out.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG file whose header claims the given size (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b"")


def _gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "Secret Camera"  # camera model
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS position
    return exif.tobytes()


PNG = _encoded("PNG")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PNG, "png"),
        (_encoded("JPEG"), "jpg"),
        (_encoded("GIF"), "gif"),
        (_encoded("WEBP"), "webp"),
        (b"<svg/>", None),
        (b"", None),
    ],
)
def test_detect_image_type(data, kind):
    assert images.detect_image_type(data) == kind


def test_image_problems():
    assert images.image_problem(b"") == "The selected file is empty"
    assert "smaller than 1 MB" in images.image_problem(PNG + b"\x00" * (1024 * 1024), 1024 * 1024)
    assert "PNG, JPEG, GIF or WebP" in images.image_problem(b"<html><script>")
    assert images.image_problem(PNG) is None
    # Magic bytes alone are not an image.
    assert "could not be read as an image" in images.image_problem(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)


def test_a_png_declaring_100000_by_100000_pixels_is_refused_without_decoding_it():
    bomb = _png_declaring(100_000, 100_000)
    assert len(bomb) < 200
    assert "at most 8000 pixels" in images.image_problem(bomb)
    assert "(this one is 9000 × 20)" in images.image_problem(_png_declaring(9000, 20))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_and_gps_are_stripped(fmt):
    original = _encoded(fmt, exif=_gps_exif())
    assert b"Secret Camera" in original
    clean, kind = images.clean_image(original)
    assert b"Secret Camera" not in clean
    reopened = Image.open(io.BytesIO(clean))
    assert dict(reopened.getexif()) == {}
    assert reopened.size == (40, 30)
    assert kind == images.detect_image_type(clean)


def test_safe_image_name():
    assert images.safe_image_name("abc_DEF-1.png")
    assert not images.safe_image_name("../x.png")
    assert not images.safe_image_name("x.svg")
    assert not images.safe_image_name(".png")


def test_upload_and_serve(client, auth, app, hub_setup, make_hub, make_user):
    ids = hub_setup
    auth.login_as(ids.admin)
    url = f"/hub/courses/{ids.course}/images"
    response = client.post(url, data={"image": (io.BytesIO(b"<script>alert(1)</script>"), "evil.png")})
    assert response.status_code == 400
    assert "must be a PNG, JPEG, GIF or WebP image" in response.get_data(as_text=True)
    response = client.post(url, data={"image": (io.BytesIO(_png_declaring(100_000, 100_000)), "huge.png")})
    assert response.status_code == 400
    assert "at most 8000 pixels" in response.get_data(as_text=True)
    photo = _encoded("JPEG", exif=_gps_exif())
    response = client.post(url, data={"image": (io.BytesIO(photo), "diagram.exe")})
    assert_redirect(response)
    page = client.get(url).get_data(as_text=True)
    src = page.split("![Describe the image](", 1)[1].split(")", 1)[0]
    assert src.endswith(".jpg")

    auth.login_as(ids.learner)
    with client.get(src) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        # The image's own policy, not overwritten by the site-wide one.
        assert response.headers["Content-Security-Policy"] == "default-src 'none'"
        assert b"Secret Camera" not in response.data
        assert Image.open(io.BytesIO(response.data)).size == (40, 30)
    auth.login_as(make_user(hub_id=make_hub(), hub_role=HubRole.HUB_ADMIN.value))
    assert client.get(src).status_code == 404
    assert client.get(url).status_code == 404


def test_images_are_kept_in_the_database_and_served_with_a_strong_etag(client, auth, app, hub_setup, tmp_path):
    """Any app server serves an image another stored (no web-server disk); browsers revalidate cheaply."""
    ids = hub_setup
    auth.login_as(ids.admin)
    response = client.post(f"/hub/courses/{ids.course}/images", data={"image": (io.BytesIO(PNG), "a.png")})
    assert_redirect(response)
    assert not (tmp_path / "instance" / "course-images").exists()
    page = client.get(f"/hub/courses/{ids.course}/images").get_data(as_text=True)
    src = page.split("![Describe the image](", 1)[1].split(")", 1)[0]

    auth.login_as(ids.learner)
    first = client.get(src)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "private, max-age=86400"
    again = client.get(src, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert client.get(src, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert client.get(src.rsplit("/", 1)[0] + "/missing.png").status_code == 404


def test_the_upgrade_copies_images_from_the_instance_folder(database_url, tmp_path):
    """Images uploaded before issue 21 (files under instance/course-images) are in the table after upgrade."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select

    from learnhub import create_app
    from learnhub.courses.models import Course, CourseImage
    from learnhub.extensions import db
    from learnhub.organisations.models import Hub
    from tests.conftest import drop_everything, make_test_config

    if not database_url.startswith("sqlite"):
        pytest.skip("runs the migrations on its own SQLite file; the suite's PostgreSQL database is shared")
    url = f"sqlite:///{tmp_path / 'upgrade.sqlite'}"
    drop_everything(url)
    instance = tmp_path / "instance"
    app = create_app(make_test_config(url), instance_path=str(instance))
    with app.app_context():
        upgrade(revision="0017_supervision_arrangements")
        hub = Hub(name="Hub")
        db.session.add(hub)
        db.session.flush()
        course = Course(hub_id=hub.id, title="Course")
        db.session.add(course)
        db.session.commit()
        course_id = course.id
        folder = instance / "course-images" / str(course_id)
        folder.mkdir(parents=True)
        (folder / "abc_DEF-1.png").write_bytes(PNG)
        (folder / "../evil.png").resolve().write_bytes(PNG)  # outside any course folder: ignored
        (folder / "notes.txt").write_text("not an image")
        (instance / "course-images" / "999").mkdir()
        (instance / "course-images" / "999" / "orphan.png").write_bytes(PNG)
        upgrade()
        rows = db.session.scalars(select(CourseImage)).all()
        assert [(r.course_id, r.name, r.content_type, r.data) for r in rows] == [(course_id, "abc_DEF-1.png", "image/png", PNG)]
        downgrade(revision="0017_supervision_arrangements")
        db.engine.dispose()
