"""Authorisation matrix generated from ``app.url_map``.

Every rule (except ``static``) is requested by every kind of user against objects they must not
reach. URL variables are filled from one fixture world: the objects belong to hub A and its ALS
group A (see ``targets``). Columns (user kinds):

- ``learner``: a learner of hub A with no enrolment, group or certificate (not the owner);
- ``member``: a member of the *other* ALS group (group B) of the same programme;
- ``fac``: a facilitator of hub A who does not lead the recorded session of group A;
- ``xadmin``: the hub administrator of another hub (hub B);
- ``admin``: hub A's own administrator (own objects; 403 only where notes are confidential);
- ``site``: a site administrator whose own hub is hub B.

The table gives the GET status for each column (``-`` = not a GET rule); POST rules are
checked in ``POST`` the same way. "L" = redirect to sign in is not used here (all signed in);
``ok`` means any 2xx/3xx that is not an error. A mismatch of a refusal (403/404) with an
``ok`` is a leak; every mismatching cell is listed at once.

CSRF is disabled in this app (``WTF_CSRF_ENABLED=False``, the test default) so that POSTs reach
the authorisation checks; CSRF itself is tested rule by rule in ``test_url_map_policy.py``.
POSTs carry no form data: a refused user must be refused before validation, and an allowed
user's empty form is just re-shown with errors (or a harmless redirect).
"""

COLUMNS = ("learner", "member", "fac", "xadmin", "site", "admin")

# fmt: off
#: endpoint: GET status per column ; POST status per column ("-": the rule does not take that method).
POLICY_TEXT = """
# endpoint:                      learner member fac xadmin site admin ; (POST, same columns)
accounts.accept_invite:          410 410 410 410 410 410 ; 410 410 410 410 410 410
accounts.download_my_data:         -   -   -   -   -   - ; 200 200 200 200 200 200
accounts.change_password:        200 200 200 200 200 200 ; 200 200 200 200 200 200
accounts.forgot_password:        200 200 200 200 200 200 ; 200 200 200 200 200 200
accounts.login:                  302 302 302 302 302 302 ; 302 302 302 302 302 302
accounts.logout:                   -   -   -   -   -   - ;   -   -   -   -   -   -
accounts.profile:                200 200 200 200 200 200 ; 200 200 200 200 200 200
accounts.register:               302 302 302 302 302 302 ; 302 302 302 302 302 302
accounts.reset_password:         410 410 410 410 410 410 ; 410 410 410 410 410 410
als.apologies:                     -   -   -   -   -   - ; 404 404 404 404 404 403
als.bid:                           -   -   -   -   -   - ; 404 404 404 404 404 403
als.dashboard:                   403 403 403 404 403 200 ;   -   -   -   -   -   -
als.dashboard_csv:               403 403 403 404 403 200 ;   -   -   -   -   -   -
als.facilitating:                200 200 200 200 200 200 ;   -   -   -   -   -   -
als.facilitators:                403 403 403 404 403 200 ; 403 403 403 404 403 200
als.feed:                        404 404 404 404 404 404 ;   -   -   -   -   -   -
als.import_members:              403 403 403 404 403 200 ; 403 403 403 404 403 200
als.manage_session:              403 403 403 404 403 200 ; 403 403 403 404 403 200
als.member_group:                  -   -   -   -   -   - ; 403 403 403 404 403 302
als.mine:                        200 200 200 200 200 200 ;   -   -   -   -   -   -
als.my_unavailable:              404 404 200 404 404 404 ; 404 404 200 404 404 404
als.note_access_log:             404 404 200 404 404 404 ;   -   -   -   -   -   -
als.cohort_report:               404 404 200 404 404 404 ;   -   -   -   -   -   -
als.new_programme:               403 403 403 200 403 200 ; 403 403 403 200 403 200
als.programme:                   403 403 403 404 403 200 ;   -   -   -   -   -   -
als.add_member:                    -   -   -   -   -   - ; 403 403 403 404 403 200
als.add_group:                     -   -   -   -   -   - ; 403 403 403 404 403 200
als.auto_groups:                   -   -   -   -   -   - ; 403 403 403 404 403 302
als.make_schedule:                 -   -   -   -   -   - ; 403 403 403 404 403 302
als.plan:                          -   -   -   -   -   - ; 403 403 403 404 403 302
als.remove_member:                 -   -   -   -   -   - ; 403 403 403 404 403 302
als.cancel_session:                -   -   -   -   -   - ; 403 403 403 404 403 302
als.programmes:                  403 403 403 200 403 200 ;   -   -   -   -   -   -
als.record:                      404 404 404 404 404 403 ; 404 404 404 404 404 403
als.reset_feed:                    -   -   -   -   -   - ; 302 302 302 302 302 302
als.session_detail:              404 404 404 404 404 403 ;   -   -   -   -   -   -
als.session_ics:                 404 404 404 404 404 403 ;   -   -   -   -   -   -
als.themes:                      403 403 403 200 403 200 ; 403 403 403 200 403 200
als.settings:                    403 403 403 200 403 200 ; 403 403 403 200 403 200
als.unavailable:                 403 403 403 404 403 200 ; 403 403 403 404 403 200
als.withdraw:                    403 403 403 404 403 200 ; 403 403 403 404 403 302
als.undo_withdrawal:             -   -   -   -   -   -   ; 403 403 403 404 403 302
certificates.admin_detail:       403 403 403 404 403 200 ;   -   -   -   -   -   -
certificates.admin_list:         403 403 403 200 403 200 ;   -   -   -   -   -   -
certificates.bulk:               403 403 403 200 403 200 ;   -   -   -   -   -   -
certificates.cohort_bulk:        403 403 403 404 403 200 ; 403 403 403 404 403 400
certificates.download:           404 404 404 404 404 200 ;   -   -   -   -   -   -
certificates.job:                403 403 403 404 403 404 ;   -   -   -   -   -   -
certificates.failed_jobs:        403 403 403 200 403 200 ;   -   -   -   -   -   -
certificates.job_cancel:           -   -   -   -   -   - ; 403 403 403 404 403 404
certificates.job_resume:           -   -   -   -   -   - ; 403 403 403 404 403 404
certificates.mine:               200 200 200 200 200 200 ;   -   -   -   -   -   -
certificates.record:             200 200 200 200 200 200 ;   -   -   -   -   -   -
certificates.record_pdf:         200 200 200 200 200 200 ;   -   -   -   -   -   -
certificates.reissue:              -   -   -   -   -   - ; 403 403 403 404 403 400
certificates.revoke:             403 403 403 404 403 200 ; 403 403 403 404 403 400
certificates.reinstate:            403 403 403 404 403 302 ; 403 403 403 404 403 302
certificates.verify:             302 302 302 302 302 302 ;   -   -   -   -   -   -
certificates.verify_form:        200 200 200 200 200 200 ;   -   -   -   -   -   -
credentials.download:            404 404 404 404 404 200 ;   -   -   -   -   -   -
credentials.issuer:              200 200 200 200 200 200 ;   -   -   -   -   -   -
credentials.jwks:                200 200 200 200 200 200 ;   -   -   -   -   -   -
credentials.key:                 200 200 200 200 200 200 ;   -   -   -   -   -   -
credentials.status_list:         200 200 200 200 200 200 ;   -   -   -   -   -   -
credentials.verify:              200 200 200 200 200 200 ; 400 400 400 400 400 400
courses.admin_cohort:            403 403 403 404 403 200 ; 403 403 403 404 403 400
courses.admin_course:            403 403 403 404 403 200 ;   -   -   -   -   -   -
courses.admin_courses:           403 403 403 200 403 200 ;   -   -   -   -   -   -
courses.admin_learner:           403 403 403 404 403 404 ;   -   -   -   -   -   -
courses.allow_another_attempt:     -   -   -   -   -   - ; 403 403 403 404 403 404
courses.record_completion:       403 403 403 404 403 404 ; 403 403 403 404 403 404
courses.withdraw_completion:     403 403 403 404 403 404 ; 403 403 403 404 403 404
courses.admin_questions:         403 403 403 404 403 200 ; 403 403 403 404 403 400
courses.attempt_result:          302 302 302 404 404 302 ;   -   -   -   -   -   -
courses.attendance:              403 403 404 404 404 404 ; 403 403 404 404 404 404
courses.check_page:              302 302 302 404 404 302 ;   -   -   -   -   -   -
courses.cohort_csv:              403 403 403 404 403 200 ;   -   -   -   -   -   -
courses.complete_module:           -   -   -   -   -   - ; 302 302 302 404 404 302
courses.course_image:            404 404 404 404 404 404 ;   -   -   -   -   -   -
courses.course_images:           403 403 403 404 403 200 ; 403 403 403 404 403 400
courses.course_list:             200 200 200 200 200 200 ;   -   -   -   -   -   -
courses.course_page:             200 200 200 404 404 200 ;   -   -   -   -   -   -
courses.delete_question:           -   -   -   -   -   - ; 403 403 403 404 403 302
# restore_question: the admin gets 404 because delete_question, posted first, removed the unanswered question
courses.restore_question:          -   -   -   -   -   - ; 403 403 403 404 403 404
courses.reset_attempts:            -   -   -   -   -   - ; 403 403 403 404 403 404
courses.edit_cohort:             403 403 403 404 403 200 ; 403 403 403 404 403 400
courses.edit_course:             403 403 403 404 403 200 ; 403 403 403 404 403 400
courses.edit_module:             403 403 403 404 403 200 ; 403 403 403 404 403 400
courses.edit_question:           403 403 403 404 403 200 ; 403 403 403 404 403 404
courses.enrol_csv:               403 403 403 404 403 200 ; 403 403 403 404 403 400
courses.live_sessions:           403 403 200 200 403 200 ;   -   -   -   -   -   -
courses.module_page:             302 302 302 404 404 302 ;   -   -   -   -   -   -
courses.move_module:               -   -   -   -   -   - ; 403 403 403 404 403 302
courses.my_learning:             200 200 200 200 200 200 ;   -   -   -   -   -   -
courses.new_cohort:              403 403 403 404 403 200 ; 403 403 403 404 403 400
courses.new_course:              403 403 403 200 403 200 ; 403 403 403 400 403 400
courses.new_module:              403 403 403 404 403 200 ; 403 403 403 404 403 400
courses.preview_module:          403 403 403 404 403 200 ;   -   -   -   -   -   -
courses.promote_waiting:           -   -   -   -   -   - ; 403 403 403 404 403 302
courses.self_enrol:                -   -   -   -   -   - ; 302 302 302 404 404 302
courses.start_check:               -   -   -   -   -   - ; 302 302 302 404 404 302
courses.submit_check:              -   -   -   -   -   - ; 404 404 404 404 404 404
eligibility.declarations:        403 403 403 404 403 200 ; 403 403 403 404 403 200
eligibility.pcn_lead:            403 403 403 404 403 200 ; 403 403 403 404 403 302
eligibility.pcn_person:          403 403 403 403 403 403 ;   -   -   -   -   -   -
eligibility.pcn_register:        403 403 403 403 403 403 ;   -   -   -   -   -   -
eligibility.person:              403 403 403 404 403 200 ;   -   -   -   -   -   -
eligibility.register:            403 403 403 200 403 200 ;   -   -   -   -   -   -
eligibility.rules:               403 403 403 200 403 200 ;   -   -   -   -   -   -
eligibility.pcn_rules:           403 403 403 403 403 403 ;   -   -   -   -   -   -
eligibility.remove_declaration:    -   -   -   -   -   - ; 403 403 403 404 403 302
evaluation.answer:               403 403 403 404 404 403 ; 302 302 302 404 404 302
evaluation.attach:               403 403 403 404 403 200 ; 403 403 403 404 403 200
evaluation.attachment:           403 403 403 404 403 200 ; 403 403 403 404 403 200
evaluation.delete_section:         -   -   -   -   -   - ; 403 403 403 404 403 302
evaluation.detach:                 -   -   -   -   -   - ; 403 403 403 404 403 302
evaluation.edit_instrument:      403 403 403 404 403 200 ; 403 403 403 404 403 200
evaluation.edit_item:            403 403 403 404 403 200 ; 403 403 403 404 403 200
evaluation.edit_section:         403 403 403 404 403 200 ; 403 403 403 404 403 200
evaluation.move_item:              -   -   -   -   -   - ; 403 403 403 404 403 302
evaluation.move_section:           -   -   -   -   -   - ; 403 403 403 404 403 302
evaluation.new_instrument:       403 403 403 200 403 200 ; 403 403 403 200 403 200
evaluation.new_section:          403 403 403 404 403 200 ; 403 403 403 404 403 200
evaluation.copy:                   -   -   -   -   -   - ; 403 403 403 404 403 302
evaluation.export:               403 403 403 404 403 200 ;   -   -   -   -   -   -
evaluation.free_text:            403 403 403 404 403 200 ;   -   -   -   -   -   -
evaluation.instrument:           403 403 403 404 403 200 ; 403 403 403 404 403 200
evaluation.instruments:          403 403 403 200 403 200 ;   -   -   -   -   -   -
evaluation.item_action:            -   -   -   -   -   - ; 403 403 403 404 403 302
evaluation.my_surveys:           200 200 200 200 200 200 ;   -   -   -   -   -   -
evaluation.report:               403 403 403 404 403 200 ;   -   -   -   -   -   -
evaluation.results:              403 403 403 404 403 200 ;   -   -   -   -   -   -
evaluation.settings:             403 403 403 200 403 200 ; 403 403 403 200 403 200
main.accessibility:              200 200 200 200 200 200 ;   -   -   -   -   -   -
main.contact:                    200 200 200 200 200 200 ;   -   -   -   -   -   -
main.healthz:                    200 200 200 200 200 200 ;   -   -   -   -   -   -
main.hub_admin:                  403 403 403 200 403 200 ;   -   -   -   -   -   -
main.mail_waiting:               403 403 403 200 403 200 ;   -   -   -   -   -   -
main.index:                      200 200 200 200 200 200 ;   -   -   -   -   -   -
main.privacy:                    200 200 200 200 200 200 ;   -   -   -   -   -   -
notifications.preferences:       200 200 200 200 200 200 ; 302 302 302 302 302 302
notifications.unsubscribe:       404 404 404 404 404 404 ; 404 404 404 404 404 404
organisations.change_active:       -   -   -   -   -   - ; 403 403 403 404 403 302
organisations.change_permission:   -   -   -   -   -   - ; 403 403 403 404 403 400
organisations.audit_log:         403 403 403 200 403 200 ;   -   -   -   -   -   -
organisations.erase_user:        403 403 403 404 403 200 ; 403 403 403 404 403 400
organisations.site_erase_user:   403 403 403 403 200 403 ; 403 403 403 403 400 403
organisations.hub_detail:        403 403 403 403 200 403 ; 403 403 403 403 200 403
organisations.hubs:              403 403 403 403 200 403 ; 403 403 403 403 200 403
organisations.import_users:      403 403 403 200 403 200 ; 403 403 403 400 403 400
organisations.invite:            403 403 403 200 403 200 ; 403 403 403 200 403 200
organisations.resend_invite:       -   -   -   -   -   - ; 403 403 403 404 403 302
organisations.structure:         403 403 403 200 403 200 ;   -   -   -   -   -   -
organisations.add_pcn:             -   -   -   -   -   - ; 403 403 403 400 403 400
organisations.add_practice:        -   -   -   -   -   - ; 403 403 403 400 403 400
organisations.user_detail:       403 403 403 404 403 200 ;   -   -   -   -   -   -
organisations.users:             403 403 403 200 403 200 ;   -   -   -   -   -   -
supervision.arrangement:         404 404 404 404 404 200 ; 404 404 404 404 404 400
supervision.assign:              403 403 403 404 403 200 ; 403 403 403 404 403 400
supervision.dashboard:           403 403 403 404 403 200 ;   -   -   -   -   -   -
supervision.end_arrangement:       -   -   -   -   -   - ; 403 403 403 404 403 302
supervision.hub:                 403 403 403 200 403 200 ; 403 403 403 400 403 400
supervision.import_staff:        403 403 403 404 403 200 ; 403 403 403 404 403 400
supervision.mine:                200 200 200 200 200 200 ;   -   -   -   -   -   -
supervision.pcns:                403 403 403 200 403 200 ;   -   -   -   -   -   -
supervision.staff:               403 403 403 404 403 200 ; 403 403 403 404 403 400
supervision.staff_member:        403 403 403 404 403 200 ; 403 403 403 404 403 400
"""
# fmt: on


def parse_policy(text: str) -> dict[str, dict[str, tuple[str, ...]]]:
    policy: dict[str, dict[str, tuple[str, ...]]] = {}
    for line in text.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        endpoint, cells = line.split(":", 1)
        get, post = (part.split() for part in cells.split(";"))
        assert len(get) == len(COLUMNS), line
        assert len(post) == len(COLUMNS), line
        policy[endpoint.strip()] = {"GET": tuple(get), "POST": tuple(post)}
    return policy


def _url(rule, targets) -> str:  # type: ignore[no-untyped-def]
    values = {}
    for name, converter in rule._converters.items():
        if type(converter).__name__ == "AnyConverter":
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = targets[name]
    return rule.build(values, append_unknown=False)[1]


def _outcome(status: int) -> str:
    return str(status)


#: Text only group A's lead facilitator may read (the confidential note and a private action).
CONFIDENTIAL = ("SECRET-NOTE-TEXT", "SECRET-ACTION")
#: Names of hub A's objects, which nobody from hub B may see (certificate verification is public
#: by design: it shows the holder's name to whoever has the code).
HUB_A_NAMES = ("Test programme", "Supervising ARRS roles", "Member 00", "Course survey")
PUBLIC_ABOUT_HUB_A = {"certificates.verify"}


def _forbidden(column: str, endpoint: str) -> tuple[str, ...]:
    if column in ("xadmin", "site") and endpoint not in PUBLIC_ABOUT_HUB_A:
        return CONFIDENTIAL + HUB_A_NAMES
    return CONFIDENTIAL


def observe(app, client, auth, w, leaks: list[str]) -> dict[str, dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    seen: dict[str, dict[str, list[str]]] = {}
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.endpoint)
    # Every GET first (they change nothing), then every POST; hub A's own admin goes last so that
    # its successful POSTs (which do change data) cannot hide a leak in another column.
    for method in ("GET", "POST"):
        for column in COLUMNS:
            auth.login_as(w.users[column])
            for rule in rules:
                cell = seen.setdefault(rule.endpoint, {"GET": [], "POST": []})[method]
                if method not in rule.methods or rule.endpoint == "accounts.logout":
                    cell.append("-")
                    continue
                response = client.open(_url(rule, w.targets), method=method)
                cell.append(_outcome(response.status_code))
                body = response.get_data().decode("utf-8", "replace")
                for secret in _forbidden(column, rule.endpoint):
                    if secret in body:
                        leaks.append(f"{method} {rule.endpoint} as {column} shows {secret!r}")
            with client.session_transaction() as session:
                session.clear()
    return seen


POLICY = parse_policy(POLICY_TEXT)


def test_every_route_is_in_the_policy_table(app) -> None:
    endpoints = {r.endpoint for r in app.url_map.iter_rules()} - {"static"}
    assert sorted(endpoints - POLICY.keys()) == [], "add these routes to POLICY_TEXT"
    assert sorted(POLICY.keys() - endpoints) == [], "these endpoints no longer exist"


def _format(seen) -> str:  # type: ignore[no-untyped-def]
    width = max(map(len, seen)) + 1
    return "\n".join(
        f"{endpoint + ':':<{width}} {' '.join(f'{c:>3}' for c in cells['GET'])} ; {' '.join(f'{c:>3}' for c in cells['POST'])}"
        for endpoint, cells in sorted(seen.items())
    )


def test_authorisation_matrix(app, client, auth, matrix_world) -> None:  # type: ignore[no-untyped-def]
    leaks: list[str] = []
    seen = observe(app, client, auth, matrix_world, leaks)
    mismatches = []
    for endpoint, cells in seen.items():
        for method in ("GET", "POST"):
            for column, expected, got in zip(COLUMNS, POLICY[endpoint][method], cells[method], strict=True):
                if expected != got:
                    mismatches.append(f"{method} {endpoint} as {column}: expected {expected}, got {got}")
    # On a mismatch, the observed table is printed ready to paste (after checking it is right).
    assert mismatches == [], "\n".join(mismatches) + "\n\nObserved:\n" + _format(seen)
    assert leaks == []
