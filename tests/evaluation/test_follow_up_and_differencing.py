"""Before vs follow-up matched change, and the differencing rule for filtered results."""

import csv
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from learnhub.accounts.models import User
from learnhub.evaluation import analysis, services, stats
from learnhub.evaluation.models import FOLLOW_UP, POST, PRE, Attachment, AttachmentTimepoint, Instrument, Item
from learnhub.extensions import db
from learnhub.roles import HubRole
from learnhub.suppression import MASK, differencing_risk
from learnhub.timeutil import utcnow

CONFIDENT = "I feel confident supervising."
ISOLATED = "I feel isolated at work."
SATISFIED = "How satisfied are you?"

PRE_CONF = [2, 3, 3, 2, 4, 1, 3, 2, 3, 4]
FU_CONF = [4, 4, 4, 3, 5, 3, 4, 3, 4, 5]  # everyone improved: no hidden direction count
PRE_ISO = [4, 4, 3, 5, 2, 4, 3, 4, 4, 3]
FU_ISO = [3, 3, 3, 4, 1, 2, 3, 3, 2, 2]


@pytest.fixture
def admin_hub(make_hub, make_user):
    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    return hub, admin


def _with_follow_up(app, survey) -> None:
    """Open a follow-up wave on the survey's attachment and ask the scale questions at it."""
    with app.app_context():
        now = utcnow()
        db.session.add(
            AttachmentTimepoint(
                attachment_id=survey["attachment_id"],
                timepoint=FOLLOW_UP,
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=5),
            )
        )
        for text in (CONFIDENT, ISOLATED, SATISFIED):
            db.session.get(Item, survey["items"][text]).asked_at = "pre,post,follow_up"
        db.session.commit()


def _answer(app, survey, uid: int, timepoint: str, conf: int, iso: int = 3, sat: int = 6) -> None:
    items = survey["items"]
    with app.app_context():
        attachment = db.session.get(Attachment, survey["attachment_id"])
        answers = {items[CONFIDENT]: conf, items[ISOLATED]: iso, items[SATISFIED]: sat}
        if timepoint == POST:
            answers[items["Will you supervise?"]] = 1
        services.save_response(db.session.get(User, uid), attachment, timepoint, answers, submit=True)
        db.session.commit()


def _people(make_user, hub, roster, n: int, role: str = "gp", cohort: str = "cohort-A") -> list[int]:
    ids = [make_user(hub_id=hub, professional_role=role) for _ in range(n)]
    roster.setdefault(101, []).extend((uid, cohort) for uid in ids)
    return ids


def _compute(app, survey, threshold: int = 5, **filters) -> analysis.Results:
    instrument = db.session.get(Instrument, survey["instrument_id"])
    return analysis.compute(instrument, analysis.Filters(**filters), threshold)


# --- before vs follow-up ----------------------------------------------------------------------------


def test_follow_up_change_matches_the_statistics_on_raw_pairs(app, make_user, make_survey, course_invitees, admin_hub):
    hub, _ = admin_hub
    survey = make_survey(hub)
    _with_follow_up(app, survey)
    people = _people(make_user, hub, course_invitees, 10)
    for k, uid in enumerate(people):
        _answer(app, survey, uid, PRE, PRE_CONF[k], PRE_ISO[k])
        _answer(app, survey, uid, POST, 4, 3)
        if k < 9:  # one person has not answered the follow-up: not a pair
            _answer(app, survey, uid, FOLLOW_UP, FU_CONF[k], FU_ISO[k])
    with app.app_context():
        results = _compute(app, survey)
        fu = results.follow_up
        assert fu.pairs == 9
        expected = stats.paired_change(PRE_CONF[:9], FU_CONF[:9])
        got = fu.items[survey["items"][CONFIDENT]].change
        assert got.n_pairs == expected.n_pairs == 9
        assert got.median_change == expected.median_change
        assert got.p_value == pytest.approx(expected.p_value)
        assert got.rank_biserial == pytest.approx(expected.rank_biserial)
        text = fu.items[survey["items"][CONFIDENT]].text
        assert text.startswith("Across 9 people who answered before and at follow-up")
        assert "a fall is an improvement" in fu.items[survey["items"][ISOLATED]].text
        # Overall score: mean of the two core items, "isolated" turned round.
        pre_scores = [(c + 6 - i) / 2 for c, i in zip(PRE_CONF[:9], PRE_ISO[:9], strict=True)]
        fu_scores = [(c + 6 - i) / 2 for c, i in zip(FU_CONF[:9], FU_ISO[:9], strict=True)]
        composite = stats.composite_change(pre_scores, fu_scores)
        assert fu.composite.mean_change == pytest.approx(composite.mean_change)
        assert fu.composite.p_value == pytest.approx(composite.p_value)
        assert fu.composite_text.startswith("Across 9 matched people")
        # Before vs after is unchanged by the follow-up.
        assert results.rates["matched"] == 10
        assert results.items[0].change.n_pairs == 10


def test_follow_up_on_the_page_and_in_the_export(client, auth, app, make_user, make_survey, course_invitees, admin_hub):
    hub, admin = admin_hub
    survey = make_survey(hub)
    _with_follow_up(app, survey)
    for k, uid in enumerate(_people(make_user, hub, course_invitees, 10)):
        _answer(app, survey, uid, PRE, PRE_CONF[k], PRE_ISO[k])
        _answer(app, survey, uid, POST, 4, 3)
        _answer(app, survey, uid, FOLLOW_UP, FU_CONF[k], FU_ISO[k])
    auth.login_as(admin)
    url = f"/evaluation/instruments/{survey['instrument_id']}/results"
    page = client.get(url).get_data(as_text=True)
    assert "Matched pairs (before and follow-up)" in page
    assert "Change from before to follow-up" in page
    assert "Across 10 people who answered before and at follow-up" in page
    assert "Overall score at follow-up" in page
    assert "Answers before and after and at follow-up: I feel confident supervising." in page
    rows = list(csv.reader(io.StringIO(client.get(url.replace("/results", "/results.csv")).get_data(as_text=True))))
    assert ["Before and follow-up", "", "Matched pairs", "", "10"] in rows
    assert any(r[0] == "Before and follow-up" and r[1] == CONFIDENT and r[2] == "Wilcoxon p-value" for r in rows)
    pdf = client.get(url.replace("/results", "/report.pdf"))
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Overall score at follow-up" in text


def test_follow_up_below_the_threshold_is_withheld(app, make_user, make_survey, course_invitees, admin_hub):
    hub, _ = admin_hub
    survey = make_survey(hub)
    _with_follow_up(app, survey)
    for k, uid in enumerate(_people(make_user, hub, course_invitees, 10)):
        _answer(app, survey, uid, PRE, PRE_CONF[k], PRE_ISO[k])
        if k < 3:
            _answer(app, survey, uid, FOLLOW_UP, FU_CONF[k], FU_ISO[k])
    with app.app_context():
        fu = _compute(app, survey, threshold=5).follow_up
        assert fu.pairs == MASK
        assert fu.items[survey["items"][CONFIDENT]].change is None
        assert "Fewer than 5 people answered this question both before and at follow-up" in (
            fu.items[survey["items"][CONFIDENT]].withheld
        )
        assert fu.composite is None
        assert fu.composite_withheld == "Fewer than 5 people answered both before and at follow-up."


def test_no_follow_up_section_without_follow_up_answers(client, auth, app, make_user, make_survey, course_invitees, admin_hub):
    hub, admin = admin_hub
    survey = make_survey(hub)
    _with_follow_up(app, survey)
    for k, uid in enumerate(_people(make_user, hub, course_invitees, 6)):
        _answer(app, survey, uid, PRE, PRE_CONF[k])
        _answer(app, survey, uid, POST, 4)
    with app.app_context():
        assert _compute(app, survey).follow_up is None
    auth.login_as(admin)
    page = client.get(f"/evaluation/instruments/{survey['instrument_id']}/results").get_data(as_text=True)
    assert "follow-up" not in page.lower().replace("answered follow-up", "")


# --- differencing: the pure rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filtered", "total", "risky"),
    [
        (0, 50, False),  # the filter matches nobody: nothing to subtract
        (50, 50, False),  # the filter matches everyone: the difference is empty
        (3, 50, True),  # a small filtered group
        (47, 50, True),  # a small group left out
        (45, 50, False),  # exactly the threshold left out is a publishable group
        (46, 50, True),  # one fewer is not
        (5, 10, False),  # both halves at the threshold
        (4, 10, True),
        (6, 10, True),
        (1, 1, True),  # a small filtered count is withheld even when it is everyone
        (0, 3, True),  # nobody matches but only 3 are left out: withheld (it shows only zeros anyway)
    ],
)
def test_differencing_rule_on_one_count(filtered, total, risky):
    assert bool(differencing_risk({"answered after": (filtered, total)}, 5)) is risky


def test_differencing_rule_names_every_risky_count_and_refuses_nonsense():
    counts = {"pre": (20, 40), "post": (12, 14), "matched": (7, 10), "follow_up": (0, 9)}
    assert differencing_risk(counts, 5) == ["post", "matched"]
    assert differencing_risk(counts, 8) == ["post", "matched"]  # 7 matched is small too at 8
    assert differencing_risk({"pre": (20, 40)}, 25) == ["pre"]
    with pytest.raises(ValueError, match="between 0 and the total"):
        differencing_risk({"pre": (11, 10)}, 5)
    with pytest.raises(ValueError, match="cannot be below 5"):
        differencing_risk({"pre": (1, 10)}, 3)


# --- differencing: on real results --------------------------------------------------------------------


def _seed_roles(app, make_user, hub, survey, roster, *, gp: int, nurse: int, timepoints=(PRE, POST)) -> None:
    for role, n in (("gp", gp), ("nurse", nurse)):
        for k, uid in enumerate(_people(make_user, hub, roster, n, role=role)):
            for tp in timepoints:
                _answer(app, survey, uid, tp, PRE_CONF[k % 10] if tp == PRE else 4)


def test_no_filter_is_never_withheld_for_differencing(app, make_user, make_survey, course_invitees, admin_hub):
    hub, _ = admin_hub
    survey = make_survey(hub)
    _seed_roles(app, make_user, hub, survey, course_invitees, gp=3, nurse=0)
    with app.app_context():
        results = _compute(app, survey)
        assert results.differencing_withheld is None
        assert results.rates[PRE] == MASK  # ordinary small-number suppression still applies


def test_a_filter_leaving_out_a_few_people_is_withheld(client, auth, app, make_user, make_survey, course_invitees, admin_hub):
    hub, admin = admin_hub
    survey = make_survey(hub)
    _seed_roles(app, make_user, hub, survey, course_invitees, gp=9, nurse=3)
    with app.app_context():
        results = _compute(app, survey, professional_role="gp")
        assert "leaves out fewer than 5 people" in results.differencing_withheld
        assert "(counting people who answered" in results.differencing_withheld
        assert results.items == []
        assert results.composite is None
        assert {results.rates[k] for k in (PRE, POST, "matched")} == {MASK}
        assert results.rates["invited"] == 9
        # The nurses' own view is withheld for the mirror reason: too few match.
        nurses = _compute(app, survey, professional_role="nurse")
        assert "fewer than 5 people match it" in nurses.differencing_withheld
        # Unfiltered, all twelve are shown.
        assert _compute(app, survey).rates[PRE] == 12
    auth.login_as(admin)
    url = f"/evaluation/instruments/{survey['instrument_id']}"
    page = client.get(f"{url}/results?role=gp").get_data(as_text=True)
    assert "Filtered results not shown" in page
    assert "Comparing them with the results for everyone would reveal those people" in page
    assert "&lt;p&gt;" not in page  # the callout's paragraphs are markup, not printed tags
    assert "Question by question" not in page
    rows = list(csv.reader(io.StringIO(client.get(f"{url}/results.csv?role=gp").get_data(as_text=True))))
    assert rows[3][0] == "Filtered results withheld"
    assert not any(r[0] == "Answers" for r in rows)
    page = client.get(f"{url}/free-text?role=gp").get_data(as_text=True)
    assert "Comments not shown for these filters" in page


def test_filters_with_large_groups_on_both_sides_are_shown(app, make_user, make_survey, course_invitees, admin_hub):
    hub, _ = admin_hub
    survey = make_survey(hub)
    _seed_roles(app, make_user, hub, survey, course_invitees, gp=6, nurse=5)
    with app.app_context():
        gps = _compute(app, survey, professional_role="gp")
        assert gps.differencing_withheld is None
        assert gps.rates[PRE] == 6
        # A filter matching everyone leaves nobody out; one matching nobody shows zeros.
        assert _compute(app, survey, subgroup="cohort-A").differencing_withheld is None
        nobody = _compute(app, survey, subgroup="cohort-B")
        assert nobody.differencing_withheld is None
        assert nobody.rates[PRE] == 0


def test_one_wave_leaving_out_a_few_is_enough_to_withhold(app, make_user, make_survey, course_invitees, admin_hub):
    """Twelve GPs answer before and after; ten nurses only before, two before and after.

    Filtering on GPs leaves out twelve people before (fine) but only two after: the after
    answers of those two nurses would be "everyone" minus "GPs". A rule on respondents overall
    (12 left out) would miss it.
    """
    hub, _ = admin_hub
    survey = make_survey(hub)
    _seed_roles(app, make_user, hub, survey, course_invitees, gp=12, nurse=2)
    _seed_roles(app, make_user, hub, survey, course_invitees, gp=0, nurse=10, timepoints=(PRE,))
    with app.app_context():
        problem = _compute(app, survey, professional_role="gp").differencing_withheld
        assert problem is not None
        assert "answered after" in problem


def test_matched_pairs_alone_can_leave_out_a_few(app, make_user, make_survey, course_invitees, admin_hub):
    """Ten people answer before and after (7 GPs, 3 nurses); ten more only before, ten only after.

    Each wave splits 10 GPs / 10 nurses, but the pairs split 7 / 3: the overall score of the
    three nurses' pairs would be "everyone" minus "GPs".
    """
    hub, _ = admin_hub
    survey = make_survey(hub)
    _seed_roles(app, make_user, hub, survey, course_invitees, gp=7, nurse=3)
    _seed_roles(app, make_user, hub, survey, course_invitees, gp=3, nurse=7, timepoints=(PRE,))
    _seed_roles(app, make_user, hub, survey, course_invitees, gp=3, nurse=7, timepoints=(POST,))
    with app.app_context():
        problem = _compute(app, survey, professional_role="gp").differencing_withheld
        assert "(counting people who answered before and after)" in problem


def test_calendar_periods_are_slices(app, make_user, make_survey, course_invitees, admin_hub):
    hub, _ = admin_hub
    survey = make_survey(hub)
    _seed_roles(app, make_user, hub, survey, course_invitees, gp=9, nurse=0)
    month = f"{utcnow():%Y-%m}"
    with app.app_context():
        # Everyone answered this month: its month and quarter match everyone.
        this_month = _compute(app, survey, period=month)
        assert this_month.differencing_withheld is None
        assert this_month.rates[PRE] == 9
        assert _compute(app, survey, period=analysis.slices.quarter_of(month)).rates[PRE] == 9
        assert _compute(app, survey, period="2001-01").rates[PRE] == 0
        assert analysis.filters_applied(analysis.Filters(period=month))
        assert not analysis.filters_applied(analysis.Filters())


def test_one_slice_at_a_time(client, auth, app, make_user, make_survey, course_invitees, admin_hub):
    """PCN 1: 10 GPs and 3 nurses; PCN 2: 10 GPs and 10 nurses.

    "PCN 1 and GPs" would differ from "PCN 1" by three nurses: combinations are not offered at
    all, and each single slice is checked against every other one.
    """
    from learnhub.organisations.models import Pcn

    hub, admin = admin_hub
    survey = make_survey(hub)
    with app.app_context():
        pcn1 = db.session.scalar(db.select(Pcn.id).where(Pcn.hub_id == hub))
        pcn2 = Pcn(hub_id=hub, name="Second PCN")
        db.session.add(pcn2)
        db.session.commit()
        pcn2 = pcn2.id
    for pcn, gps, nurses in ((pcn1, 10, 3), (pcn2, 10, 10)):
        for role, n in (("gp", gps), ("nurse", nurses)):
            ids = [make_user(hub_id=hub, professional_role=role, pcn_id=pcn) for _ in range(n)]
            course_invitees.setdefault(101, []).extend((uid, "cohort-A") for uid in ids)
            for k, uid in enumerate(ids):
                _answer(app, survey, uid, PRE, PRE_CONF[k % 10])
                _answer(app, survey, uid, POST, 4)
    with app.app_context():
        with pytest.raises(ValueError, match="one slice at a time"):
            _compute(app, survey, pcn_id=pcn1, professional_role="gp")
        # Each slice on its own is safe: PCN 1 and GPs differ by 3 nurses + 10 GPs of PCN 2.
        assert _compute(app, survey, pcn_id=pcn1).differencing_withheld is None
        assert _compute(app, survey, professional_role="gp").differencing_withheld is None
    auth.login_as(admin)
    page = client.get(f"/evaluation/instruments/{survey['instrument_id']}/results?pcn={pcn1}&role=gp").get_data(as_text=True)
    assert "Choose one filter at a time" in page
    assert "Showing:" not in page
