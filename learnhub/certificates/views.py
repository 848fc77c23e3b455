"""Public verification, learners' certificates, and hub administration of certificates."""

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from learnhub.certificates import jobs, services
from learnhub.certificates.access import get_certificate_for, get_cohort_for, get_job_for
from learnhub.certificates.codes import CodeProblem, format_code, normalise_code
from learnhub.certificates.forms import CohortJobForm, JobActionForm, ReinstateForm, ReissueForm, RevokeForm, VerifyForm
from learnhub.certificates.models import Certificate
from learnhub.certificates.pdf import long_date, render_certificate, render_document
from learnhub.certificates.record import record_of_learning, total_hours
from learnhub.certificates.search import matches
from learnhub.courses.models import Cohort, Course, CourseCompletion, Enrolment
from learnhub.extensions import db, limiter
from learnhub.params import arg_choice, arg_int, arg_text
from learnhub.security import hub_admin_required

bp = Blueprint("certificates", __name__, template_folder="templates", cli_group=None)


STATE_LABELS = {"valid": "Valid", "expired": "Expired", "revoked": "Revoked", "superseded": "Superseded"}


def _verify_limit() -> str:
    return str(current_app.config.get("VERIFY_RATE_LIMIT", "30 per minute"))


# --- public verification -------------------------------------------------------------------


@bp.get("/verify")
@limiter.limit(_verify_limit)
def verify_form():  # type: ignore[no-untyped-def]
    """Type a verification code to check a certificate."""
    form = VerifyForm(request.args)
    if "code" in request.args and form.validate():
        return redirect(url_for("certificates.verify", code=format_code(form.code.data)))
    status = 400 if form.errors else 200
    return render_template("certificates/verify_form.html", form=form), status


@bp.get("/verify/<code>")
@limiter.limit(_verify_limit)
def verify(code: str):  # type: ignore[no-untyped-def]
    """The public record of a certificate: every field and its status."""
    try:
        canonical = normalise_code(code)
    except CodeProblem as problem:
        form = VerifyForm(data={"code": code})
        form.code.errors = [str(problem)]
        return render_template("certificates/verify_form.html", form=form), 400
    cert = db.session.scalar(select(Certificate).where(Certificate.code == canonical))
    if cert is None:
        return render_template("certificates/not_found.html"), 404
    if format_code(canonical) != code:
        return redirect(url_for("certificates.verify", code=format_code(canonical)))
    state = cert.state_on(date.today())
    return render_template("certificates/verify.html", cert=cert, state=state, state_label=STATE_LABELS[state])


# --- learners ---------------------------------------------------------------------------------


@bp.get("/certificates")
@login_required
def mine():  # type: ignore[no-untyped-def]
    """The signed-in learner's certificates."""
    certs = db.session.scalars(
        select(Certificate)
        .where(Certificate.user_id == current_user.id, Certificate.status != Certificate.SUPERSEDED)
        .order_by(Certificate.completed_on.desc(), Certificate.id.desc())
    ).all()
    from learnhub.eligibility.services import led_pcns

    return render_template(
        "certificates/mine.html", certs=certs, today=date.today(), labels=STATE_LABELS, led_pcns=led_pcns(current_user)
    )


@bp.get("/certificates/<int:certificate_id>/download")
@login_required
def download(certificate_id: int):  # type: ignore[no-untyped-def]
    """The stored PDF, exactly as issued."""
    cert = get_certificate_for(current_user, certificate_id)
    if not cert.pdf:  # the holder was erased: the PDF with their name is gone
        abort(404)
    filename = f"certificate-{format_code(cert.code)}.pdf"
    body = cert.pdf
    if cert.status != Certificate.VALID:
        # A revoked or superseded certificate must not pass for a current one once printed.
        body = render_certificate(services.facts_with_mark(cert))
        filename = f"certificate-{format_code(cert.code)}-{cert.status}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


@bp.get("/certificates/record")
@login_required
def record():  # type: ignore[no-untyped-def]
    """The learner's record of learning: every completion, its CPD hours and each certificate's status."""
    today = date.today()
    entries = record_of_learning(current_user.id, today)
    return render_template(
        "certificates/record.html", entries=entries, total=total_hours(entries), labels=STATE_LABELS, today=today
    )


@bp.get("/certificates/record.pdf")
@login_required
def record_pdf():  # type: ignore[no-untyped-def]
    """The record of learning as a CPD summary PDF for appraisal (tagged PDF/UA-1, like certificates)."""
    today = date.today()
    entries = record_of_learning(current_user.id, today)
    html = render_template(
        "certificates/pdf/record.html",
        entries=entries,
        total=total_hours(entries),
        labels=STATE_LABELS,
        today=today,
        holder=current_user,
    )
    body = render_document(html, current_user.name, *(entry.course_title for entry in entries))
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="record-of-learning.pdf"', "Cache-Control": "private, no-store"},
    )


# --- hub administration ---------------------------------------------------------------------


#: The status filter: "" (default) is every certificate that is not superseded.
STATUS_FILTERS = {
    "valid": "Valid",
    "expired": "Expired",
    "revoked": "Revoked",
    "superseded": "Superseded",
    "all": "Any, with superseded versions",
}
ADMIN_PAGE_SIZE = 50


@bp.get("/hub/certificates")
@hub_admin_required
def admin_list():  # type: ignore[no-untyped-def]
    """Certificates the hub issued: search by holder or course (accents ignored) or part of a code; filter by status."""
    query = arg_text("q").value
    status = arg_choice("status", STATUS_FILTERS).value
    today = date.today()
    stmt = select(Certificate).where(Certificate.hub_id == current_user.hub_id)
    if status == "valid":
        stmt = stmt.where(
            Certificate.status == Certificate.VALID, or_(Certificate.valid_until.is_(None), Certificate.valid_until >= today)
        )
    elif status == "expired":
        stmt = stmt.where(Certificate.status == Certificate.VALID, Certificate.valid_until < today)
    elif status in (Certificate.REVOKED, Certificate.SUPERSEDED):
        stmt = stmt.where(Certificate.status == status)
    elif status != "all":
        stmt = stmt.where(Certificate.status != Certificate.SUPERSEDED)
    if query:
        # Accent-insensitive matching needs Python (SQLite has no unaccent): read the few
        # columns it needs, then page through the matching certificates in SQL.
        candidates = db.session.execute(
            stmt.with_only_columns(Certificate.id, Certificate.holder_name, Certificate.course_title, Certificate.code)
        ).all()
        ids = [row.id for row in candidates if matches(query, holder=row.holder_name, course=row.course_title, code=row.code)]
        stmt = select(Certificate).where(Certificate.id.in_(ids))
    page = arg_int("page", default=1, maximum=1_000_000).value
    certs = db.paginate(
        stmt.order_by(Certificate.issued_at.desc(), Certificate.id.desc()), page=page, per_page=ADMIN_PAGE_SIZE, error_out=False
    )
    return render_template(
        "certificates/admin_list.html",
        certs=certs,
        q=query,
        status=status,
        statuses=STATUS_FILTERS,
        today=today,
        labels=STATE_LABELS,
        args={"q": query, "status": status},
    )


@bp.get("/hub/certificates/<int:certificate_id>")
@hub_admin_required
def admin_detail(certificate_id: int):  # type: ignore[no-untyped-def]
    """One certificate, with revoke and re-issue."""
    cert = get_certificate_for(current_user, certificate_id, admin=True)
    return _detail(cert, ReissueForm(holder_name=cert.user.name))


def _detail(cert: Certificate, reissue_form: ReissueForm, status: int = 200):  # type: ignore[no-untyped-def]
    state = cert.state_on(date.today())
    page = render_template(
        "certificates/admin_detail.html",
        cert=cert,
        state=state,
        state_label=STATE_LABELS[state],
        reissue_form=reissue_form,
    )
    return page, status


@bp.route("/hub/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@hub_admin_required
def revoke(certificate_id: int):  # type: ignore[no-untyped-def]
    """Confirm, with a reason, then revoke a certificate (and the eligibility resting on it)."""
    cert = get_certificate_for(current_user, certificate_id, admin=True)
    if cert.status != Certificate.VALID:
        flash(_not_revocable(cert), "warning" if cert.status == Certificate.REVOKED else "error")
        return redirect(url_for("certificates.admin_detail", certificate_id=cert.id))
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_certificate(current_user, cert, form.reason.data)
        except services.CertificateError as problem:
            form.reason.errors = [str(problem)]
        else:
            flash(f"Certificate {cert.display_code} has been revoked.", "success")
            return redirect(url_for("certificates.admin_detail", certificate_id=cert.id))
    page = render_template("certificates/revoke.html", cert=cert, form=form, records=_eligibility_of(cert))
    return page, 400 if form.errors else 200


def _not_revocable(cert: Certificate) -> str:
    if cert.status == Certificate.REVOKED:
        who = cert.revoked_by.name if cert.revoked_by else "an administrator"
        when = cert.revoked_at.date() if cert.revoked_at else None
        return f"This certificate was already revoked{f' on {long_date(when)}' if when else ''} by {who}. Nothing has changed."
    return "This version has been replaced by a re-issued certificate. Revoke the current version instead."


def _eligibility_of(cert: Certificate) -> list:
    from learnhub.eligibility.models import EligibilityRecord

    return list(db.session.scalars(select(EligibilityRecord).where(EligibilityRecord.certificate_id == cert.id)))


@bp.route("/hub/certificates/<int:certificate_id>/reinstate", methods=["GET", "POST"])
@hub_admin_required
def reinstate(certificate_id: int):  # type: ignore[no-untyped-def]
    """Confirm, with a reason, then undo a revocation made in error."""
    cert = get_certificate_for(current_user, certificate_id, admin=True)
    if cert.status != Certificate.REVOKED:
        flash("This certificate is not revoked. Nothing has changed.", "warning")
        return redirect(url_for("certificates.admin_detail", certificate_id=cert.id))
    form = ReinstateForm()
    if form.validate_on_submit():
        try:
            services.reinstate_certificate(current_user, cert, form.reason.data)
        except services.CertificateError as problem:
            form.reason.errors = [str(problem)]
        else:
            flash(f"Certificate {cert.display_code} has been reinstated. It is valid again.", "success")
            return redirect(url_for("certificates.admin_detail", certificate_id=cert.id))
    page = render_template("certificates/reinstate.html", cert=cert, form=form, records=_eligibility_of(cert))
    return page, 400 if form.errors else 200


@bp.post("/hub/certificates/<int:certificate_id>/reissue")
@hub_admin_required
def reissue(certificate_id: int):  # type: ignore[no-untyped-def]
    """Re-issue a certificate under a corrected name."""
    cert = get_certificate_for(current_user, certificate_id, admin=True)
    form = ReissueForm()
    if form.validate_on_submit():
        try:
            new = services.reissue_certificate(current_user, cert, form.holder_name.data)
        except services.CertificateError as problem:
            form.holder_name.errors = [str(problem)]
        else:
            flash(f"A new certificate {new.display_code} has been issued. The old code now shows as superseded.", "success")
            return redirect(url_for("certificates.admin_detail", certificate_id=new.id))
    return _detail(cert, form, 400)


@bp.get("/hub/certificates/bulk")
@hub_admin_required
def bulk():  # type: ignore[no-untyped-def]
    """The hub's cohorts, to issue or re-issue certificates for one of them."""
    completed = (
        select(Enrolment.cohort_id, func.count(CourseCompletion.id))
        .join(CourseCompletion, CourseCompletion.enrolment_id == Enrolment.id)
        .join(Course, Enrolment.course_id == Course.id)
        .where(Course.hub_id == current_user.hub_id)
        .group_by(Enrolment.cohort_id)
    )
    counts = dict(db.session.execute(completed).tuples().all())
    cohorts = db.session.scalars(
        select(Cohort)
        .join(Course, Cohort.course_id == Course.id)
        .where(Course.hub_id == current_user.hub_id)
        .order_by(Course.title, Cohort.starts_on.desc(), Cohort.id)
        .options(contains_eager(Cohort.course))
    ).all()
    return render_template("certificates/bulk.html", cohorts=cohorts, counts=counts)


@bp.route("/hub/certificates/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@hub_admin_required
def cohort_bulk(cohort_id: int):  # type: ignore[no-untyped-def]
    """Issue certificates to a cohort's members who completed and have none, or re-issue current ones."""
    cohort = get_cohort_for(current_user, cohort_id)
    form = CohortJobForm()
    problem = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        # One job per cohort at a time, atomically: a double click or a second tab finds the
        # job the first click claimed and is shown its progress.
        claimed, created = jobs.claim_cohort_job(current_user, current_user.hub_id, cohort.id, form.kind.data)
        if not created:
            flash("Certificates for this cohort are already being issued. This is its progress.", "warning")
            return redirect(url_for("certificates.job", job_id=claimed.id))
        to_issue, to_reissue = jobs.cohort_plan(cohort.id)
        items = to_issue if form.kind.data == "issue" else to_reissue
        if items:
            job = jobs.fill_and_launch(current_user, claimed, items)
            return redirect(url_for("certificates.job", job_id=job.id))
        # Nothing to do: the 400 page below rolls the empty claimed job back.
        if form.kind.data == "issue":
            problem = "Everyone in this cohort who has completed the course already has a certificate. Nothing was issued."
        else:
            problem = "Nobody in this cohort has a current certificate to re-issue. Nothing was re-issued."
    to_issue, to_reissue = jobs.cohort_plan(cohort.id)
    page = render_template(
        "certificates/cohort_bulk.html",
        cohort=cohort,
        to_issue=len(to_issue),
        to_reissue=len(to_reissue),
        problem=problem,
        issue_form=CohortJobForm(kind="issue"),
        reissue_form=CohortJobForm(kind="reissue"),
        running=jobs.pending_jobs(current_user.hub_id, cohort.id),
    )
    return page, 400 if problem else 200


@bp.get("/hub/certificates/jobs")
@hub_admin_required
def failed_jobs():  # type: ignore[no-untyped-def]
    """Bulk certificate jobs that need a look: items that failed, jobs that stopped, jobs the queue gave up on."""
    needing = jobs.jobs_needing_attention(current_user.hub_id)
    cohorts = {
        c.id: c for c in db.session.scalars(select(Cohort).where(Cohort.id.in_({j.cohort_id for j in needing if j.cohort_id})))
    }
    return render_template(
        "certificates/failed_jobs.html",
        needing=needing,
        cohorts=cohorts,
        stalled={j.id for j in needing if jobs.is_stalled(j)},
        queue_failures=jobs.queue_failures(current_user.hub_id),
        queued=bool(current_app.config.get("REDIS_URL")),
        retries=jobs.RETRIES,
    )


@bp.get("/hub/certificates/jobs/<int:job_id>")
@hub_admin_required
def job(job_id: int):  # type: ignore[no-untyped-def]
    """Progress of a bulk job (reload the page, or use its link, to see how far it has got)."""
    bulk_job = get_job_for(current_user, job_id)
    cohort = db.session.get(Cohort, bulk_job.cohort_id) if bulk_job.cohort_id else None
    return render_template(
        "certificates/job.html", job=bulk_job, cohort=cohort, stalled=jobs.is_stalled(bulk_job), form=JobActionForm()
    )


@bp.post("/hub/certificates/jobs/<int:job_id>/resume")
@hub_admin_required
def job_resume(job_id: int):  # type: ignore[no-untyped-def]
    """Start an abandoned job again from where it stopped (nothing already issued is issued again)."""
    bulk_job = get_job_for(current_user, job_id)
    if not JobActionForm().validate_on_submit():
        abort(400)
    if jobs.resume_bulk_job(current_user, bulk_job):
        flash("The job has been started again from where it stopped.", "success")
    else:
        flash("This job is not stuck, so it was left as it is.", "warning")
    return redirect(url_for("certificates.job", job_id=bulk_job.id))


@bp.post("/hub/certificates/jobs/<int:job_id>/cancel")
@hub_admin_required
def job_cancel(job_id: int):  # type: ignore[no-untyped-def]
    """Stop a job; certificates already issued stay issued."""
    bulk_job = get_job_for(current_user, job_id)
    if not JobActionForm().validate_on_submit():
        abort(400)
    if jobs.cancel_bulk_job(current_user, bulk_job):
        flash("The job has been cancelled. Certificates already issued stay issued.", "success")
    else:
        flash("This job had already ended.", "warning")
    return redirect(url_for("certificates.job", job_id=bulk_job.id))
