"""Small-number suppression: rows (existing behaviour), statistics and two-way tables."""

import itertools

import pytest

from learnhub import suppression as s

M = s.MASK


def test_existing_row_behaviour_is_kept():
    assert s.suppress_row([10, 3, 9, 0]) == [10, M, M, 0]
    assert s.suppress_row([10, 3, 4]) == [10, M, M]
    assert s.suppress_row([10, 3, 9], total_shown=False) == [10, M, 9]
    assert s.mask_count(0) == 0
    assert s.mask_count(7) == M
    assert s.mask_count(8) == 8


def test_threshold_never_below_five():
    with pytest.raises(ValueError, match="cannot be below 5"):
        s.suppress_table([[1]], threshold=4)
    assert s.suppress_table([[5, 6]], threshold=5, column_totals=False)["cells"] == [[5, 6]]


def test_statistics_need_enough_people():
    assert s.suppress_statistic(3.5, 7) == M
    assert s.suppress_statistic(3.5, 8) == 3.5
    assert s.suppress_statistic(3.5, 9, threshold=10) == M
    assert not s.enough_for_statistics(None)


def test_table_with_no_small_cells_is_unchanged():
    out = s.suppress_table([[10, 20], [30, 40]])
    assert out["cells"] == [[10, 20], [30, 40]]
    assert out["row_totals"] == [30, 70]
    assert out["column_totals"] == [40, 60]
    assert out["total"] == 100


def test_single_small_cell_needs_a_partner_in_row_and_column():
    out = s.suppress_table([[3, 20, 30], [40, 50, 60]])
    cells = out["cells"]
    assert cells[0][0] == M
    # Row 0 and column 0 each need a second hidden cell; that forces a fourth in row 1.
    assert sum(v == M for v in cells[0]) >= 2
    assert sum(row[0] == M for row in cells) >= 2
    assert sum(v == M for v in cells[1]) >= 2


def _recoverable(original, out):
    """A hidden cell is recoverable if it is the only hidden cell in a line whose total is shown."""
    cells = out["cells"]
    for i, row in enumerate(cells):
        hidden = [j for j, v in enumerate(row) if v == M and original[i][j] > 0]
        if len(hidden) == 1 and out["row_totals"] and out["row_totals"][i] != M:
            return True
    for j in range(len(cells[0])):
        hidden = [i for i in range(len(cells)) if cells[i][j] == M and original[i][j] > 0]
        if len(hidden) == 1 and out["column_totals"] and out["column_totals"][j] != M:
            return True
    return False


@pytest.mark.parametrize(
    "table",
    [
        [[1, 9, 12], [15, 2, 30], [11, 12, 13]],
        [[0, 5, 20], [0, 20, 30]],
        [[7, 0, 0], [9, 10, 11]],
        [[2, 2, 2], [2, 2, 2]],
        [[8, 8, 1], [8, 8, 8], [8, 8, 8]],
        [[4, 30], [30, 30], [30, 30]],
    ],
)
def test_no_hidden_cell_can_be_recovered_from_a_total(table):
    out = s.suppress_table(table)
    for i, j in itertools.product(range(len(table)), range(len(table[0]))):
        if s.is_small(table[i][j]):
            assert out["cells"][i][j] == M
    assert not _recoverable(table, out)


def test_zeros_stay_visible_and_small_totals_are_hidden():
    out = s.suppress_table([[0, 3], [0, 2]])
    assert out["cells"] == [[0, M], [0, M]]
    assert out["row_totals"] == [M, M]
    assert out["column_totals"] == [0, M]
    assert out["total"] == M


def test_one_hidden_row_total_beside_a_shown_grand_total_gets_a_partner():
    # Row 0's total (5) is small; without more hiding it equals 105 - 100.
    out = s.suppress_table([[2, 3], [50, 50]])
    assert out["row_totals"][0] == M
    assert out["total"] == 105
    assert out["row_totals"][1] == M
    # Row 1's total is hidden, so its cells must not all be visible either.
    assert M in out["cells"][1]


def test_percentage_follows_masking():
    assert s.percentage(M, 20) == M
    assert s.percentage(5, M) == M
    assert s.percentage(10, 40) == 25
    assert s.percentage(0, 0) == M


# --- the rounding rule for dashboards (HES practice) ------------------------------------------------


def test_round_count_suppresses_small_and_rounds_the_rest_to_five():
    from learnhub.suppression import round_count

    assert [round_count(n) for n in (0, 1, 7, 8, 10, 12, 13, 17, 18, 102)] == [0, "*", "*", 10, 10, 10, 15, 15, 20, 100]
    assert round_count(9, threshold=10) == "*"
    with pytest.raises(ValueError, match="negative"):
        round_count(-1)


def test_rates_come_from_the_rounded_figures():
    """A programme of 3 sets of 6: 18 places, 13 attended → 15 / 20 = 75%, not 72%."""
    from learnhub.suppression import round_count, rounded_rate

    assert rounded_rate(13, 18) == 75
    # Each set's own attendance (4 of 6) is suppressed, yet the programme total can be reported.
    assert [round_count(4)] * 3 == ["*", "*", "*"]
    assert round_count(13) == 15
    assert rounded_rate(4, 6) == "*"
    assert rounded_rate(0, 0) == "*"
