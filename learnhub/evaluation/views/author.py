"""Hub administrators: instruments, sections, questions, where a survey is used, the threshold."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import distinct, select

from learnhub.evaluation import analysis, interface, services
from learnhub.evaluation.access import (
    get_attachment_for_admin,
    get_instrument_for_admin,
    get_item_for_admin,
    get_section_for_admin,
)
from learnhub.evaluation.forms import (
    AttachForm,
    EditItemForm,
    InstrumentForm,
    ItemForm,
    SectionForm,
    ThresholdForm,
    WindowsForm,
)
from learnhub.evaluation.interface import SUBJECT_TYPES
from learnhub.evaluation.models import (
    ITEM_KINDS,
    MULTIPLE,
    SCALE_KINDS,
    SINGLE,
    Attachment,
    Instrument,
    Item,
)
from learnhub.evaluation.views import bp
from learnhub.extensions import db
from learnhub.security import hub_admin_required

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
