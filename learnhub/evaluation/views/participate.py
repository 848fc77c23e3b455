"""Participants: the surveys they are asked to answer, and answering them."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learnhub.evaluation import services
from learnhub.evaluation.access import (
    get_attachment_for_participant,
)
from learnhub.evaluation.forms import (
    survey_form,
)
from learnhub.evaluation.models import (
    TIMEPOINTS,
)
from learnhub.evaluation.views import bp
from learnhub.timeutil import utcnow

# --- participants ------------------------------------------------------------------------------------


@bp.get("/surveys")
@login_required
def my_surveys():  # type: ignore[no-untyped-def]
    """Surveys the person has been asked to answer, and the ones they have sent."""
    surveys = services.surveys_for(current_user)
    return render_template("evaluation/my_surveys.html", surveys=surveys, now=utcnow())


@bp.route("/surveys/<int:attachment_id>/<timepoint>", methods=["GET", "POST"])
@login_required
def answer(attachment_id: int, timepoint: str):  # type: ignore[no-untyped-def]
    """Answer one survey wave: save and come back, submit, or edit until it closes."""
    attachment = get_attachment_for_participant(attachment_id)
    tp = attachment.timepoint(timepoint)
    is_invited, _ = services.invitation(attachment, current_user.id)
    if tp is None or not is_invited:
        return render_template("evaluation/not_invited.html", attachment=attachment, timepoint=TIMEPOINTS.get(timepoint)), 403
    now = utcnow()
    response = services.find_response(attachment, timepoint, current_user.id)
    items = services.asked_items(attachment, timepoint)
    form = survey_form(items, services.stored_answers(response))
    problem = None
    if now < tp.opens_at:
        problem = f"This survey opens on {tp.opens_at:%-d %B %Y}."
    elif now >= tp.closes_at:
        problem = f"This survey closed on {tp.closes_at:%-d %B %Y}. Your answers can no longer be changed."
    if request.method == "POST" and form.validate_on_submit():
        submitting = bool(form.submit_answers.data)
        answers = form.answers()
        problems = services.check_answers(items, answers, submitting=submitting)
        for item, name in form.item_fields:
            if item.id in problems:
                form[name].errors.append(problems[item.id])
        if not problems:
            try:
                services.save_response(current_user, attachment, timepoint, answers, submit=submitting, now=now)
            except services.SurveyProblem as error:
                problem = str(error)
            else:
                if submitting:
                    flash("Thank you. Your answers have been sent.", "success")
                    return redirect(url_for("evaluation.my_surveys"))
                flash("Your answers have been saved. You can come back to finish them before the survey closes.", "success")
                return redirect(url_for("evaluation.answer", attachment_id=attachment.id, timepoint=timepoint))
    sections = []
    for section in attachment.instrument.sections:
        names = [(item, name) for item, name in form.item_fields if item.section_id == section.id]
        if names:
            sections.append((section, names))
    # The error summary names each question and links to it ("Select an answer" eight times
    # would not say which); the message beside each question stays short.
    summary = [
        {"text": f"{message}: {item.text}", "href": f"#{form[name].id}"}
        for item, name in form.item_fields
        for message in form[name].errors
        if isinstance(message, str)
    ]
    return render_template(
        "evaluation/answer.html",
        error_summary_list=summary,
        attachment=attachment,
        tp=tp,
        form=form,
        sections=sections,
        response=response,
        problem=problem,
        can_edit=tp.is_open(now),
        threshold=services.threshold_for(attachment.hub_id),
    )


@bp.cli.command("send-survey-emails")
def send_survey_emails() -> None:
    """Email survey invitations when a wave opens and one reminder before it closes (cron, e.g. hourly)."""
    import click

    from learnhub.evaluation.notices import send_survey_emails as send
    from learnhub.transactions import commit

    invitations, reminders = send(commit)
    click.echo(f"Queued {invitations} survey invitation(s) and {reminders} reminder(s).")
