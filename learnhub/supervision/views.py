"""PCN staff lists, supervisor assignment, the session log, the PCN and hub dashboards and "My supervision"."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learnhub.audit import Action
from learnhub.exports import Sheet, csv_response, xlsx_response
from learnhub.extensions import db
from learnhub.organisations.models import Hub
from learnhub.security import hub_admin_required
from learnhub.supervision import access, rules, services
from learnhub.supervision.forms import AssignForm, CapForm, ImportStaffForm, LogForm, StaffForm
from learnhub.suppression import DEFAULT_THRESHOLD, mask_count

bp = Blueprint("supervision", __name__, template_folder="templates")


def _today() -> date:
    return date.today()


@bp.get("/pcn/supervision")
@login_required
def pcns():  # type: ignore[no-untyped-def]
    """The PCNs the user manages, each with its headline counts."""
    managed = access.managed_pcns_or_403(current_user)
    boards = services.pcn_dashboards(current_user.hub_id, managed, _today())
    return render_template("supervision/pcns.html", boards=boards)


@bp.get("/pcn/supervision/<int:pcn_id>")
@login_required
def dashboard(pcn_id: int):  # type: ignore[no-untyped-def]
    """One PCN's dashboard: who lacks a supervisor, what is overdue, who is over capacity, what is needed."""
    pcn = access.get_pcn(current_user, pcn_id)
    (board,) = services.pcn_dashboards(current_user.hub_id, [pcn], _today())
    if request.args.get("format") == "csv":
        header, rows = services.pcn_table(board)
        return csv_response(
            f"supervision-{pcn.id}-{_today().isoformat()}.csv", header, rows, action=Action.EXPORT_SUPERVISION, pcn=pcn.id
        )
    return render_template(
        "supervision/dashboard.html",
        board=board,
        rules=rules,
        today=_today(),
        training=services.training_courses(current_user.hub_id),
    )


def _staff_form(pcn) -> StaffForm:  # type: ignore[no-untyped-def]
    form = StaffForm()
    form.practice_id.choices = [(0, "Not recorded")] + [(p.id, p.name) for p in services.practices_of(pcn)]
    return form


def _staff_input(form: StaffForm) -> services.StaffInput:
    return services.StaffInput(
        name=form.name.data or "",
        role=form.role.data or "",
        start_date=form.start_date.data,
        email=form.email.data or "",
        practice_id=form.practice_id.data or None,
        hours_per_week=float(form.hours_per_week.data) if form.hours_per_week.data is not None else None,
        line_manager_email=form.line_manager_email.data or "",
    )


@bp.route("/pcn/supervision/<int:pcn_id>/staff", methods=["GET", "POST"])
@login_required
def staff(pcn_id: int):  # type: ignore[no-untyped-def]
    """A PCN's ARRS staff list; add someone."""
    pcn = access.get_pcn(current_user, pcn_id)
    form = _staff_form(pcn)
    if form.validate_on_submit():
        try:
            member = services.add_staff(current_user, pcn, _staff_input(form))
        except services.SupervisionError as problem:
            form.name.errors = [*form.name.errors, str(problem)]
        else:
            flash(f"{member.name} added to {pcn.name}'s ARRS staff.", "success")
            return redirect(url_for("supervision.staff", pcn_id=pcn.id))
    (board,) = services.pcn_dashboards(current_user.hub_id, [pcn], _today())
    status = 400 if form.errors else 200
    return render_template("supervision/staff.html", board=board, form=form, pcn=pcn), status


@bp.route("/pcn/supervision/<int:pcn_id>/staff/import", methods=["GET", "POST"])
@login_required
def import_staff(pcn_id: int):  # type: ignore[no-untyped-def]
    """Add staff from a CSV; every row is checked before anything is saved."""
    pcn = access.get_pcn(current_user, pcn_id)
    form = ImportStaffForm()
    result = None
    if form.validate_on_submit():
        result = services.import_staff(current_user, pcn, form.csv_file.data.read())
        if not result.errors:
            flash(f"{result.added} staff added to {pcn.name}.", "success")
            return redirect(url_for("supervision.staff", pcn_id=pcn.id))
    status = 400 if form.errors or (result and result.errors) else 200
    return render_template("supervision/import.html", form=form, pcn=pcn, result=result), status


@bp.route("/pcn/supervision/staff/<int:staff_id>", methods=["GET", "POST"])
@login_required
def staff_member(staff_id: int):  # type: ignore[no-untyped-def]
    """One staff member: their details (editable), what they need and who supervises them."""
    member = access.get_staff(current_user, staff_id)
    form = _staff_form(member.pcn)
    if request.method == "GET":
        form.name.data, form.role.data, form.start_date.data = member.name, member.role, member.start_date
        form.practice_id.data = member.practice_id or 0
        form.hours_per_week.data = member.hours_per_week
        form.email.data = member.user.email if member.user else ""
        form.line_manager_email.data = member.line_manager.email if member.line_manager else ""
    elif form.validate_on_submit():
        try:
            services.update_staff(current_user, member, _staff_input(form))
        except services.SupervisionError as problem:
            form.name.errors = [*form.name.errors, str(problem)]
        else:
            flash(f"{member.name}'s details saved.", "success")
            return redirect(url_for("supervision.staff_member", staff_id=member.id))
    (board,) = services.pcn_dashboards(current_user.hub_id, [member.pcn], _today())
    today = _today()
    arrangements = [a for a in board.arrangements if a.staff_id == member.id and (a.end_date is None or a.end_date >= today)]
    status = 400 if form.errors else 200
    return (
        render_template(
            "supervision/staff_member.html", member=member, form=form, board=board, arrangements=arrangements, rules=rules
        ),
        status,
    )


def _labels(choices: list[services.Candidate]) -> list[tuple[int, str]]:
    """Picker labels: each valid person with their current load against the hub cap."""
    return [(c.user.id, f"{c.user.name} ({c.user.professional_role_label}): {c.load} of {c.cap} supervisees") for c in choices]


@bp.route("/pcn/supervision/staff/<int:staff_id>/assign/<kind>", methods=["GET", "POST"])
@login_required
def assign(staff_id: int, kind: str):  # type: ignore[no-untyped-def]
    """Name a supervisor for one kind of supervision: the picker lists only valid people, with their load."""
    member = access.get_staff(current_user, staff_id)
    need = rules.need_for(member.role, kind)
    if need is None:
        abort(404)
    today = _today()
    choices = services.candidates(member, kind, today)
    form = AssignForm()
    form.supervisor_id.choices = _labels(choices)
    if request.method == "GET":
        form.start_date.data = max(today, member.start_date)
    refused = None
    if request.method == "POST":
        # The picker shows valid choices only; a posted id outside them is still checked by the
        # rules, so the refusal names the rule instead of "not a valid choice".
        raw = request.form.get("supervisor_id", "")
        form.supervisor_id.choices = form.supervisor_id.choices or []
        if raw.isdigit() and int(raw) not in dict(form.supervisor_id.choices):
            form.supervisor_id.choices = [*form.supervisor_id.choices, (int(raw), "")]
        if form.validate_on_submit():
            try:
                services.assign(
                    current_user, member, form.supervisor_id.data, kind, form.start_date.data, form.end_date.data, today
                )
            except services.SupervisionError as problem:
                refused = str(problem)
                form.supervisor_id.errors = [refused]
            else:
                flash(f"Supervisor assigned for {rules.kind_label(kind).lower()}.", "success")
                return redirect(url_for("supervision.staff_member", staff_id=member.id))
        form.supervisor_id.choices = _labels(choices)
    status = 400 if form.errors else 200
    return (
        render_template("supervision/assign.html", member=member, kind=kind, need=need, choices=choices, form=form, rules=rules),
        status,
    )


@bp.post("/pcn/supervision/arrangements/<int:arrangement_id>/end")
@login_required
def end_arrangement(arrangement_id: int):  # type: ignore[no-untyped-def]
    """End an arrangement today (the log is kept)."""
    arrangement = access.get_managed_arrangement(current_user, arrangement_id)
    try:
        services.end_arrangement(current_user, arrangement, _today())
    except services.SupervisionError as problem:
        flash(str(problem), "error")
    else:
        flash("Arrangement ended.", "success")
    return redirect(url_for("supervision.staff_member", staff_id=arrangement.staff_id))


@bp.route("/supervision/arrangements/<int:arrangement_id>", methods=["GET", "POST"])
@login_required
def arrangement(arrangement_id: int):  # type: ignore[no-untyped-def]
    """An arrangement's sessions; the supervisee, the supervisor or the PCN's manager records one."""
    found = access.get_own_arrangement(current_user, arrangement_id)
    form = LogForm()
    if form.validate_on_submit():
        try:
            services.log_session(current_user, found, form.session_date.data, form.minutes.data, form.note.data or "", _today())
        except services.SupervisionError as problem:
            target = form.note if "note" in str(problem).lower() else form.session_date
            target.errors = [*target.errors, str(problem)]
        else:
            flash("Session recorded.", "success")
            return redirect(url_for("supervision.arrangement", arrangement_id=found.id))
    need = rules.need_for(found.staff.role, found.kind)
    logs = services.logs_of(found)
    due = rules.due_state(need.every_months if need else None, found.start_date, [e.session_date for e in logs], _today())
    status = 400 if form.errors else 200
    return (
        render_template(
            "supervision/arrangement.html",
            arrangement=found,
            logs=logs,
            due=due,
            form=form,
            manages=access.may_manage(current_user, found),
        ),
        status,
    )


@bp.get("/supervision")
@login_required
def mine():  # type: ignore[no-untyped-def]
    """My supervision: who supervises me for what, whom I supervise, and what is due."""
    return render_template("supervision/mine.html", mine=services.mine(current_user, _today()))


@bp.route("/hub/supervision", methods=["GET", "POST"])
@hub_admin_required
def hub():  # type: ignore[no-untyped-def]
    """Counts for every PCN of the hub, small numbers suppressed; CSV export; the hub cap."""
    hub_obj = db.session.get(Hub, current_user.hub_id)
    if hub_obj is None:
        abort(404)
    form = CapForm()
    if form.validate_on_submit():
        try:
            services.set_cap(current_user, hub_obj, form.cap.data)
        except services.SupervisionError as problem:
            form.cap.errors = [str(problem)]
        else:
            flash(f"The cap is now {hub_obj.supervisee_cap} supervisees per supervisor.", "success")
            return redirect(url_for("supervision.hub"))
    if request.method == "GET":
        form.cap.data = hub_obj.supervisee_cap
    boards = services.pcn_dashboards(hub_obj.id, access.managed_pcns(current_user), _today())
    rows = [[b.pcn.name, *(mask_count(b.counts()[k], DEFAULT_THRESHOLD) for k in services.HUB_KEYS)] for b in boards]
    if request.method == "GET" and request.args.get("format") == "xlsx":
        return xlsx_response(
            f"supervision-hub-{_today().isoformat()}.xlsx",
            [Sheet("Supervision by PCN", services.HUB_HEADER, rows)],
            action=Action.EXPORT_SUPERVISION,
            hub=hub_obj.id,
        )
    if request.method == "GET" and request.args.get("format") == "csv":
        return csv_response(
            f"supervision-hub-{_today().isoformat()}.csv",
            services.HUB_HEADER,
            rows,
            action=Action.EXPORT_SUPERVISION,
            hub=hub_obj.id,
        )
    status = 400 if form.errors else 200
    return render_template("supervision/hub.html", rows=rows, columns=services.HUB_HEADER, form=form, boards=boards), status
