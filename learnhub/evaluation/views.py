"""Evaluation pages: surveys for participants; instruments, results and exports for hub administrators."""

import csv
import io
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import distinct, select

from learnhub.audit import Action, audit
from learnhub.evaluation import analysis, charts, interface, services
from learnhub.evaluation.forms import (
    AttachForm,
    EditItemForm,
    FilterForm,
    InstrumentForm,
    ItemForm,
    SectionForm,
    ThresholdForm,
    WindowsForm,
    survey_form,
)
from learnhub.evaluation.interface import SUBJECT_TYPES
from learnhub.evaluation.models import (
    FREE_TEXT,
    ITEM_KINDS,
    MULTIPLE,
    POST,
    PRE,
    SCALE_KINDS,
    SINGLE,
    TIMEPOINTS,
    Attachment,
    Instrument,
    Item,
    Section,
)
from learnhub.evaluation.models import Response as SurveyResponse
from learnhub.extensions import db
from learnhub.organisations.models import Pcn
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.security import hub_admin_required
from learnhub.spreadsheet import safe_cell
from learnhub.timeutil import utcnow

bp = Blueprint("evaluation", __name__, template_folder="templates", url_prefix="/evaluation")


# --- authorisation helpers ------------------------------------------------------------------------


def get_instrument_for_admin(instrument_id: int) -> Instrument:
    """An instrument of the current administrator's hub; 404 for any other hub's."""
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None or not current_user.administers(instrument.hub_id):
        abort(404)
    return instrument


def get_item_for_admin(item_id: int) -> Item:
    """An item of one of the administrator's instruments; 404 otherwise."""
    item = db.session.get(Item, item_id)
    if item is None:
        abort(404)
    get_instrument_for_admin(item.instrument_id)
    return item


def get_section_for_admin(section_id: int) -> Section:
    """A section of one of the administrator's instruments; 404 otherwise."""
    section = db.session.get(Section, section_id)
    if section is None:
        abort(404)
    get_instrument_for_admin(section.instrument_id)
    return section


def get_attachment_for_admin(attachment_id: int) -> Attachment:
    """An attachment of the administrator's hub; 404 otherwise."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not current_user.administers(attachment.hub_id):
        abort(404)
    return attachment


def get_attachment_for_participant(attachment_id: int) -> Attachment:
    """A survey attachment in the person's own hub; 404 for another hub's."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.hub_id != current_user.hub_id:
        abort(404)
    return attachment


@bp.app_template_global()
def evaluation_surveys_due() -> int:
    """Number of open surveys the signed-in person still has to submit (for the home page)."""
    if not current_user.is_authenticated:
        return 0
    return sum(1 for s in services.surveys_for(current_user) if s.status != "submitted")


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
    return render_template(
        "evaluation/answer.html",
        attachment=attachment,
        tp=tp,
        form=form,
        sections=sections,
        response=response,
        problem=problem,
        can_edit=tp.is_open(now),
        threshold=services.threshold_for(attachment.hub_id),
    )


# --- hub administrators: instruments --------------------------------------------------------------


@bp.get("/instruments")
@hub_admin_required
def instruments():  # type: ignore[no-untyped-def]
    """The hub's survey instruments."""
    rows = db.session.scalars(select(Instrument).where(Instrument.hub_id == current_user.hub_id).order_by(Instrument.title)).all()
    return render_template(
        "evaluation/instruments.html",
        instruments=rows,
        copy_form=FlaskForm(),
        threshold=services.threshold_for(current_user.hub_id),
    )


@bp.route("/instruments/<int:instrument_id>", methods=["GET", "POST"])
@hub_admin_required
def instrument(instrument_id: int):  # type: ignore[no-untyped-def]
    """An instrument's questions, where it is used; add, retire or delete questions."""
    inst = get_instrument_for_admin(instrument_id)
    item_form = ItemForm(
        prefix="item", data={"asked_at": ["pre", "post"], "flags": ["required"]} if request.method == "GET" else None
    )
    item_form.section.choices = [("", "Select a section")] + [(str(sec.id), sec.title) for sec in inst.sections]
    if item_form.validate_on_submit():
        section = next((sec for sec in inst.sections if str(sec.id) == item_form.section.data), None)
        if section is None:
            abort(404)
        services.add_item(
            current_user,
            section,
            kind=item_form.kind.data,
            text=item_form.text.data,
            options=item_form.option_list(),
            asked_at=item_form.asked_at.data,
            flags=item_form.flags.data or [],
        )
        flash("The question has been added.", "success")
        return redirect(url_for("evaluation.instrument", instrument_id=inst.id))
    answered = set(
        db.session.scalars(
            select(distinct(analysis.Answer.item_id))
            .join(Item, Item.id == analysis.Answer.item_id)
            .where(Item.instrument_id == inst.id)
        )
    )
    return render_template(
        "evaluation/instrument.html",
        instrument=inst,
        answered=answered,
        form=FlaskForm(),
        item_form=item_form,
        subject_types=SUBJECT_TYPES,
    )


@bp.route("/instruments/new", methods=["GET", "POST"])
@hub_admin_required
def new_instrument():  # type: ignore[no-untyped-def]
    """Start a new survey: its title and description; sections and questions come next."""
    form = InstrumentForm()
    if form.validate_on_submit():
        inst = services.new_instrument(current_user, current_user.hub_id, form.title.data, form.description.data)
        flash(f"'{inst.title}' has been created. Add a section, then its questions.", "success")
        return redirect(url_for("evaluation.instrument", instrument_id=inst.id))
    return render_template("evaluation/instrument_form.html", form=form, instrument=None)


@bp.route("/instruments/<int:instrument_id>/edit", methods=["GET", "POST"])
@hub_admin_required
def edit_instrument(instrument_id: int):  # type: ignore[no-untyped-def]
    """Change a survey's title and description."""
    inst = get_instrument_for_admin(instrument_id)
    form = InstrumentForm(obj=inst)
    if form.validate_on_submit():
        services.update_instrument(current_user, inst, form.title.data, form.description.data)
        flash("The survey's title and description have been saved.", "success")
        return redirect(url_for("evaluation.instrument", instrument_id=inst.id))
    return render_template("evaluation/instrument_form.html", form=form, instrument=inst)


@bp.route("/instruments/<int:instrument_id>/sections/new", methods=["GET", "POST"])
@hub_admin_required
def new_section(instrument_id: int):  # type: ignore[no-untyped-def]
    """Add a section at the end of a survey."""
    inst = get_instrument_for_admin(instrument_id)
    form = SectionForm()
    if form.validate_on_submit():
        section = services.add_section(current_user, inst, form.title.data, form.description.data)
        flash(f"The section '{section.title}' has been added. You can now add questions to it.", "success")
        return redirect(url_for("evaluation.instrument", instrument_id=inst.id) + "#add-question")
    return render_template("evaluation/section_form.html", form=form, instrument=inst, section=None)


@bp.route("/sections/<int:section_id>", methods=["GET", "POST"])
@hub_admin_required
def edit_section(section_id: int):  # type: ignore[no-untyped-def]
    """Rename a section or change its introduction."""
    section = get_section_for_admin(section_id)
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        services.update_section(current_user, section, form.title.data, form.description.data)
        flash("The section has been saved.", "success")
        return redirect(url_for("evaluation.instrument", instrument_id=section.instrument_id) + f"#section-{section.id}")
    return render_template("evaluation/section_form.html", form=form, instrument=section.instrument, section=section)


@bp.post("/sections/<int:section_id>/move/<any(up, down):direction>")
@hub_admin_required
def move_section(section_id: int, direction: str):  # type: ignore[no-untyped-def]
    """Move a section one place up or down."""
    section = get_section_for_admin(section_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.move_section(current_user, section, direction)
    return redirect(url_for("evaluation.instrument", instrument_id=section.instrument_id) + f"#section-{section.id}")


@bp.post("/sections/<int:section_id>/delete")
@hub_admin_required
def delete_section(section_id: int):  # type: ignore[no-untyped-def]
    """Remove a section with no questions."""
    section = get_section_for_admin(section_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    instrument_id, title = section.instrument_id, section.title
    try:
        services.delete_section(current_user, section)
    except services.AuthoringProblem as error:
        flash(str(error), "error")
    else:
        flash(f"The section '{title}' has been removed.", "success")
    return redirect(url_for("evaluation.instrument", instrument_id=instrument_id))


@bp.post("/items/<int:item_id>/move/<any(up, down):direction>")
@hub_admin_required
def move_item(item_id: int, direction: str):  # type: ignore[no-untyped-def]
    """Move a question one place up or down within its section."""
    item = get_item_for_admin(item_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.move_item(current_user, item, direction)
    return redirect(url_for("evaluation.instrument", instrument_id=item.instrument_id) + f"#section-{item.section_id}")


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@hub_admin_required
def edit_item(item_id: int):  # type: ignore[no-untyped-def]
    """Change a question's wording, hint and required flag (and, before anyone answers, its type and options)."""
    item = get_item_for_admin(item_id)
    answered = services.item_has_answers(item)
    data = None
    if request.method == "GET":
        data = {
            "text": item.text,
            "hint": item.hint or "",
            "required": item.required,
            "asked_at": [tp for tp in item.asked_at.split(",") if tp],
            "kind": item.kind,
            "options": "\n".join(item.options or []),
            "core": item.core,
            "reverse": item.reverse_scored,
        }
    form = EditItemForm(data=data)
    if answered:
        # Fixed once answered: the form neither shows nor reads them.
        for name in ("kind", "options", "core", "reverse"):
            delattr(form, name)
    if form.validate_on_submit():
        changes: dict = {
            "text": form.text.data,
            "hint": form.hint.data,
            "required": bool(form.required.data),
            "asked_at": form.asked_at.data,
        }
        if not answered:
            changes.update(
                kind=form.kind.data,
                options=form.option_list() if form.kind.data in (SINGLE, MULTIPLE) else None,
                core=bool(form.core.data),
                reverse_scored=bool(form.reverse.data),
            )
        try:
            services.update_item(current_user, item, **changes)
        except services.AuthoringProblem as error:
            # Someone answered between showing the form and saving it.
            flash(str(error), "error")
            return redirect(url_for("evaluation.edit_item", item_id=item.id))
        flash("The question has been saved.", "success")
        return redirect(url_for("evaluation.instrument", instrument_id=item.instrument_id) + f"#section-{item.section_id}")
    return render_template(
        "evaluation/item_form.html",
        form=form,
        item=item,
        instrument=item.instrument,
        answered=answered,
        kinds=ITEM_KINDS,
        scale_kind=item.kind in SCALE_KINDS,
    )


def _subject_choices(hub_id: int) -> dict[str, str]:
    """``{"course:12": "Course: Title", ...}`` for the hub's courses and ALS programmes."""
    return {
        f"{subject_type}:{subject_id}": f"{SUBJECT_TYPES[subject_type]}: {label}"
        for subject_type, subject_id, label in interface.subjects(hub_id)
    }


def _window_data(attachment: Attachment) -> dict:
    """The attachment's dates, to fill in the form."""
    data = {}
    for tp in attachment.timepoints:
        data[f"{tp.timepoint}_opens"] = tp.opens_at.date()
        data[f"{tp.timepoint}_closes"] = tp.closes_at.date()
    return data


def _keep_unchanged_times(attachment: Attachment | None, windows: dict) -> dict:
    """Dates left as they were keep their exact times (a demo or imported survey may close at noon)."""
    if attachment is None:
        return windows
    out = {}
    for name, (opens, closes) in windows.items():
        tp = attachment.timepoint(name)
        if tp is not None:
            if tp.opens_at.date() == opens.date():
                opens = tp.opens_at
            if tp.closes_at.date() == closes.date():
                closes = tp.closes_at
        out[name] = (opens, closes)
    return out


@bp.route("/instruments/<int:instrument_id>/attach", methods=["GET", "POST"])
@hub_admin_required
def attach(instrument_id: int):  # type: ignore[no-untyped-def]
    """Use a survey for a course or ALS programme, before, after and at follow-up."""
    inst = get_instrument_for_admin(instrument_id)
    choices = _subject_choices(inst.hub_id)
    form = AttachForm()
    form.subject.choices = [("", "Select a course or programme")] + list(choices.items())
    problem = None
    if form.validate_on_submit():
        if form.subject.data not in choices:
            abort(404)  # not one of this hub's courses or programmes
        subject_type, _, subject_id = form.subject.data.partition(":")
        label = choices[form.subject.data].split(": ", 1)[1]
        try:
            services.attach_to_subject(current_user, inst, subject_type, int(subject_id), label, form.windows())
        except services.AuthoringProblem as error:
            problem = str(error)
        else:
            flash(f"The survey is now used for {label}. The people taking part will see it when it opens.", "success")
            return redirect(url_for("evaluation.instrument", instrument_id=inst.id) + "#where-used")
    return render_template(
        "evaluation/attach.html", form=form, instrument=inst, attachment=None, problem=problem, has_subjects=bool(choices)
    )


@bp.route("/attachments/<int:attachment_id>", methods=["GET", "POST"])
@hub_admin_required
def attachment(attachment_id: int):  # type: ignore[no-untyped-def]
    """Change the dates of a survey's before, after and follow-up waves; add or remove a wave."""
    att = get_attachment_for_admin(attachment_id)
    form = WindowsForm(data=_window_data(att) if request.method == "GET" else None)
    problem = None
    if form.validate_on_submit():
        try:
            services.update_attachment(current_user, att, _keep_unchanged_times(att, form.windows()))
        except services.AuthoringProblem as error:
            problem = str(error)
        else:
            flash(f"The survey dates for {att.label} have been saved.", "success")
            return redirect(url_for("evaluation.instrument", instrument_id=att.instrument_id) + "#where-used")
    answered = services.responses_by_timepoint(att)
    return render_template(
        "evaluation/attach.html",
        form=form,
        instrument=att.instrument,
        attachment=att,
        problem=problem,
        answered=answered,
        delete_form=FlaskForm(),
        subject_type=SUBJECT_TYPES.get(att.subject_type, att.subject_type),
    )


@bp.post("/attachments/<int:attachment_id>/detach")
@hub_admin_required
def detach(attachment_id: int):  # type: ignore[no-untyped-def]
    """Stop using a survey for a course or programme, if nobody has answered it there."""
    att = get_attachment_for_admin(attachment_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    instrument_id, label = att.instrument_id, att.label
    try:
        services.detach(current_user, att)
    except services.AuthoringProblem as error:
        flash(str(error), "error")
        return redirect(url_for("evaluation.attachment", attachment_id=att.id))
    flash(f"The survey is no longer used for {label}.", "success")
    return redirect(url_for("evaluation.instrument", instrument_id=instrument_id) + "#where-used")


@bp.post("/instruments/<int:instrument_id>/copy")
@hub_admin_required
def copy(instrument_id: int):  # type: ignore[no-untyped-def]
    """Copy an instrument (its current questions, not its answers)."""
    inst = get_instrument_for_admin(instrument_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    new = services.copy_instrument(current_user, inst)
    flash(f"'{new.title}' has been created. It has the same questions and no answers.", "success")
    return redirect(url_for("evaluation.instrument", instrument_id=new.id))


@bp.post("/items/<int:item_id>/<action>")
@hub_admin_required
def item_action(item_id: int, action: str):  # type: ignore[no-untyped-def]
    """Retire, restore or delete a question."""
    item = get_item_for_admin(item_id)
    form = FlaskForm()
    if not form.validate_on_submit() or action not in {"retire", "restore", "delete"}:
        abort(400)
    if action == "delete":
        try:
            services.delete_item(current_user, item)
        except services.ItemHasAnswers as error:
            flash(str(error), "error")
        else:
            flash("The question has been deleted.", "success")
    else:
        services.retire_item(current_user, item, retired=action == "retire")
        flash(
            "The question has been retired: it is no longer asked." if action == "retire" else "The question is asked again.",
            "success",
        )
    return redirect(url_for("evaluation.instrument", instrument_id=item.instrument_id))


@bp.route("/settings", methods=["GET", "POST"])
@hub_admin_required
def settings():  # type: ignore[no-untyped-def]
    """The hub's small-number suppression threshold."""
    form = ThresholdForm(threshold=services.threshold_for(current_user.hub_id))
    if form.validate_on_submit():
        services.set_threshold(current_user, current_user.hub_id, form.threshold.data)
        flash(f"Results based on fewer than {form.threshold.data} people will now be hidden.", "success")
        return redirect(url_for("evaluation.instruments"))
    return render_template("evaluation/settings.html", form=form)


# --- hub administrators: results ---------------------------------------------------------------------


def _filters(inst: Instrument) -> tuple[FilterForm, analysis.Filters, list[str]]:
    """The filter form from the query string, and the filters it describes."""
    form = FilterForm(request.args, meta={"csrf": False})
    form.attachment.choices = [("", "All")] + [(str(a.id), a.label) for a in inst.attachments]
    subgroups = db.session.scalars(
        select(distinct(SurveyResponse.subgroup))
        .join(Attachment, Attachment.id == SurveyResponse.attachment_id)
        .where(Attachment.instrument_id == inst.id, SurveyResponse.subgroup.is_not(None))
        .order_by(SurveyResponse.subgroup)
    ).all()
    # Course cohorts and ALS groups are stored by id: show their names (several names if two
    # subjects happen to share a key).
    names: dict[str, set[str]] = {}
    for a in inst.attachments:
        for key, name in interface.subgroup_labels(a.subject_type, a.subject_id).items():
            names.setdefault(key, set()).add(name)
    labelled = [(s, " / ".join(sorted(names[s])) if s in names else s) for s in subgroups]
    form.subgroup.choices = [("", "All")] + sorted(labelled, key=lambda choice: choice[1].lower())
    pcns = db.session.scalars(select(Pcn).where(Pcn.hub_id == inst.hub_id).order_by(Pcn.name)).all()
    form.pcn.choices = [("", "All")] + [(str(p.id), p.name) for p in pcns]
    form.role.choices = [("", "All")] + list(PROFESSIONAL_ROLES.items())
    filters = analysis.Filters()
    described: list[str] = []
    if request.args and not form.validate():
        return form, filters, described
    choices = {name: dict(getattr(form, name).choices) for name in ("attachment", "subgroup", "pcn", "role")}
    if form.attachment.data in choices["attachment"] and form.attachment.data:
        filters.attachment_id = int(form.attachment.data)
    if form.subgroup.data in choices["subgroup"] and form.subgroup.data:
        filters.subgroup = form.subgroup.data
    if form.pcn.data in choices["pcn"] and form.pcn.data:
        filters.pcn_id = int(form.pcn.data)
    if form.role.data in choices["role"] and form.role.data:
        filters.professional_role = form.role.data
    filters.date_from = form.date_from.data
    filters.date_to = form.date_to.data
    for name, label in (("attachment", "Course or programme"), ("subgroup", "Cohort or group"), ("pcn", "PCN"), ("role", "Role")):
        value = getattr(form, name).data
        if value:
            described.append(f"{label}: {choices[name].get(value, value)}")
    if filters.date_from:
        described.append(f"Submitted from {filters.date_from:%-d %B %Y}")
    if filters.date_to:
        described.append(f"Submitted up to {filters.date_to:%-d %B %Y}")
    return form, filters, described


def _charts(results: analysis.Results) -> dict:
    """SVG charts for the results page and report (built in ``charts.for_results``)."""
    return charts.for_results(results)


@bp.get("/instruments/<int:instrument_id>/results")
@hub_admin_required
def results(instrument_id: int):  # type: ignore[no-untyped-def]
    """The results dashboard: response rates, answers per question, matched change."""
    inst = get_instrument_for_admin(instrument_id)
    form, filters, described = _filters(inst)
    threshold = services.threshold_for(inst.hub_id)
    res = analysis.compute(inst, filters, threshold)
    return render_template(
        "evaluation/results.html",
        instrument=inst,
        form=form,
        results=res,
        charts=_charts(res),
        described=described,
        timepoints=TIMEPOINTS,
        caveat=analysis.stats.DESIGN_CAVEAT,
        query=request.query_string.decode(),
        free_text_items=[i for s in inst.sections for i in s.items if i.kind == FREE_TEXT],
    )


@bp.get("/instruments/<int:instrument_id>/free-text")
@hub_admin_required
def free_text(instrument_id: int):  # type: ignore[no-untyped-def]
    """Free-text answers without names, optionally for one question."""
    inst = get_instrument_for_admin(instrument_id)
    form, filters, described = _filters(inst)
    item_id = request.args.get("item", type=int)
    threshold = services.threshold_for(inst.hub_id)
    withheld = analysis.differencing_problem(inst, filters, threshold)
    groups = [] if withheld else analysis.free_text(inst, filters, threshold, item_id=item_id)
    items = [i for s in inst.sections for i in s.items if i.kind == FREE_TEXT]
    return render_template(
        "evaluation/free_text.html",
        instrument=inst,
        groups=groups,
        items=items,
        item_id=item_id,
        threshold=threshold,
        described=described,
        withheld=withheld,
    )


def _export_rows(res: analysis.Results) -> list[list]:
    """Aggregate results as rows (header first), suppressed exactly as on screen."""
    rows: list[list] = [["Section", "Question", "Timepoint or measure", "Answer", "Value"]]
    rows.append(["Response rates", "", "Suppression threshold", "", res.threshold])
    if res.differencing_withheld:
        rows.append(["Filtered results withheld", "", "", "", res.differencing_withheld])
    for key, label in (("invited", "Invited"), (PRE, "Answered before"), (POST, "Answered after"), ("matched", "Matched pairs")):
        rows.append(["Response rates", "", label, "Number", res.rates[key]])
        if key != "invited":
            rows.append(["Response rates", "", label, "Percent of invited", res.rate_percent[key]])
    for r in res.items:
        for tp, wave in r.waves.items():
            when = TIMEPOINTS[tp]
            rows.append(["Answers", r.item.text, when, "Number answering", wave.n])
            for (value, label), count in zip(r.choices, wave.counts, strict=True):
                rows.append(["Answers", r.item.text, when, f"{value} {label}" if label != str(value) else label, count])
            if wave.median is not None:
                rows.append(["Answers", r.item.text, when, "Median", wave.median])
            if wave.mean is not None:
                rows.append(["Answers", r.item.text, when, "Mean", wave.mean])
        if r.change is not None:
            rows.append(["Matched change", r.item.text, "Pairs", "", r.change.n_pairs])
            rows.append(["Matched change", r.item.text, "Median change", "", r.change.median_change])
            rows.append(
                ["Matched change", r.item.text, "Wilcoxon p-value", "", r.change.p_value if r.change.p_value is not None else ""]
            )
            rows.append(
                [
                    "Matched change",
                    r.item.text,
                    "Rank-biserial r",
                    "",
                    r.change.rank_biserial if r.change.rank_biserial is not None else "",
                ]
            )
        elif r.change_withheld:
            rows.append(["Matched change", r.item.text, "Pairs", "", "*"])
    if res.follow_up is not None:
        fu = res.follow_up
        rows.append(["Before and follow-up", "", "Matched pairs", "", fu.pairs])
        for r in res.items:
            f = fu.items.get(r.item.id)
            if f is None:
                continue
            if f.change is None:
                rows.append(["Before and follow-up", r.item.text, "Pairs", "", "*"])
                continue
            rows.append(["Before and follow-up", r.item.text, "Pairs", "", f.change.n_pairs])
            rows.append(["Before and follow-up", r.item.text, "Median change", "", f.change.median_change])
            p_value, r_value = f.change.p_value, f.change.rank_biserial
            rows.append(["Before and follow-up", r.item.text, "Wilcoxon p-value", "", "" if p_value is None else p_value])
            rows.append(["Before and follow-up", r.item.text, "Rank-biserial r", "", "" if r_value is None else r_value])
        if fu.composite is not None:
            for label, value in (
                ("Pairs", fu.composite.n_pairs),
                ("Mean change", fu.composite.mean_change),
                ("Paired t p-value", fu.composite.p_value),
                ("Cohen's dz", fu.composite.cohens_dz),
            ):
                rows.append(["Before and follow-up", "Mean of core questions", label, "", "" if value is None else value])
    c = res.composite
    if c is not None:
        for label, value in (
            ("Pairs", c.n_pairs),
            ("Mean change", c.mean_change),
            ("95% CI low", c.ci_low),
            ("95% CI high", c.ci_high),
            ("Paired t p-value", c.p_value),
            ("Cohen's dz", c.cohens_dz),
        ):
            rows.append(["Overall score", "Mean of core questions", label, "", "" if value is None else value])
    else:
        rows.append(["Overall score", "Mean of core questions", "Pairs", "", "*"])
    return rows


@bp.get("/instruments/<int:instrument_id>/results.<fmt>")
@hub_admin_required
def export(instrument_id: int, fmt: str):  # type: ignore[no-untyped-def]
    """Aggregate results as CSV or XLSX (no individual answers, suppression applied)."""
    inst = get_instrument_for_admin(instrument_id)
    if fmt not in {"csv", "xlsx"}:
        abort(404)
    _form, filters, described = _filters(inst)
    res = analysis.compute(inst, filters, services.threshold_for(inst.hub_id))
    rows = _export_rows(res)
    name = f"evaluation-{inst.id}-{date.today():%Y%m%d}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([f"{inst.title}"] + ([" ; ".join(described)] if described else []))
        for row in rows:
            writer.writerow([_safe_cell(v) for v in row])
        audit(current_user, Action.EXPORT_EVALUATION_RESULTS, instrument=inst.id, hub=inst.hub_id, format="csv")
        db.session.commit()
        return Response(
            buffer.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}.csv"'}
        )
    audit(current_user, Action.EXPORT_EVALUATION_RESULTS, instrument=inst.id, hub=inst.hub_id, format="xlsx")
    db.session.commit()
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Results"
    sheet.append([inst.title[:200]] + ([" ; ".join(described)] if described else []))
    for row in rows:
        sheet.append([_safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


def _safe_cell(value: object) -> object:
    """Rounded numbers, and text that a spreadsheet will not run as a formula."""
    if isinstance(value, float):
        return round(value, 4)
    return safe_cell(value)


@bp.get("/instruments/<int:instrument_id>/report.pdf")
@hub_admin_required
def report(instrument_id: int):  # type: ignore[no-untyped-def]
    """A printable evaluation report (PDF/UA-1, tagged) for commissioners."""
    from learnhub.evaluation.report import render_report

    inst = get_instrument_for_admin(instrument_id)
    _form, filters, described = _filters(inst)
    res = analysis.compute(inst, filters, services.threshold_for(inst.hub_id))
    html = render_template(
        "evaluation/pdf/report.html",
        instrument=inst,
        results=res,
        charts=_charts(res),
        described=described,
        timepoints=TIMEPOINTS,
        caveat=analysis.stats.DESIGN_CAVEAT,
        generated=utcnow(),
    )
    audit(current_user, Action.EXPORT_EVALUATION_RESULTS, instrument=inst.id, hub=inst.hub_id, format="pdf")
    db.session.commit()
    pdf = render_report(html)
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="evaluation-report-{inst.id}.pdf"'}
    )
