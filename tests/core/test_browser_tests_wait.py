"""Browser tests assert with Playwright's web-first assertions, which wait (issue 13).

``assert page.title() == ...`` straight after a click reads the title of whatever page is
there at that instant; on a busy 2-core machine that is often still the previous page. So the
browser tests never ``assert`` on a one-off read of the page (``title()``, ``inner_text()``,
``is_visible()``, ``count()``…): they use ``expect(page).to_have_title(...)``,
``expect(locator).to_have_text(...)``, ``to_be_visible()``, ``to_have_count(...)``, which retry
until the page matches or the timeout passes. This test reads the source of tests/browser, so
a new non-waiting assertion fails here, without starting a browser.
"""

from __future__ import annotations

import ast
from pathlib import Path

BROWSER_TESTS = Path(__file__).resolve().parent.parent / "browser"

#: Playwright reads that return at once, without waiting for the page to match.
SNAPSHOT_READS = {
    "title",
    "inner_text",
    "inner_html",
    "text_content",
    "input_value",
    "is_visible",
    "is_hidden",
    "is_checked",
    "is_enabled",
    "is_disabled",
    "is_editable",
    "count",
    "all_inner_texts",
    "all_text_contents",
}


def _reads(node: ast.AST) -> list[str]:
    return [
        n.func.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in SNAPSHOT_READS
    ]


def non_waiting_assertions(source: str) -> list[tuple[int, str]]:
    """(line, read) for each ``assert`` on a snapshot read, and each ``page.title()`` anywhere."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            found += [(node.lineno, read) for read in _reads(node.test)]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "title"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id.endswith("page")
        ):
            found.append((node.lineno, "page.title()"))
    return sorted(set(found))


def test_the_check_finds_the_assertion_that_failed_on_a_loaded_machine():
    bad = 'page.get_by_role("button").click()\nassert page.title().startswith("Error:")\n'
    assert non_waiting_assertions(bad) == [(2, "page.title()"), (2, "title")]
    assert non_waiting_assertions('assert page.locator("x").count() == 0\n') == [(1, "count")]
    good = 'expect(page).to_have_title(re.compile("^Error:"))\nname = email.title()\n'
    assert non_waiting_assertions(good) == []


def test_browser_tests_use_web_first_assertions():
    files = sorted(BROWSER_TESTS.glob("*.py"))
    assert files, "no browser tests found"
    problems = [
        f"{path.name}:{line}: {read} (use expect(...) instead)"
        for path in files
        for line, read in non_waiting_assertions(path.read_text(encoding="utf-8"))
    ]
    assert problems == [], "\n".join(problems)
