"""Hypothesis fuzzing of every rule that accepts POST: no input may cause a 500.

Field names come from the GET page's HTML (``name="..."``) where the rule has a GET page, plus
the ids the matrix world uses. Values: empty, huge, unicode with NUL and right-to-left marks,
wrong types, negative and huge ids, other objects' ids, and lists for scalar fields. The user is
hub A's administrator (who can reach almost every form), or the group A lead facilitator for
the session record. In testing Flask propagates exceptions, so an unhandled error fails the
test as well as a 500. CSRF is off (test default) so the data reaches the forms.
Bounded and reproducible: few examples, no deadline, derandomized.
"""

import re

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.security.test_authorisation_matrix import _url

VALUES = st.one_of(
    st.just(""),
    st.text(max_size=30),
    st.text(alphabet=st.sampled_from(["\x00", "\u202e", "\u200f", "é", "😀", "<", "'", "%"]), max_size=20),
    st.just("x" * 20000),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["-1", "0", "1e9", "NaN", "true", "[]", "{}", "2026-02-30", "None"]),
)
FIELD_VALUE = st.one_of(VALUES, st.lists(VALUES, min_size=2, max_size=3))


def _fields(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get(url)
    if page.status_code != 200 or not page.content_type.startswith("text/html"):
        return []
    return sorted(set(re.findall(r'name="([^"]+)"', page.get_data(as_text=True))) - {"csrf_token"})


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found, quickly
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_post_input_causes_a_500(app, client, auth, matrix_world, data) -> None:  # type: ignore[no-untyped-def]
    w = matrix_world
    rules = sorted(
        (r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint not in {"static", "accounts.logout"}),
        key=lambda r: r.endpoint,
    )
    ids = [str(v) for v in w.targets.values() if isinstance(v, int)]
    failures = []
    for rule in rules:
        user = w.users["lead"] if rule.endpoint == "als.record" else w.users["admin"]
        auth.login_as(user)
        url = _url(rule, w.targets)
        names = _fields(client, url) if "GET" in rule.methods else []
        names = names or ["name", "title", "id", "user_id", "email", "text"]
        form = {}
        for name in names:
            if data.draw(st.booleans(), label=f"{rule.endpoint} send {name}"):
                form[name] = data.draw(st.one_of(FIELD_VALUE, st.sampled_from(ids)), label=f"{rule.endpoint} {name}")
        response = client.post(url, data=form)
        if response.status_code >= 500:
            failures.append(f"{rule.endpoint}: {response.status_code} for {form!r:.300}")
    assert failures == []
