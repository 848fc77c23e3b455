"""Enrolling a cohort from a CSV accepts every file Excel writes and never answers 500 (issue 13).

The cohort import is one of the three CSV imports (with people and ALS members) that gave a
500 for a CR-only file ("CSV (Macintosh)") and for a field over csv's 128 kB limit.
"""

import io

import pytest
from sqlalchemy import func, select

from learnhub.courses.models import Enrolment
from learnhub.extensions import db
from tests.helpers import assert_redirect

ROWS = "email,name\nana@example.org,Ana Núñez\nbob@example.org,Bob Brown\n"


@pytest.fixture
def cohort(hub_setup, make_user, auth):  # type: ignore[no-untyped-def]
    make_user(email="ana@example.org", hub_id=hub_setup.hub)
    make_user(email="bob@example.org", hub_id=hub_setup.hub)
    auth.login_as(hub_setup.admin)
    return f"/hub/courses/{hub_setup.course}/cohorts/{hub_setup.cohort}"


def _upload(client, base: str, data: bytes, name: str = "people.csv"):  # type: ignore[no-untyped-def]
    return client.post(f"{base}/import", data={"csv_file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _enrolled(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Enrolment))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(ROWS.encode(), id="utf-8"),
        pytest.param(ROWS.encode("utf-8-sig"), id="utf-8 with BOM (Excel CSV UTF-8)"),
        pytest.param(ROWS.encode("cp1252"), id="Windows-1252 (Excel CSV on Windows)"),
        pytest.param(ROWS.replace("\n", "\r").encode("cp1252"), id="CR only (Excel CSV Macintosh)"),
        pytest.param(ROWS.replace("\n", "\r\n").encode(), id="CRLF"),
        pytest.param(ROWS.replace(",", "\t").replace("\n", "\r\n").encode("utf-16"), id="UTF-16 (Excel Unicode text)"),
    ],
)
def test_every_file_excel_writes_enrols_everyone(app, client, cohort, data):
    assert_redirect(_upload(client, cohort, data), cohort)
    assert _enrolled(app) == 2


def test_a_field_over_csvs_limit_is_a_clear_message_not_a_500(app, client, cohort):
    response = _upload(client, cohort, b"email,name\nana@example.org," + b"A" * 140_000 + b"\n")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Row 2" in page
    assert _enrolled(app) == 0


def test_a_file_that_is_not_text_is_a_clear_message(app, client, cohort):
    response = _upload(client, cohort, b"\x00\x01\x02PK\x03\x04" * 100)
    assert response.status_code == 400
    assert "The file must be a CSV" in response.get_data(as_text=True)
    assert _enrolled(app) == 0


def test_a_file_name_with_nul_is_read_or_refused_never_a_500(app, client, cohort):
    response = _upload(client, cohort, ROWS.encode(), name="peo\x00ple.csv")
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert _enrolled(app) == 2
    else:
        assert "There is a problem" in response.get_data(as_text=True)
