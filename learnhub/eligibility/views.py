"""Eligibility declarations per course, the supervisor register, CSV export and reminders."""

from datetime import date

import click
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.courses.models import Course
from learnhub.eligibility import services
from learnhub.eligibility.certification import Status
from learnhub.eligibility.forms import DeclarationForm, PcnLeadForm
from learnhub.eligibility.models import EligibilityDeclaration, EligibilityEvent, EligibilityRecord
from learnhub.eligibility.rules import ELIGIBILITY_CHOICES, ELIGIBILITY_TYPES, supervisable_roles
from learnhub.extensions import db
from learnhub.organisations.models import Pcn
from learnhub.roles import PROFESSIONAL_ROLES, may_act_on
from learnhub.security import hub_admin_required

bp = Blueprint("eligibility", __name__, template_folder="templates", cli_group=None)

STATUS_CHOICES = [("current", "Active or due for renewal")] + [(s.value, s.label) for s in Status]


def get_course_declarations(course_id: int) -> list[EligibilityDeclaration]:
    """A course's declarations, if the course belongs to the admin's hub; 404 otherwise."""
    course = db.session.get(Course, course_id)
    if course is None or course.hub_id != current_user.hub_id:
        abort(404)
    return list(
        db.session.scalars(
            select(EligibilityDeclaration)
            .where(EligibilityDeclaration.course_id == course_id)
            .order_by(EligibilityDeclaration.id)
        )
    )


@bp.route("/hub/courses/<int:course_id>/eligibility", methods=["GET", "POST"])
@hub_admin_required
def declarations(course_id: int):  # type: ignore[no-untyped-def]
    """The eligibilities a course grants; add one."""
    existing = get_course_declarations(course_id)
    form = DeclarationForm()
    if form.validate_on_submit():
        try:
            services.declare(
                current_user,
                current_user.hub_id,
                course_id,
                form.eligibility_type.data,
                form.validity_months.data,
                form.renewal_window_days.data,
            )
        except services.DeclarationError as problem:
            form.eligibility_type.errors = [str(problem)]
        else:
            flash("The course now grants this eligibility on completion.", "success")
            return redirect(url_for("eligibility.declarations", course_id=course_id))
    return render_template("eligibility/declarations.html", course_id=course_id, declarations=existing, form=form)


@bp.post("/hub/courses/<int:course_id>/eligibility/<int:declaration_id>/remove")
@hub_admin_required
def remove_declaration(course_id: int, declaration_id: int):  # type: ignore[no-untyped-def]
    """Stop a course granting an eligibility."""
    declaration = next((d for d in get_course_declarations(course_id) if d.id == declaration_id), None)
    if declaration is None:
        abort(404)
    services.remove_declaration(current_user, declaration)
    flash(f"The course no longer grants {declaration.label}. Eligibility already granted is kept.", "success")
    return redirect(url_for("eligibility.declarations", course_id=course_id))


def _filter_from_args(pcns: list[Pcn]) -> tuple[services.RegisterFilter, list[str]]:
    """Read the register filter from the query string, with messages for anything unusable."""
    problems = []
    wanted = services.RegisterFilter()
    kind = request.args.get("eligibility", "")
    if kind in ELIGIBILITY_TYPES:
        wanted.eligibility_type = kind
    role = request.args.get("role", "")
    if role in dict(supervisable_roles()):
        wanted.role = role
    pcn = request.args.get("pcn", "")
    if pcn.isdigit() and int(pcn) in {p.id for p in pcns}:
        wanted.pcn_id = int(pcn)
    status = request.args.get("status", "")
    if status in dict(STATUS_CHOICES):
        wanted.status = status
    days = (request.args.get("within") or "").strip()
    if days:
        if days.isdigit() and int(days) <= 3650:
            wanted.expiring_within_days = int(days)
        else:
            problems.append("Enter the number of days as a whole number from 0 to 3650")
    return wanted, problems


def _register_page(pcns: list[Pcn], pcn_ids: list[int] | None):  # type: ignore[no-untyped-def]
    """The register page or its CSV: the whole hub (pcn_ids None) or only the given PCNs' holders."""
    wanted, problems = _filter_from_args(pcns)
    today = date.today()
    rows = services.register_rows(current_user.hub_id, wanted, today, pcn_ids)
    if request.args.get("format") == "csv":
        body = services.register_csv(rows)  # before the commit below expires the loaded rows
        audit(
            current_user,
            Action.EXPORT_ELIGIBILITY_REGISTER,
            hub=current_user.hub_id,
            format="csv",
            rows=len(rows),
            pcns=pcn_ids if pcn_ids is not None else "all",
        )
        db.session.commit()
        return Response(
            body,
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="eligibility-register-{today.isoformat()}.csv"'},
        )
    endpoint = "eligibility.register" if pcn_ids is None else "eligibility.pcn_register"
    return render_template(
        "eligibility/register.html",
        rows=rows,
        wanted=wanted,
        problems=problems,
        pcns=pcns,
        pcn_view=pcn_ids is not None,
        endpoint=endpoint,
        person_endpoint="eligibility.person" if pcn_ids is None else "eligibility.pcn_person",
        eligibility_choices=ELIGIBILITY_CHOICES,
        role_choices=supervisable_roles(),
        status_choices=STATUS_CHOICES,
        within=request.args.get("within", ""),
        refused=services.not_granted(current_user.hub_id, pcn_ids=pcn_ids),
        roles=PROFESSIONAL_ROLES,
        csv_args={**request.args.to_dict(), "format": "csv"},
    )


@bp.get("/hub/eligibility")
@hub_admin_required
def register():  # type: ignore[no-untyped-def]
    """The hub's supervisor eligibility register, with filters and CSV export."""
    pcns = list(db.session.scalars(select(Pcn).where(Pcn.hub_id == current_user.hub_id).order_by(Pcn.name)))
    return _register_page(pcns, None)


def _led_pcns_or_403() -> list[Pcn]:
    """The PCNs the signed-in user leads; 403 for anyone who leads none."""
    pcns = services.led_pcns(current_user)
    if not pcns:
        abort(403)
    return pcns


@bp.get("/pcn/eligibility")
@login_required
def pcn_register():  # type: ignore[no-untyped-def]
    """A PCN lead's read-only register: only holders in the PCNs they lead (filtered in the query)."""
    pcns = _led_pcns_or_403()
    return _register_page(pcns, [p.id for p in pcns])


def _person_page(holder: User):  # type: ignore[no-untyped-def]
    records = db.session.scalars(
        select(EligibilityRecord).where(EligibilityRecord.user_id == holder.id).order_by(EligibilityRecord.eligibility_type)
    ).all()
    events = db.session.scalars(
        select(EligibilityEvent)
        .where(EligibilityEvent.user_id == holder.id)
        .order_by(EligibilityEvent.created_at.desc(), EligibilityEvent.id.desc())
    ).all()
    return render_template(
        "eligibility/person.html", holder=holder, records=records, events=events, today=date.today(), kinds=EVENT_LABELS
    )


@bp.get("/hub/eligibility/people/<int:user_id>")
@hub_admin_required
def person(user_id: int):  # type: ignore[no-untyped-def]
    """One person's eligibility: current records and the full history of grants, renewals and refusals."""
    holder = db.session.get(User, user_id)
    if holder is None or holder.hub_id != current_user.hub_id:
        abort(404)
    return _person_page(holder)


@bp.get("/pcn/eligibility/people/<int:user_id>")
@login_required
def pcn_person(user_id: int):  # type: ignore[no-untyped-def]
    """One person's eligibility, for the lead of that person's PCN; 404 for anyone in another PCN."""
    led = {p.id for p in _led_pcns_or_403()}
    holder = db.session.get(User, user_id)
    if holder is None or holder.hub_id != current_user.hub_id or holder.pcn_id not in led:
        abort(404)
    return _person_page(holder)


@bp.route("/hub/users/<int:user_id>/pcn-lead", methods=["GET", "POST"])
@hub_admin_required
def pcn_lead(user_id: int):  # type: ignore[no-untyped-def]
    """Give someone read access to the register of the PCNs they lead (or take it away)."""
    person = db.session.get(User, user_id)
    if person is None or person.hub_id != current_user.hub_id:
        abort(404)
    if not may_act_on(current_user, person):  # nobody acts on an account with more power than their own
        abort(403)
    pcns = list(db.session.scalars(select(Pcn).where(Pcn.hub_id == current_user.hub_id).order_by(Pcn.name)))
    form = PcnLeadForm()
    form.pcn_ids.choices = [(p.id, p.name) for p in pcns]
    if form.validate_on_submit():
        services.set_pcn_leads(current_user, person, list(form.pcn_ids.data or []))
        led = services.led_pcns(person)
        if led:
            flash(f"{person.name} can now see the supervisor register for {', '.join(p.name for p in led)}.", "success")
        else:
            flash(f"{person.name} no longer leads any PCN here.", "success")
        return redirect(url_for("organisations.user_detail", user_id=person.id))
    if request.method == "GET":
        form.pcn_ids.data = [p.id for p in services.led_pcns(person)]
    return render_template("eligibility/pcn_lead.html", person=person, form=form, pcns=pcns), 400 if form.errors else 200


EVENT_LABELS = {"granted": "Granted", "renewed": "Renewed", "not_granted": "Not granted", "revoked": "Revoked"}


@bp.cli.command("send-eligibility-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend today is this date (for testing).")
def send_eligibility_reminders(today) -> None:  # type: ignore[no-untyped-def]
    """Email holders when renewal opens and 30 days before expiry (safe to run daily from cron)."""
    day = today.date() if today else date.today()
    sent = services.send_reminders(day)
    click.echo(f"Sent {sent} eligibility reminder{'s' if sent != 1 else ''}.")
