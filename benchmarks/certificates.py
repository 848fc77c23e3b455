"""Certificate rendering and bulk issue timings (prints figures; asserts nothing).

Run: ``.venv/bin/python -m benchmarks.certificates [--repeat 15] [--bulk 200]``

1. Median time to render one certificate next to the floor: WeasyPrint rendering a
   one-paragraph document, measured in the same run. The goal is within 2× the floor.
   Variants show where the time goes (PDF/UA tagging, the QR drawing, parsing the CSS and
   fonts, names in other scripts).
2. Bulk-issuing N certificates (default 200) through the real service into a scratch SQLite
   database, with one worker process and with two.
"""

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from datetime import date

from learnhub.certificates.pdf import (
    PDF_VARIANT,
    CertificateFacts,
    _font_stylesheet,
    certificate_html,
    font_faces,
    qr_code,
    qr_svg_data_uri,
    render_certificate,
)
from learnhub.pdf import render_pdf

FACTS = CertificateFacts(
    holder_name="Dr Priya Shah",
    course_title="Supervising ARRS roles in primary care",
    completed_on=date(2026, 11, 2),
    cpd_hours=6.5,
    outcomes=[
        "Describe the supervision each ARRS role needs",
        "Plan a daily debrief for a new practitioner",
        "Use case-based discussion to agree learning needs",
    ],
    hub_name="Northvale Primary Care Training Hub",
    signatory="Dr Helen Marsh, Training Hub Clinical Lead",
    code="7KQ2M9XD4TRAB0CE",
    verify_url="https://learnhub.example.org/verify/7KQ2-M9XD-4TRA-B0CE",
    valid_until=date(2029, 11, 2),
    eligibilities=["ARRS clinical supervisor until 2 November 2029"],
)
PARAGRAPH = "<!doctype html><html lang='en'><title>Floor</title><p>One paragraph of text, rendered to PDF.</p></html>"


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Median CPU time of fn() in milliseconds, after one warm-up call.

    CPU time rather than wall time: the machines are shared, and waiting for a core is not
    rendering time.
    """
    fn()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def render_figures(repeat: int) -> None:
    """Print the floor, the certificate, and variants."""
    from dataclasses import replace

    floor = median_ms(lambda: render_pdf(PARAGRAPH), repeat)
    floor_ua = median_ms(lambda: render_pdf(PARAGRAPH, pdf_variant=PDF_VARIANT), repeat)
    cert = median_ms(lambda: render_certificate(FACTS), repeat)
    html = certificate_html(FACTS)
    css, font_config = _font_stylesheet(tuple(font_faces(FACTS.holder_name)[0]))
    prebuilt = median_ms(lambda: render_pdf(html, pdf_variant=PDF_VARIANT, stylesheets=[css], font_config=font_config), repeat)
    untagged = median_ms(lambda: render_pdf(html, stylesheets=[css], font_config=font_config), repeat)
    png_qr = html.replace(qr_svg_data_uri(FACTS.verify_url), qr_code(FACTS.verify_url).png_data_uri(scale=1, border=0))
    png_ms = median_ms(lambda: render_pdf(png_qr, pdf_variant=PDF_VARIANT, stylesheets=[css], font_config=font_config), repeat)
    fresh = median_ms(lambda: render_pdf(html, pdf_variant=PDF_VARIANT, stylesheets=[_fresh_css()]), repeat)
    welsh_polish = replace(FACTS, holder_name="Dr Siân Małgorzata Żółkiewska-Llŷr")
    arabic = replace(FACTS, holder_name="د. عائشة الرحمن")
    extended = median_ms(lambda: render_certificate(welsh_polish), repeat)
    arabic_ms = median_ms(lambda: render_certificate(arabic), repeat)
    print(f"Rendering (median of {repeat}, ms)")
    print(f"  floor: one paragraph                        {floor:8.1f}")
    print(f"  floor: one paragraph, PDF/UA-1               {floor_ua:8.1f}")
    print(f"  certificate (Latin name, shipped Noto Sans)  {cert:8.1f}   = {cert / floor:.1f}x floor")
    print(f"  certificate, Welsh/Polish name (+Latin Ext)  {extended:8.1f}   = {extended / floor:.1f}x floor")
    print(f"  certificate, Arabic name (+Noto Arabic)      {arabic_ms:8.1f}   = {arabic_ms / floor:.1f}x floor")
    print(f"  PDF only (HTML and QR code made beforehand)  {prebuilt:8.1f}   = {prebuilt / floor:.1f}x floor")
    print(f"  variant: PDF only, not tagged (no PDF/UA)    {untagged:8.1f}")
    print(f"  variant: PDF only, QR as a raster PNG        {png_ms:8.1f}   (not used: the QR must be vector)")
    print(f"  variant: CSS and fonts parsed for each render{fresh:8.1f}")


def _fresh_css():  # type: ignore[no-untyped-def]
    """What rendering cost before the stylesheet and fonts were parsed once per process."""
    _font_stylesheet.cache_clear()
    css, _ = _font_stylesheet(tuple(font_faces(FACTS.holder_name)[0]))
    return css


def _bulk_worker(database_url: str, job_id: int) -> None:
    import sys

    sys.stderr = open(os.devnull, "w")  # noqa: SIM115  (the audit log of 200 issues is noise here)
    os.environ["LEARNHUB_DATABASE_URL"] = database_url
    os.environ.setdefault("LEARNHUB_SECRET_KEY", "benchmark")
    from learnhub.certificates.jobs import run_in_new_app

    run_in_new_app(job_id)


def bulk_figures(count: int) -> None:
    """Print the time to issue ``count`` certificates with one worker and with two."""
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite"
            job_ids = _prepare(url, count, workers)
            start = time.perf_counter()
            ctx = multiprocessing.get_context("spawn")
            procs = [ctx.Process(target=_bulk_worker, args=(url, job_id)) for job_id in job_ids]
            for proc in procs:
                proc.start()
            for proc in procs:
                proc.join()
            elapsed = time.perf_counter() - start
            done = _count_issued(url)
            label = f"{workers} worker{'s' if workers > 1 else ' '}"
            each = elapsed / max(done, 1) * 1000
            print(f"  {label}: {done} certificates in {elapsed:6.1f} s ({each:.0f} ms each)")


def _app(url: str):  # type: ignore[no-untyped-def]
    from learnhub import create_app

    return create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": url,
            "PUBLIC_BASE_URL": "https://learnhub.example.org",
        }
    )


def _prepare(url: str, count: int, workers: int) -> list[int]:
    """A fresh database with one hub, ``count`` learners and one job per worker."""
    from datetime import UTC, datetime

    from flask_migrate import upgrade

    from learnhub.accounts.models import User
    from learnhub.certificates.models import BulkJob
    from learnhub.courses.models import Cohort, Course, CourseCompletion, Enrolment
    from learnhub.eligibility.models import EligibilityDeclaration
    from learnhub.extensions import db
    from learnhub.organisations.models import Hub

    app = _app(url)
    with app.app_context():
        upgrade()
        hub = Hub(name="Benchmark hub", signatory="Dr Bench, Clinical Lead")
        db.session.add(hub)
        db.session.flush()
        course = Course(
            hub_id=hub.id,
            title=FACTS.course_title,
            summary="",
            audience=[],
            cpd_hours=6.5,
            learning_outcomes="\n".join(FACTS.outcomes),
        )
        cohort = Cohort(course=course, name="Benchmark cohort", starts_on=date(2026, 9, 1))
        db.session.add_all([course, cohort])
        db.session.flush()
        db.session.add(
            EligibilityDeclaration(
                course_id=course.id,
                hub_id=hub.id,
                eligibility_type="arrs_clinical_supervisor",
                validity_months=36,
                renewal_window_days=90,
            )
        )
        users = [
            User(email=f"bench{i}@example.org", name=f"Learner {i}", professional_role="gp", hub_id=hub.id) for i in range(count)
        ]
        db.session.add_all(users)
        db.session.flush()
        completed_at = datetime(2026, 11, 2, 12, tzinfo=UTC)
        completions = []
        for user in users:
            enrolment = Enrolment(course=course, cohort=cohort, user_id=user.id, completed_at=completed_at)
            completion = CourseCompletion(
                enrolment=enrolment, course=course, user_id=user.id, completed_at=completed_at, cpd_hours=6.5
            )
            db.session.add_all([enrolment, completion])
            completions.append(completion)
        db.session.flush()
        items = [completion.id for completion in completions]
        ids = []
        for part in range(workers):
            chunk = items[part::workers]
            job = BulkJob(hub_id=hub.id, kind="issue", items=chunk, total=len(chunk))
            db.session.add(job)
            db.session.flush()
            ids.append(job.id)
        db.session.commit()
        db.engine.dispose()
    return ids


def _count_issued(url: str) -> int:
    from sqlalchemy import func, select

    from learnhub.certificates.models import Certificate
    from learnhub.extensions import db

    app = _app(url)
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Certificate)) or 0
        db.engine.dispose()
    return count


def main() -> None:
    """Run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--bulk", type=int, default=200)
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()} (shared machines make figures noisy; compare within one run)")
    render_figures(args.repeat)
    if args.bulk:
        print(f"Bulk issue of {args.bulk} certificates (SQLite, one hub)")
        bulk_figures(args.bulk)


if __name__ == "__main__":
    main()
