"""Eligibility declarations per course, the supervisor register, CSV export and reminders."""

from datetime import date

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.audit import Action
from learnhub.eligibility import access, services
from learnhub.eligibility.certification import Status
from learnhub.eligibility.forms import DeclarationForm, PcnLeadForm
from learnhub.eligibility.models import EligibilityEvent, EligibilityRecord
from learnhub.eligibility.rules import ELIGIBILITY_CHOICES, ELIGIBILITY_TYPES, supervisable_roles
from learnhub.eligibility.supervision import role_rules
from learnhub.exports import csv_response
from learnhub.extensions import db
from learnhub.locks import single_run
from learnhub.organisations.models import Pcn
from learnhub.params import arg_int
from learnhub.roles import PROFESSIONAL_ROLES, may_act_on, registration_number_problem
from learnhub.security import hub_admin_required
from learnhub.transactions import commit

bp = Blueprint("eligibility", __name__, template_folder="templates", cli_group=None)

STATUS_CHOICES = [("current", "Active or due for renewal")] + [(s.value, s.label) for s in Status]


@bp.route("/hub/courses/<int:course_id>/eligibility", methods=["GET", "POST"])
@hub_admin_required
def declarations(course_id: int):  # type: ignore[no-untyped-def]
    """The eligibilities a course grants; add one."""
    existing = access.get_course_declarations(current_user, course_id)
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
    declaration = access.get_declaration_for(current_user, course_id, declaration_id)
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
    pcn = arg_int("pcn", default=0, minimum=1, maximum=2**31 - 1)
    if not pcn.error and pcn.value in {p.id for p in pcns}:
        wanted.pcn_id = pcn.value
    status = request.args.get("status", "")
    if status in dict(STATUS_CHOICES):
        wanted.status = status
    if (request.args.get("within") or "").strip():
        days = arg_int("within", default=-1, minimum=0, maximum=3650)
        if days.error:
            problems.append("Enter the number of days as a whole number from 0 to 3650")
        else:
            wanted.expiring_within_days = days.value
    return wanted, problems


def _register_page(pcns: list[Pcn], pcn_ids: list[int] | None):  # type: ignore[no-untyped-def]
    """The register page or its CSV: the whole hub (pcn_ids None) or only the given PCNs' holders."""
    wanted, problems = _filter_from_args(pcns)
    today = date.today()
    rows = services.register_rows(current_user.hub_id, wanted, today, pcn_ids)
    if request.args.get("format") == "csv":
        return csv_response(
            f"eligibility-register-{today.isoformat()}.csv",
            services.REGISTER_HEADER,
            services.register_table(rows),
            action=Action.EXPORT_ELIGIBILITY_REGISTER,
            hub=current_user.hub_id,
            count=len(rows),
            pcns=pcn_ids if pcn_ids is not None else "all",
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
        rules_endpoint="eligibility.rules" if pcn_ids is None else "eligibility.pcn_rules",
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


@bp.get("/pcn/eligibility")
@login_required
def pcn_register():  # type: ignore[no-untyped-def]
    """A PCN lead's read-only register: only holders in the PCNs they lead (filtered in the query)."""
    pcns = access.led_pcns_or_403(current_user)
    return _register_page(pcns, [p.id for p in pcns])


def _rules_page(back_endpoint: str):  # type: ignore[no-untyped-def]
    return render_template(
        "eligibility/rules.html", rules=role_rules(), types=ELIGIBILITY_TYPES, back=back_endpoint, roles=PROFESSIONAL_ROLES
    )


@bp.get("/hub/eligibility/rules")
@hub_admin_required
def rules():  # type: ignore[no-untyped-def]
    """The register's rules: for each ARRS role, who may supervise it, how often, and which eligibility covers it."""
    return _rules_page("eligibility.register")


@bp.get("/pcn/eligibility/rules")
@login_required
def pcn_rules():  # type: ignore[no-untyped-def]
    """The register's rules, for a PCN lead."""
    access.led_pcns_or_403(current_user)
    return _rules_page("eligibility.pcn_register")


def _person_page(holder: User):  # type: ignore[no-untyped-def]
    records = db.session.scalars(
        select(EligibilityRecord).where(EligibilityRecord.user_id == holder.id).order_by(EligibilityRecord.eligibility_type)
    ).all()
    events = db.session.scalars(
        select(EligibilityEvent)
        .where(EligibilityEvent.user_id == holder.id)
        .order_by(EligibilityEvent.created_at.desc(), EligibilityEvent.id.desc())
    ).all()
    problem = None
    if holder.registration_number:
        problem = registration_number_problem(holder.registration_body or "", holder.registration_number)
    return render_template(
        "eligibility/person.html",
        holder=holder,
        records=records,
        events=events,
        today=date.today(),
        kinds=EVENT_LABELS,
        registration_problem=problem,
    )


@bp.get("/hub/eligibility/people/<int:user_id>")
@hub_admin_required
def person(user_id: int):  # type: ignore[no-untyped-def]
    """One person's eligibility: current records and the full history of grants, renewals and refusals."""
    return _person_page(access.get_hub_person(current_user, user_id))


@bp.get("/pcn/eligibility/people/<int:user_id>")
@login_required
def pcn_person(user_id: int):  # type: ignore[no-untyped-def]
    """One person's eligibility, for the lead of that person's PCN; 404 for anyone in another PCN."""
    return _person_page(access.get_led_person(current_user, user_id))


@bp.route("/hub/users/<int:user_id>/pcn-lead", methods=["GET", "POST"])
@hub_admin_required
def pcn_lead(user_id: int):  # type: ignore[no-untyped-def]
    """Give someone read access to the register of the PCNs they lead (or take it away)."""
    person = access.get_hub_person(current_user, user_id)
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


EVENT_LABELS = {
    "granted": "Granted",
    "renewed": "Renewed",
    "not_granted": "Not granted",
    "revoked": "Revoked",
    "reinstated": "Reinstated",
}


@bp.cli.command("send-eligibility-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend today is this date (for testing).")
@single_run("send-eligibility-reminders")
def send_eligibility_reminders(today) -> None:  # type: ignore[no-untyped-def]
    """Email holders when renewal opens and 30 days before expiry (safe to run daily from cron on every host)."""
    day = today.date() if today else date.today()
    sent = services.send_reminders(day, commit)
    click.echo(f"Sent {sent} eligibility reminder{'s' if sent != 1 else ''}.")
