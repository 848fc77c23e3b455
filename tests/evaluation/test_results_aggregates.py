"""The SQL aggregates behind the dashboard agree with statistics on the raw answers, under filters
and when a response skipped a core question (each response's score is the mean of its own answers)."""

from dataclasses import replace

import pytest
from sqlalchemy import delete, select

from learnhub.evaluation import analysis, stats
from learnhub.evaluation.models import POST, PRE, Answer, Instrument, Response
from learnhub.evaluation.services import aggregates
from learnhub.extensions import db
from learnhub.suppression import MASK
from tests.evaluation.test_results import CONFIDENT, ISOLATED, POST_CONF, POST_ISO, PRE_CONF, PRE_ISO, SATISFIED, _seed


@pytest.fixture
def admin_hub(make_hub, make_user):
    from learnhub.roles import HubRole

    hub = make_hub()
    return hub, make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)


def _post_responses(instrument_id: int) -> list[int]:
    """Submitted post response ids in the order the seed made them (one per participant)."""
    return list(db.session.scalars(select(Response.id).where(Response.timepoint == POST).order_by(Response.id)))


def _published(before: list[int], after: list[int], *, reverse: bool = False, threshold: int = 5) -> stats.PairedChange:
    """The statistics on the raw pairs as the results publish them: with a hidden direction count,
    W, p, r and the method are hidden and the median change is the lower median."""
    raw = stats.paired_change(before, after)
    if MASK not in raw.direction_counts(reverse, threshold):
        return raw
    differences = sorted(b - a for a, b in zip(before, after, strict=True))
    return replace(raw.hide_test(reverse, threshold), median_change=float(differences[(len(differences) - 1) // 2]))


def test_filtered_pairs_and_a_skipped_core_answer(app, make_user, make_survey, course_invitees, admin_hub):
    hub, _ = admin_hub
    survey = make_survey(hub)
    _seed(app, make_user, hub, survey, course_invitees, n=10, extra_pre_only=2)
    items = survey["items"]
    with app.app_context():
        # Participant 0 skipped the (core, reverse-scored) isolation statement afterwards.
        first_post = _post_responses(survey["instrument_id"])[0]
        db.session.execute(delete(Answer).where(Answer.response_id == first_post, Answer.item_id == items[ISOLATED]))
        instrument = db.session.get(Instrument, survey["instrument_id"])
        # The answer was deleted behind the service's back: recompute the aggregates from the answers.
        aggregates.rebuild(instrument)
        db.session.commit()

        results = analysis.compute(instrument, analysis.Filters(), 5)
        pre_scores = [(a + (6 - b)) / 2 for a, b in zip(PRE_CONF, PRE_ISO, strict=True)]
        post_scores = [(a + (6 - b)) / 2 for a, b in zip(POST_CONF, POST_ISO, strict=True)]
        post_scores[0] = float(POST_CONF[0])  # the mean of the one core answer given
        expected = stats.composite_change(pre_scores, post_scores)
        assert results.composite.n_pairs == 10
        assert results.composite.mean_change == pytest.approx(expected.mean_change)
        assert results.composite.sd_change == pytest.approx(expected.sd_change)
        assert results.composite_means[PRE] == pytest.approx(sum(pre_scores) / 10)
        assert results.composite_means[POST] == pytest.approx(sum(post_scores) / 10)
        by_text = {r.item.text: r for r in results.items}
        # Nine pairs answered the isolation statement both times.
        assert by_text[ISOLATED].change == _published(PRE_ISO[1:], POST_ISO[1:], reverse=True)
        assert by_text[ISOLATED].waves[POST].n == 9
        assert by_text[SATISFIED].change == _published([5 + k % 3 for k in range(10)], [7] * 10)

        # Only the GPs (odd participants): counts, distributions, item change and composite.
        gp = [k for k in range(10) if k % 2]
        results = analysis.compute(instrument, analysis.Filters(professional_role="gp"), 5)
        assert (results.rates[PRE], results.rates[POST], results.rates["matched"]) == (6, 5, 5)
        wave = {r.item.text: r for r in results.items}[CONFIDENT].waves[POST]
        assert wave.raw_counts == [sum(1 for k in gp if POST_CONF[k] == v) for v in range(1, 6)]
        assert {r.item.text: r for r in results.items}[CONFIDENT].change == _published(
            [PRE_CONF[k] for k in gp], [POST_CONF[k] for k in gp]
        )
        expected = stats.composite_change([pre_scores[k] for k in gp], [post_scores[k] for k in gp])
        assert results.composite.n_pairs == 5
        assert results.composite.mean_change == pytest.approx(expected.mean_change)
        assert results.composite.p_value == pytest.approx(expected.p_value)


def test_counts_give_exactly_the_statistics_of_the_listed_differences():
    # Large, tied, zero-heavy samples like a big hub's: the O(distinct) path must agree bit for bit.
    counts = {-4: 3, -2: 410, -1: 2210, 0: 20111, 1: 9120, 2: 5001, 3: 77, 4: 2}
    diffs = [d for d, c in sorted(counts.items()) for _ in range(c)]
    assert stats.paired_change_from_counts(counts) == stats.paired_change_from_differences(diffs)
    assert stats.paired_change_from_counts({0: 40, 1: 0}) == stats.paired_change_from_differences([0] * 40)
    assert stats.paired_change_from_counts({}) == stats.paired_change_from_differences([])
