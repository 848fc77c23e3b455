"""Hub administrators: the results dashboard and the written comments, under safe filters."""

from flask import render_template, request
from sqlalchemy import distinct, select

from learnhub.evaluation import analysis, charts, interface, services
from learnhub.evaluation.access import (
    get_instrument_for_admin,
)
from learnhub.evaluation.forms import (
    FilterForm,
)
from learnhub.evaluation.models import (
    AGREEMENT,
    FOLLOW_UP,
    FREE_TEXT,
    POST,
    PRE,
    TIMEPOINTS,
    Attachment,
    Instrument,
)
from learnhub.evaluation.models import Response as SurveyResponse
from learnhub.evaluation.views import bp
from learnhub.extensions import db
from learnhub.organisations.models import Pcn
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.security import hub_admin_required

# --- hub administrators: results ---------------------------------------------------------------------


def read_filters(inst: Instrument) -> tuple[FilterForm, analysis.Filters, list[str]]:
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


def result_charts(results: analysis.Results) -> dict:
    """SVG charts for the results page and report."""
    rate_rows = [
        ("Invited", results.rates["invited"]),
        ("Answered before", results.rates[PRE]),
        ("Answered after", results.rates[POST]),
        ("Matched pairs", results.rates["matched"]),
    ]
    out = {"rates": charts.rate_bars("chart-rates", "Response numbers: invited, answered before, after and matched", rate_rows)}
    for r in results.items:
        if r.item.kind == AGREEMENT and PRE in r.waves and POST in r.waves:
            rows = [("Before", r.waves[PRE].counts), ("After", r.waves[POST].counts)]
            if FOLLOW_UP in r.waves:
                rows.append(("Follow-up", r.waves[FOLLOW_UP].counts))
            out[r.item.id] = charts.diverging_bars(
                f"chart-item-{r.item.id}",
                f"Answers before and after{' and at follow-up' if FOLLOW_UP in r.waves else ''}: {r.item.text}",
                rows,
            )
    return out


@bp.get("/instruments/<int:instrument_id>/results")
@hub_admin_required
def results(instrument_id: int):  # type: ignore[no-untyped-def]
    """The results dashboard: response rates, answers per question, matched change."""
    inst = get_instrument_for_admin(instrument_id)
    form, filters, described = read_filters(inst)
    threshold = services.threshold_for(inst.hub_id)
    res = analysis.compute(inst, filters, threshold)
    return render_template(
        "evaluation/results.html",
        instrument=inst,
        form=form,
        results=res,
        charts=result_charts(res),
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
    form, filters, described = read_filters(inst)
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
