"""Hub administrators: results as CSV, XLSX and a PDF report (aggregates only, suppression applied)."""

from datetime import date

from flask import Response, abort, render_template
from flask_login import current_user

from learnhub.audit import Action, audit
from learnhub.evaluation import analysis, services, tables
from learnhub.evaluation.access import (
    get_instrument_for_admin,
)
from learnhub.evaluation.models import (
    TIMEPOINTS,
)
from learnhub.evaluation.views import bp
from learnhub.evaluation.views.results import read_filters, result_charts
from learnhub.exports import csv_response, xlsx_response
from learnhub.security import hub_admin_required
from learnhub.timeutil import utcnow


@bp.get("/instruments/<int:instrument_id>/results.<fmt>")
@hub_admin_required
def export(instrument_id: int, fmt: str):  # type: ignore[no-untyped-def]
    """Aggregate results as CSV or XLSX (no individual answers, suppression applied)."""
    inst = get_instrument_for_admin(instrument_id)
    if fmt not in {"csv", "xlsx"}:
        abort(404)
    _form, filters, described = read_filters(inst)
    res = analysis.compute(inst, filters, services.threshold_for(inst.hub_id))
    name = f"evaluation-{inst.id}-{date.today():%Y%m%d}"
    details = {"instrument": inst.id, "hub": inst.hub_id}
    if fmt == "csv":
        return csv_response(
            f"{name}.csv", None, tables.csv_rows(res, inst.title, described), action=Action.EXPORT_EVALUATION_RESULTS, **details
        )
    return xlsx_response(
        f"{name}.xlsx", tables.sheets(res, inst.title, described), action=Action.EXPORT_EVALUATION_RESULTS, **details
    )


@bp.get("/instruments/<int:instrument_id>/report.pdf")
@hub_admin_required
def report(instrument_id: int):  # type: ignore[no-untyped-def]
    """A printable evaluation report (PDF/UA-1, tagged) for commissioners."""
    from learnhub.evaluation.report import render_report

    inst = get_instrument_for_admin(instrument_id)
    _form, filters, described = read_filters(inst)
    res = analysis.compute(inst, filters, services.threshold_for(inst.hub_id))
    html = render_template(
        "evaluation/pdf/report.html",
        instrument=inst,
        results=res,
        charts=result_charts(res),
        described=described,
        timepoints=TIMEPOINTS,
        caveat=analysis.stats.DESIGN_CAVEAT,
        generated=utcnow(),
    )
    audit(current_user, Action.EXPORT_EVALUATION_RESULTS, instrument=inst.id, hub=inst.hub_id, format="pdf")
    pdf = render_report(html)
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="evaluation-report-{inst.id}.pdf"'}
    )
