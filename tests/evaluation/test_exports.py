"""Exports keep full precision, one sheet per table and a notes sheet (pure: no database)."""

import csv
import io
from types import SimpleNamespace

from openpyxl import load_workbook

from learnhub.evaluation import stats, tables
from learnhub.evaluation.analysis import FollowUpItem, FollowUpResults, ItemResult, ItemWave, Results
from learnhub.evaluation.models import AGREEMENT, FOLLOW_UP, POST, PRE, Item
from learnhub.exports import csv_bytes, xlsx_bytes

TINY_P = 3.24e-06


def _results() -> Results:
    item = Item(id=1, kind=AGREEMENT, text="=I feel confident", asked_at="pre,post", core=True, retired=False)
    change = stats.PairedChange(
        n_pairs=40,
        n_changed=38,
        median_change=1.0,
        p_value=TINY_P,
        rank_biserial=0.91234567,
        n_up=35,
        n_down=3,
        w_statistic=12.5,
        method=stats.NORMAL,
    )
    wave = ItemWave(n=40, counts=[0, "*", 10, 12, 15], percentages=[0.0, "*", 25.0, 30.0, 37.5], median=4.0, agree_percent=68)
    composite = stats.CompositeChange(40, 0.8, 0.5, 0.64, 0.96, 10.1, 0.00145, 1.6)
    return Results(
        instrument=SimpleNamespace(id=1, title="Survey"),
        threshold=8,
        rates={"invited": 50, PRE: 40, POST: 40, "matched": 40, FOLLOW_UP: 20},
        rate_percent={PRE: 80.0, POST: 80.0, "matched": 80.0, FOLLOW_UP: 40.0},
        items=[ItemResult(item=item, choices=item.choices(), waves={PRE: wave, POST: wave}, change=change)],
        composite=composite,
        composite_withheld=None,
        composite_text="",
        composite_means={PRE: 3.0, POST: 3.8},
        core_count=1,
        free_text_counts={},
        follow_up=FollowUpResults(pairs=20, items={1: FollowUpItem(change, None)}, composite=None, composite_withheld="Fewer"),
    )


def test_csv_keeps_full_precision_and_ends_with_the_notes():
    rows = list(csv.reader(io.StringIO(csv_bytes(None, tables.csv_rows(_results(), "=Survey", [])).decode("utf-8-sig"))))
    assert rows[0] == ["'=Survey"]  # a title starting with = is not a formula
    p_rows = [r for r in rows[1:] if r[2] == "Wilcoxon p-value"]
    assert [r[4] for r in p_rows] == [str(TINY_P), str(TINY_P)]  # before–after and follow-up
    assert float(p_rows[0][4]) == TINY_P
    assert ["Overall score", "Mean of core questions", "Paired t p-value", "", "0.00145"] in rows
    assert any(r[0] == "Notes" and "1 to 7" in r[4] for r in rows[1:])


def test_xlsx_has_a_sheet_per_table_with_numbers_at_full_precision():
    book = load_workbook(io.BytesIO(xlsx_bytes(tables.sheets(_results(), "Survey", ["Role: GP"]))))
    assert book.sheetnames == ["Summary", "Matched change", "Distributions", "Follow-up", "Notes"]
    matched = book["Matched change"]
    assert matched.freeze_panes == "A2"
    header = [c.value for c in matched[1]]
    p_col = header.index("p-value") + 1
    p_cell = matched.cell(row=2, column=p_col)
    assert p_cell.value == TINY_P  # a number, not 0 and not text
    assert p_cell.number_format == "0.00E+00"
    assert matched.cell(row=2, column=header.index("Effect size") + 1).value == 0.91234567
    overall = [row for row in matched.iter_rows(values_only=True) if str(row[0]).startswith("Overall score")]
    assert overall[0][p_col - 1] == 0.00145
    distributions = list(book["Distributions"].iter_rows(values_only=True))
    assert ("'=I feel confident", "Before", "2 Disagree", "*", "*") in distributions
    assert ("'=I feel confident", "Before", "Agree or strongly agree (%)", 68, None) in distributions
    notes = [row[0] for row in book["Notes"].iter_rows(min_row=2, values_only=True)]
    assert any("Counts from 1 to 7 are shown as *" in n for n in notes)
    assert any("Wilcoxon signed-rank" in n for n in notes)
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert ("Response rates", None, "Matched pairs", "Number", 40) in summary


def test_exports_show_directions_w_and_the_method_with_small_counts_hidden():
    """Each matched item: improved / unchanged / worsened (suppressed as a row), W and the method.

    With a direction count hidden, W, p, r and the method are hidden too (they would give it back:
    ``PairedChange.hide_test``); with every count shown they are exported at full precision."""
    res = _results()
    res.items[0].change = res.items[0].change.hide_test(False, 8)
    rows = list(csv.reader(io.StringIO(csv_bytes(None, tables.csv_rows(res, "Survey", [])).decode("utf-8-sig"))))
    figures = {r[2]: r[4] for r in rows if r[0] == "Matched change"}
    assert figures["Improved"] == "35"
    # 2 unchanged and 3 worsened are small: both hidden (hiding one alone could be undone from the total).
    assert figures["Unchanged"] == figures["Worsened"] == "*"
    assert figures["Wilcoxon W"] == figures["Wilcoxon p-value"] == figures["Rank-biserial r"] == "*"
    assert figures["Method of the p-value"] == "*"
    book = load_workbook(io.BytesIO(xlsx_bytes(tables.sheets(res, "Survey", []))))
    matched = book["Matched change"]
    header = [c.value for c in matched[1]]
    first = [c.value for c in matched[2]]
    assert first[header.index("Improved")] == 35
    assert first[header.index("Test statistic (W or t)")] == "*"
    assert first[header.index("Method of the p-value")] == "*"
    # Every direction count shown (20 up, 12 same, 8 down): W and the method are exported.
    shown = stats.paired_change_from_counts({1: 20, 0: 12, -1: 8})
    assert shown.hide_test(False, 8) is shown
    res.items[0].change = shown
    rows = list(csv.reader(io.StringIO(csv_bytes(None, tables.csv_rows(res, "Survey", [])).decode("utf-8-sig"))))
    figures = {r[2]: r[4] for r in rows if r[0] == "Matched change"}
    assert figures["Wilcoxon W"] == str(shown.w_statistic)
    assert figures["Method of the p-value"] == stats.NORMAL
    overall = next(row for row in matched.iter_rows(values_only=True) if str(row[0]).startswith("Overall score"))
    assert overall[header.index("Test statistic (W or t)")] == 10.1
