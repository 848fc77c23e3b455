"""Hub administrators: the results dashboard and the written comments, under safe filters."""

from flask import render_template, request
from sqlalchemy import select

from learnhub.evaluation import analysis, charts, interface, services
from learnhub.evaluation.access import (
    get_instrument_for_admin,
)
from learnhub.evaluation.forms import (
    FilterForm,
)
from learnhub.evaluation.models import (
    FREE_TEXT,
    TIMEPOINTS,
    Instrument,
)
from learnhub.evaluation.views import bp
from learnhub.extensions import db
from learnhub.organisations.models import Pcn
from learnhub.params import arg_choice, arg_int
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.security import hub_admin_required

#: The query-string parameters of the results filter, in the order they are checked.
SLICE_PARAMS = ("attachment", "subgroup", "pcn", "role", "period")


def read_filters(inst: Instrument) -> tuple[FilterForm, analysis.Filters, list[str]]:
    """The filter form from the query string, and the one slice it asks for.

    Every parameter is parsed through :mod:`learnhub.params` against the choices offered, so a
    value that is not offered (``?date_to=9999-12-31``, ``?pcn=²``, an old free date range) is
    ignored. Only one slice may be chosen at a time (see ``analysis.slices``): with more, the page
    says so and shows the results for everyone.
    """
    form = FilterForm(formdata=None, meta={"csrf": False})
    form.attachment.choices = [("", "All")] + [(str(a.id), a.label) for a in inst.attachments]
    subgroups = analysis.submission_subgroups(inst)
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
    form.period.choices = [("", "All")] + analysis.period_choices(analysis.submission_months(inst))

    chosen = {}
    for name in SLICE_PARAMS:
        field = getattr(form, name)
        value = arg_choice(name, [value for value, _label in field.choices if value]).value
        if value:
            chosen[name] = value
            field.data = value
    if len(chosen) > 1:
        form.attachment.errors = [
            "Choose one filter at a time: a course or programme, a cohort or group, a PCN, a role or a period"
        ]
        return form, analysis.Filters(), []
    filters = analysis.Filters()
    described: list[str] = []
    for name, value in chosen.items():
        label = dict(getattr(form, name).choices)[value]
        if name == "attachment":
            filters.attachment_id = int(value)
            described.append(f"Course or programme: {label}")
        elif name == "subgroup":
            filters.subgroup = value
            described.append(f"Cohort or group: {label}")
        elif name == "pcn":
            filters.pcn_id = int(value)
            described.append(f"PCN: {label}")
        elif name == "role":
            filters.professional_role = value
            described.append(f"Role: {label}")
        else:
            filters.period = value
            described.append(f"Submitted in {label}")
    return form, filters, described


def result_charts(results: analysis.Results) -> dict:
    """SVG charts for the results page and report (built in ``charts.for_results``)."""
    return charts.for_results(results)


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
    item_id = arg_int("item", default=0, minimum=0).value or None
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
