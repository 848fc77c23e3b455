"""The shared mechanisms every feature relies on: one transaction per request, side effects
after commit, safe query parameters, one CSV reader, safe exports and idempotent inserts."""

import csv
import io
import threading
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from learnhub.csvread import CsvProblem, read_table
from learnhub.exports import Sheet, csv_bytes, xlsx_bytes
from learnhub.extensions import db
from learnhub.organisations.models import Hub
from learnhub.params import parse_date, parse_int
from learnhub.transactions import after_commit, atomic


def _hub_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Hub))


# --- transactions -------------------------------------------------------------------------------


def test_after_commit_runs_once_after_commit_and_never_after_rollback(app_ctx):
    ran: list[str] = []
    db.session.add(Hub(name="Kept", signatory="Dr A"))
    after_commit(lambda: ran.append("kept"))
    assert ran == []
    db.session.commit()
    assert ran == ["kept"]
    db.session.add(Hub(name="Dropped", signatory="Dr B"))
    after_commit(lambda: ran.append("dropped"))
    db.session.rollback()
    db.session.commit()
    assert ran == ["kept"]
    assert _hub_count() == 1


def test_a_refused_savepoint_undoes_only_its_own_writes_and_keeps_earlier_side_effects(app_ctx):
    ran: list[str] = []
    db.session.add(Hub(name="Before", signatory="Dr A"))
    after_commit(lambda: ran.append("before"))

    def refuse_half_way() -> None:
        with atomic():
            db.session.add(Hub(name="Inside", signatory="Dr B"))
            db.session.flush()
            raise ValueError("refused half way")

    with pytest.raises(ValueError, match="half way"):
        refuse_half_way()
    db.session.commit()
    assert sorted(db.session.scalars(select(Hub.name))) == ["Before"]
    assert ran == ["before"]


def _routes(app: Flask) -> None:
    @app.post("/_probe/<int:status>")
    def probe(status: int):  # type: ignore[no-untyped-def]
        db.session.add(Hub(name=f"Probe {status}", signatory="Dr P"))
        after_commit(lambda: app.extensions.setdefault("probe_sent", []).append(status))
        return "", status


def test_a_request_commits_once_on_success_and_rolls_back_on_an_error_page(make_app):
    app = make_app()
    _routes(app)
    client = app.test_client()
    assert client.post("/_probe/302").status_code == 302  # a bare status: the probe sends no Location
    assert client.post("/_probe/400").status_code == 400
    assert client.post("/_probe/500").status_code == 500
    with app.app_context():
        assert list(db.session.scalars(select(Hub.name))) == ["Probe 302"]
    assert app.extensions["probe_sent"] == [302]


# --- query parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "99999999999999999999999", "-1", "0", "1e3", "\x00", "x" * 10_000, "１"])
def test_bad_whole_numbers_fall_back_to_the_default_with_a_message(raw):
    parsed = parse_int(raw, default=1, maximum=1000)
    assert parsed.value == 1
    assert parsed.error


@pytest.mark.parametrize("raw", ["9999-12-31", "0000-00-00", "22026-01-01", "2026-02-30", "\x00", "２０２６-01-01"])
def test_bad_dates_are_refused_and_the_latest_allowed_date_can_still_be_moved_on_a_day(raw):
    parsed = parse_date(raw)
    assert parsed.value is None
    assert parsed.error
    last = parse_date("2100-12-31").value
    assert last is not None
    assert last.toordinal() + 1 <= date.max.toordinal()


# --- CSV reading --------------------------------------------------------------------------------

ROWS = [["name", "email"], ["Siân Jones", "sian@example.org"], ["Zoë Ng", "zoe@example.org"]]


def _csv(newline: str) -> str:
    return newline.join(",".join(r) for r in ROWS) + newline


@pytest.mark.parametrize(
    "data",
    [
        _csv("\r\n").encode("utf-8"),
        _csv("\r\n").encode("utf-8-sig"),
        _csv("\r").encode("cp1252"),  # Excel for Mac "CSV (Macintosh)"
        _csv("\n").encode("utf-16"),
        _csv("\r\n").encode("cp1252"),
        "\t".join(ROWS[0]).encode("utf-16") + "\r\n".join(["", "\t".join(ROWS[1]), "\t".join(ROWS[2])]).encode("utf-16")[2:],
    ],
    ids=["utf8", "utf8-bom", "mac-cr-cp1252", "utf16", "cp1252", "utf16-tabs"],
)
def test_every_file_excel_writes_reads_the_same(data):
    table = read_table(data)
    assert table.columns == ["name", "email"]
    assert [row["name"] for _, row in table.rows] == ["Siân Jones", "Zoë Ng"]
    assert [line for line, _ in table.rows] == [2, 3]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"name,email\n" + b"x" * 200_000 + b",a@example.org\n", "longer than"),
        (bytes(range(256)) * 10, "CSV"),
    ],
)
def test_unreadable_files_get_a_clear_message(data, message):
    with pytest.raises(CsvProblem, match=message):
        read_table(data)


# --- exports ------------------------------------------------------------------------------------


def test_csv_export_neutralises_formulas_in_every_cell_and_keeps_accents_for_excel():
    body = csv_bytes(["=title", "count"], [['=HYPERLINK("x")', 3], ["Siân", -2]])
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["'=title", "count"], ['\'=HYPERLINK("x")', "3"], ["Siân", "-2"]]


def test_xlsx_export_keeps_full_precision_numbers_and_neutralises_text():
    from openpyxl import load_workbook

    body = xlsx_bytes([Sheet("Matched change", ["item", "p"], [["=cmd", 3.24e-06]], number_formats={1: "0.00E+00"})])
    sheet = load_workbook(io.BytesIO(body))["Matched change"]
    assert sheet["A2"].value == "'=cmd"
    assert sheet["B2"].value == pytest.approx(3.24e-06, rel=1e-12)
    assert sheet["B2"].number_format == "0.00E+00"
    assert sheet.freeze_panes == "A2"


# --- idempotent inserts -------------------------------------------------------------------------


def test_insert_or_get_under_racing_threads_makes_one_row_and_says_who_created_it(make_app):
    from learnhub.als.models import AlsCalendarFeed
    from learnhub.idempotent import insert_or_get

    app = make_app()
    with app.app_context():
        hub = Hub(name="H", signatory="Dr A")
        db.session.add(hub)
        db.session.flush()
        from learnhub.accounts.models import User

        user = User(email="feed@example.org", name="Feed", password_hash="x", professional_role="splw", hub_id=hub.id)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    created: list[bool] = []
    tokens: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def worker(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                row, made = insert_or_get(AlsCalendarFeed, {"user_id": user_id}, {"token": f"token-{n}"})
                db.session.commit()
                created.append(made)
                tokens.append(row.token)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert created.count(True) == 1
    assert len(set(tokens)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AlsCalendarFeed)) == 1


# --- the double-submit guard --------------------------------------------------------------------


def test_a_double_click_on_one_form_is_handled_once_and_both_get_the_same_page(make_app, make_hub, make_user):
    app = make_app(DOUBLE_SUBMIT_SECONDS=10)
    admin = make_user(hub_role="hub_admin", hub_id=make_hub())
    client = app.test_client()
    with app.app_context():
        from learnhub.accounts.models import User

        session_id = db.session.get(User, admin).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    form = {"title": "Supervising pharmacists", "summary": "Twice clicked", "cpd_hours": "3", "csrf_token": "rendered-once"}
    first = client.post("/hub/courses/new", data=form)
    second = client.post("/hub/courses/new", data=form)
    assert first.status_code in (302, 303)
    assert second.headers["Location"] == first.headers["Location"]
    from learnhub.courses.models import Course

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 1
    # The same form filled in again from a new rendering (a new CSRF token) is a new course.
    third = client.post("/hub/courses/new", data={**form, "csrf_token": "rendered-again"})
    assert third.status_code in (302, 303)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 2


def test_two_renderings_of_a_form_sent_within_a_second_are_two_submissions(make_app, make_hub, make_user):
    """With CSRF on, the token repeats for every rendering in the same second; a quick user (or
    two tabs opened together) filling the form twice must still get two courses, while a
    double click on either rendering still counts once."""
    from html.parser import HTMLParser

    app = make_app(DOUBLE_SUBMIT_SECONDS=10, WTF_CSRF_ENABLED=True)
    admin = make_user(hub_role="hub_admin", hub_id=make_hub())
    client = app.test_client()
    with app.app_context():
        from learnhub.accounts.models import User

        session_id = db.session.get(User, admin).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id

    def rendered() -> dict[str, str]:
        hidden: dict[str, str] = {}

        class Inputs(HTMLParser):
            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                a = dict(attrs)
                if tag == "input" and a.get("type") == "hidden":
                    hidden[a["name"] or ""] = a.get("value") or ""

        Inputs().feed(client.get("/hub/courses/new").get_data(as_text=True))
        return hidden

    first_tab, second_tab = rendered(), rendered()
    assert first_tab["csrf_token"]
    assert "form_rendering" in first_tab
    assert first_tab["form_rendering"] != second_tab["form_rendering"]
    fields = {"title": "Supervising pharmacists", "summary": "Filled twice", "cpd_hours": "3"}
    one = client.post("/hub/courses/new", data={**fields, **first_tab})
    again = client.post("/hub/courses/new", data={**fields, **first_tab})  # a double click
    two = client.post("/hub/courses/new", data={**fields, **second_tab})
    assert one.status_code == again.status_code == two.status_code == 302
    assert again.headers["Location"] == one.headers["Location"] != two.headers["Location"]
    from learnhub.courses.models import Course

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 2
