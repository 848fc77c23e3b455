"""The results dashboard: SQL aggregates agree with the statistics, suppression, exports, access."""

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from learnhub.accounts.models import User
from learnhub.evaluation import analysis, services, stats
from learnhub.evaluation.models import POST, PRE, Attachment, Instrument
from learnhub.extensions import db
from learnhub.roles import HubRole

CONFIDENT = "I feel confident supervising."
ISOLATED = "I feel isolated at work."
SATISFIED = "How satisfied are you?"
COMMENTS = "Any comments?"

PRE_CONF = [2, 3, 3, 2, 4, 1, 3, 2, 3, 4]
POST_CONF = [3, 4, 3, 4, 4, 3, 4, 2, 2, 5]
PRE_ISO = [4, 4, 3, 5, 2, 4, 3, 4, 4, 3]
POST_ISO = [3, 2, 3, 4, 2, 2, 3, 3, 4, 2]


def _seed(app, make_user, hub, survey, roster, n=10, extra_pre_only=2, comment_count=9):
    """n people answer before and after (known values); a few answer only before."""
    items = survey["items"]
    ids = [
        make_user(hub_id=hub, name=f"Participant {i}", professional_role="gp" if i % 2 else "nurse")
        for i in range(n + extra_pre_only)
    ]
    roster[101] = [(uid, "cohort-A") for uid in ids] + [(make_user(hub_id=hub), "cohort-A")]
    with app.app_context():
        attachment = db.session.get(Attachment, survey["attachment_id"])
        for i, uid in enumerate(ids):
            user = db.session.get(User, uid)
            k = i % n
            pre = {items[CONFIDENT]: PRE_CONF[k], items[ISOLATED]: PRE_ISO[k], items[SATISFIED]: 5 + k % 3}
            services.save_response(user, attachment, PRE, pre, submit=True)
            db.session.commit()
            if i < n:
                post = {
                    items[CONFIDENT]: POST_CONF[k],
                    items[ISOLATED]: POST_ISO[k],
                    items[SATISFIED]: 7,
                    items["Will you supervise?"]: 1,
                }
                if i < comment_count:
                    post[items[COMMENTS]] = f"Comment number {i} from {user.name}"[:14]
                services.save_response(user, attachment, POST, post, submit=True)
                db.session.commit()
    return ids


@pytest.fixture
def admin_hub(make_hub, make_user):
    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    return hub, admin


def test_matched_item_change_matches_the_statistics_on_raw_pairs(app, make_user, make_survey, course_invitees, admin_hub):
    hub, _ = admin_hub
    survey = make_survey(hub)
    _seed(app, make_user, hub, survey, course_invitees)
    with app.app_context():
        instrument = db.session.get(Instrument, survey["instrument_id"])
        results = analysis.compute(instrument, analysis.Filters(), 8)
        assert results.rates == {"invited": 13, PRE: 12, POST: 10, "matched": 10}
        by_text = {r.item.text: r for r in results.items}
        # 10 pairs, threshold 8: some direction counts are hidden, so W, p, r and the method are
        # too (they would give the counts back) and the median change is the lower median.
        for text, before, after in ((CONFIDENT, PRE_CONF, POST_CONF), (ISOLATED, PRE_ISO, POST_ISO)):
            got, raw = by_text[text].change, stats.paired_change(before, after)
            assert (got.n_pairs, got.n_up, got.n_down) == (raw.n_pairs, raw.n_up, raw.n_down)
            assert got.w_statistic == got.p_value == got.rank_biserial == got.method == "*"
            differences = sorted(b - a for a, b in zip(before, after, strict=True))
            assert got.median_change == differences[(len(differences) - 1) // 2]
        assert "negative" in by_text[ISOLATED].change_text
        # Composite: mean of the confidence item and the flipped isolation item, per person.
        pre_scores = [(a + (6 - b)) / 2 for a, b in zip(PRE_CONF, PRE_ISO, strict=True)]
        post_scores = [(a + (6 - b)) / 2 for a, b in zip(POST_CONF, POST_ISO, strict=True)]
        expected = stats.composite_change(pre_scores, post_scores)
        assert results.composite.n_pairs == 10
        assert results.composite.mean_change == pytest.approx(expected.mean_change)
        assert results.composite.p_value == pytest.approx(expected.p_value)
        assert results.composite.cohens_dz == pytest.approx(expected.cohens_dz)
        # Distribution before for the confidence item (12 answers: the 10 plus two pre-only repeats).
        wave = by_text[CONFIDENT].waves[PRE]
        assert wave.n == 12
        assert wave.raw_counts == [1, 4, 5, 2, 0]
        assert all(c == "*" or c == 0 for c in wave.counts)  # every non-zero count is below 8
        assert wave.median == 3


def test_below_threshold_nothing_is_computed(app, make_user, make_survey, course_invitees, admin_hub):
    hub, _ = admin_hub
    survey = make_survey(hub)
    _seed(app, make_user, hub, survey, course_invitees, n=6, extra_pre_only=0)
    with app.app_context():
        instrument = db.session.get(Instrument, survey["instrument_id"])
        results = analysis.compute(instrument, analysis.Filters(), 8)
        assert results.rates == {"invited": "*", PRE: "*", POST: "*", "matched": "*"}
        assert results.rate_percent["matched"] == "*"
        assert results.composite is None
        assert "Fewer than 8" in results.composite_withheld
        item = next(r for r in results.items if r.item.text == CONFIDENT)
        assert item.change is None
        assert item.waves[PRE].median == "*"
        # With the minimum threshold of 5, six pairs are enough.
        results = analysis.compute(instrument, analysis.Filters(), 5)
        assert results.composite is not None


def test_filters_narrow_the_counts(app, make_user, make_survey, course_invitees, admin_hub):
    hub, _ = admin_hub
    survey = make_survey(hub)
    _seed(app, make_user, hub, survey, course_invitees, n=10, extra_pre_only=0)
    with app.app_context():
        instrument = db.session.get(Instrument, survey["instrument_id"])
        gps = analysis.compute(instrument, analysis.Filters(professional_role="gp"), 5)
        assert gps.rates[PRE] == 5
        assert analysis.compute(instrument, analysis.Filters(subgroup="cohort-B"), 5).rates[PRE] == 0


def test_dashboard_page_shows_matched_result_chart_and_caveat(
    client, auth, app, make_user, make_survey, course_invitees, admin_hub
):
    hub, admin = admin_hub
    survey = make_survey(hub)
    _seed(app, make_user, hub, survey, course_invitees)
    auth.login_as(admin)
    page = client.get(f"/evaluation/instruments/{survey['instrument_id']}/results").get_data(as_text=True)
    assert "Matched pairs" in page
    assert "Wilcoxon signed-rank test" in page
    assert "uncontrolled before-and-after" in page
    assert '<svg class="app-chart"' in page
    assert "table of the chart above" in page
    # No names anywhere on the results.
    assert "Participant 1" not in page


def test_dashboard_query_count_does_not_grow_with_responses(
    client, auth, app, make_user, make_survey, course_invitees, count_queries, admin_hub
):
    hub, admin = admin_hub
    small = make_survey(hub, course_id=101)
    _seed(app, make_user, hub, small, course_invitees, n=8, extra_pre_only=0)
    auth.login_as(admin)
    url = f"/evaluation/instruments/{small['instrument_id']}/results"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    _seed(app, make_user, hub, small, course_invitees, n=10, extra_pre_only=4)
    with count_queries() as many:
        client.get(url)
    assert few() == many()


def test_free_text_is_listed_without_names_and_withheld_when_few(
    client, auth, app, make_user, make_survey, course_invitees, admin_hub
):
    hub, admin = admin_hub
    survey = make_survey(hub)
    _seed(app, make_user, hub, survey, course_invitees, comment_count=9)
    auth.login_as(admin)
    page = client.get(f"/evaluation/instruments/{survey['instrument_id']}/free-text").get_data(as_text=True)
    assert "Comment number" in page
    assert "Participant" not in page
    services_threshold = 10
    with app.app_context():
        services.set_threshold(db.session.get(User, admin), hub, services_threshold)
        db.session.commit()
    page = client.get(f"/evaluation/instruments/{survey['instrument_id']}/free-text").get_data(as_text=True)
    assert "Comment number" not in page
    assert "fewer than 10 people wrote an answer" in page


def test_exports_are_suppressed_aggregates(client, auth, app, make_user, make_survey, course_invitees, admin_hub):
    hub, admin = admin_hub
    survey = make_survey(hub)
    _seed(app, make_user, hub, survey, course_invitees)
    auth.login_as(admin)
    base = f"/evaluation/instruments/{survey['instrument_id']}"
    response = client.get(base + "/results.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    flat = {(r[0], r[1], r[2], r[3]): r[4] for r in rows[1:] if len(r) == 5}
    assert flat[("Response rates", "", "Matched pairs", "Number")] == "10"
    assert flat[("Answers", CONFIDENT, "Before", "2 Disagree")] == "*"
    assert flat[("Matched change", CONFIDENT, "Pairs", "")] == "10"
    assert "Participant" not in response.get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get(base + "/results.xlsx").data))
    values = [row for row in book.active.iter_rows(values_only=True)]
    assert ("Response rates", None, "Matched pairs", "Number", 10) in values
    pdf = client.get(base + "/report.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Evaluation report" in text
    assert "Matched pairs" in text


def test_results_only_for_the_hubs_administrators(
    client, auth, app, make_hub, make_user, make_survey, course_invitees, admin_hub
):
    hub, _admin = admin_hub
    survey = make_survey(hub)
    other_admin = make_user(hub_id=make_hub(), hub_role=HubRole.HUB_ADMIN.value)
    learner = make_user(hub_id=hub)
    base = f"/evaluation/instruments/{survey['instrument_id']}"
    auth.login_as(other_admin)
    for path in ("/results", "/results.csv", "/report.pdf", "/free-text", ""):
        assert client.get(base + path).status_code == 404
    auth.login_as(learner)
    assert client.get(base + "/results").status_code == 403


def test_settings_refuse_a_threshold_below_five(client, auth, admin_hub):
    _hub, admin = admin_hub
    auth.login_as(admin)
    page = client.post("/evaluation/settings", data={"threshold": "4"}).get_data(as_text=True)
    assert "Enter a number from 5 to 50" in page
    response = client.post("/evaluation/settings", data={"threshold": "10"})
    assert response.headers["Location"].endswith("/evaluation/instruments")


def test_free_dates_and_unknown_filter_values_are_ignored(client, auth, make_survey, admin_hub):
    """Free date ranges are not offered (issue 12) and unknown values are ignored, never a 500."""
    hub, admin = admin_hub
    survey = make_survey(hub)
    auth.login_as(admin)
    url = f"/evaluation/instruments/{survey['instrument_id']}/results?date_from=2026-05-01&date_to=9999-12-31&pcn=abc"
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Showing:" not in page
    assert "There is a problem" not in page


def test_agree_share_is_hidden_when_it_would_reveal_a_hidden_count(app, make_user, make_survey, course_invitees, admin_hub):
    hub, _ = admin_hub
    survey = make_survey(hub)
    items = survey["items"]
    # 10 answer "Agree" (4), 3 "Strongly agree" (5): the 3 is hidden, and 4's 10 is shown.
    values = [4] * 10 + [5] * 3 + [3] * 9
    ids = [make_user(hub_id=hub) for _ in values]
    course_invitees[101] = [(uid, None) for uid in ids]
    with app.app_context():
        attachment = db.session.get(Attachment, survey["attachment_id"])
        for uid, value in zip(ids, values, strict=True):
            answers = {items[CONFIDENT]: value, items[ISOLATED]: 3, items[SATISFIED]: 5}
            services.save_response(db.session.get(User, uid), attachment, PRE, answers, submit=True)
            db.session.commit()
        results = analysis.compute(db.session.get(Instrument, survey["instrument_id"]), analysis.Filters(), 8)
        wave = next(r for r in results.items if r.item.text == CONFIDENT).waves[PRE]
        assert wave.counts[4] == "*"
        assert wave.agree_percent == "*"
        # Its percentage column is hidden with it.
        assert wave.percentages[4] == "*"


def _section_rows(page: str, heading: str) -> dict[str, str]:
    """``{row header: first cell}`` for the tables in the result section headed ``heading``."""
    import re

    start = page.index(f">{heading}</h3>")
    section = page[start : page.index("</section>", start)]
    return {
        re.sub(r"<[^>]+>", "", th).strip(): re.sub(r"<[^>]+>", "", td).strip()
        for th, td in re.findall(r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>', section, re.S)
    }


def test_matched_item_shows_pairs_and_directions_and_hides_the_test_with_them(
    client, auth, app, make_user, make_survey, course_invitees, admin_hub
):
    hub, admin = admin_hub
    survey = make_survey(hub)
    _seed(app, make_user, hub, survey, course_invitees)
    with app.app_context():
        services.set_threshold(db.session.get(User, admin), hub, 5)
        db.session.commit()  # services never commit: the request (here, the test) does
    auth.login_as(admin)
    page = client.get(f"/evaluation/instruments/{survey['instrument_id']}/results").get_data(as_text=True)
    rows = _section_rows(page, CONFIDENT)
    # Differences 1, 1, 0, 2, 0, 2, 1, 0, -1, 1: 6 up, 3 unchanged, 1 down (3 and 1 are below 5, so hidden).
    assert (rows["Matched pairs"], rows["Improved"], rows["Unchanged"], rows["Worsened"]) == ("10", "6", "*", "*")
    # |d| = 1 five times (mid-rank 3), 2 twice (6.5): W = W- = 3 would say exactly 1 went down
    # (3 / mid-rank 3), so W, the p-value, the method and r are hidden with the counts.
    assert rows["Wilcoxon signed-rank W"] == rows["p-value"] == rows["Method"] == "*"
    assert rows["Effect size (rank-biserial correlation r)"] == "*"
    assert "The test statistic, p-value and effect size are not shown" in page
    # A negative statement: answers that went down count as improvements.
    iso = _section_rows(page, ISOLATED)
    assert iso["Worsened"] == "0"
    assert iso["Improved"] == "*"
