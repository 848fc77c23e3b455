"""Images for module content: checked by magic bytes and size, served only to the hub."""

import io

import pytest

from learnhub.courses import images
from learnhub.roles import HubRole

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.mark.parametrize(
    ("data", "kind"), [(PNG, "png"), (JPEG, "jpg"), (GIF, "gif"), (WEBP, "webp"), (b"<svg/>", None), (b"", None)]
)
def test_detect_image_type(data, kind):
    assert images.detect_image_type(data) == kind


def test_image_problems():
    assert images.image_problem(b"") == "The selected file is empty"
    assert "smaller than 1 MB" in images.image_problem(PNG + b"\x00" * (1024 * 1024), 1024 * 1024)
    assert "PNG, JPEG, GIF or WebP" in images.image_problem(b"<html><script>")
    assert images.image_problem(PNG) is None


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
    response = client.post(url, data={"image": (io.BytesIO(PNG), "diagram.exe")})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    src = page.split("![Describe the image](", 1)[1].split(")", 1)[0]
    assert src.endswith(".png")

    auth.login_as(ids.learner)
    with client.get(src) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.data == PNG
    auth.login_as(make_user(hub_id=make_hub(), hub_role=HubRole.HUB_ADMIN.value))
    assert client.get(src).status_code == 404
    assert client.get(url).status_code == 404
