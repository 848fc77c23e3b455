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
import contextlib
import io
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
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
from learnhub.pdf import PDF_BASE_URL, render_pdf, safe_url_fetcher

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


def medians_ms(functions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median CPU time of each function in milliseconds, measured in turn (round robin).

    CPU time rather than wall time: the machines are shared, and waiting for a core is not
    rendering time. Round robin, after one warm-up call each, so that a burst of load from
    other jobs falls on every variant alike and the differences between them stay fair.
    """
    times: dict[str, list[float]] = {name: [] for name in functions}
    for function in functions.values():
        function()
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.process_time()
            function()
            times[name].append((time.process_time() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def render_figures(repeat: int) -> None:
    """Print the floor, the certificate, where its time goes, and what other settings would cost."""
    from dataclasses import replace

    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = certificate_html(FACTS)
    css, font_config = _font_stylesheet(tuple(font_faces(FACTS.holder_name)[0]))
    parsed = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=safe_url_fetcher())
    document = parsed.render(stylesheets=[css], font_config=font_config, pdf_variant=PDF_VARIANT)
    no_qr = html.replace(f'<img src="{qr_svg_data_uri(FACTS.verify_url)}"', "<img")
    png_qr = html.replace(qr_svg_data_uri(FACTS.verify_url), qr_code(FACTS.verify_url).png_data_uri(scale=1, border=0))
    shared = FontConfiguration()

    def pdf(source: str = html, **options: object) -> bytes:
        """The certificate's PDF from its HTML, as render_certificate makes it (options as given)."""
        return render_pdf(source, stylesheets=[css], font_config=font_config, **{"pdf_variant": PDF_VARIANT, **options})

    settings = {
        "as shipped (compressed, subset, no hinting)": {},
        "uncompressed_pdf=True": {"uncompressed_pdf": True},
        "full_fonts=True (no subsetting)": {"full_fonts": True},
        "hinting=True": {"hinting": True},
    }
    ms = medians_ms(
        {
            # The floor: WeasyPrint with default settings (its own URL fetcher, fonts set up per render).
            "floor": lambda: HTML(string=PARAGRAPH).write_pdf(),
            "floor_ua": lambda: HTML(string=PARAGRAPH).write_pdf(pdf_variant=PDF_VARIANT),
            "floor_fonts_once": lambda: HTML(string=PARAGRAPH).write_pdf(font_config=shared),
            "cert": lambda: render_certificate(FACTS),
            "welsh_polish": lambda: render_certificate(replace(FACTS, holder_name="Dr Siân Małgorzata Żółkiewska-Llŷr")),
            "arabic": lambda: render_certificate(replace(FACTS, holder_name="د. عائشة الرحمن")),
            "html": lambda: certificate_html(FACTS),
            "qr": lambda: qr_code(FACTS.verify_url),
            "pdf": pdf,
            "parse": lambda: HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=safe_url_fetcher()),
            "layout": lambda: parsed.render(stylesheets=[css], font_config=font_config, pdf_variant=PDF_VARIANT),
            "write": lambda: document.write_pdf(pdf_variant=PDF_VARIANT),
            "no_qr": lambda: pdf(no_qr),
            "untagged": lambda: pdf(pdf_variant=None),
            "png_qr": lambda: pdf(png_qr),
            "fresh": lambda: _render_with_fresh_css(html),
            **{name: (lambda options=options: pdf(**options)) for name, options in settings.items()},
        },
        repeat,
    )
    floor = ms["floor"]

    def line(label: str, value: float, note: str = "") -> None:
        print(f"  {label:46s}{value:7.1f}   {note}".rstrip())

    print(f"Rendering (median of {repeat}, CPU ms, all measured in turn)")
    line("floor: one paragraph, WeasyPrint defaults", floor)
    line("floor, PDF/UA-1", ms["floor_ua"])
    line(
        "floor, fonts set up once (shared config)",
        ms["floor_fonts_once"],
        f"(font set-up per render: {floor - ms['floor_fonts_once']:.1f})",
    )
    line("certificate (Latin name, shipped Noto Sans)", ms["cert"], f"= {ms['cert'] / floor:.1f}x floor")
    line("certificate, Welsh/Polish name (+Latin Ext)", ms["welsh_polish"], f"= {ms['welsh_polish'] / floor:.1f}x floor")
    line("certificate, Arabic name (+Noto Arabic)", ms["arabic"], f"= {ms['arabic'] / floor:.1f}x floor")
    print("Where one certificate's time goes")
    line("HTML and QR code (Jinja + segno)", ms["html"])
    line("  of which segno encoding the QR code", ms["qr"], "(most of it the standard's mask selection)")
    line("PDF from the HTML", ms["pdf"], f"= {ms['pdf'] / floor:.1f}x floor")
    line("  parse the HTML", ms["parse"])
    line("  styles and layout (HTML.render)", ms["layout"])
    line("  draw and write the PDF (Document.write_pdf)", ms["write"])
    line("  the vector QR code's drawing", ms["pdf"] - ms["no_qr"], f"(PDF without the QR code: {ms['no_qr']:.1f})")
    line("  PDF/UA-1 tagging", ms["pdf"] - ms["untagged"], f"(PDF not tagged: {ms['untagged']:.1f})")
    print("Settings and variants, PDF from the HTML")
    for name, options in settings.items():
        line(name, ms[name], f"{len(pdf(**options)):6d} bytes")
    line("QR as a raster PNG (not used: must be vector)", ms["png_qr"])
    line("CSS and fonts parsed for each render", ms["fresh"])


def _render_with_fresh_css(html: str) -> bytes:
    """What rendering cost before the stylesheet and fonts were parsed once per process."""
    css, font_config = _font_stylesheet.__wrapped__(tuple(font_faces(FACTS.holder_name)[0]))  # without the cache
    return render_pdf(html, pdf_variant=PDF_VARIANT, stylesheets=[css], font_config=font_config)


def _bulk_worker(database_url: str, job_id: int, results) -> None:  # type: ignore[no-untyped-def]
    """Run one bulk job as the RQ worker would, and report where its time went."""
    import sys

    start_wall, start_cpu = time.perf_counter(), time.process_time()
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115  (the audit log of 200 issues is noise here)
    os.environ["LEARNHUB_DATABASE_URL"] = database_url
    os.environ.setdefault("LEARNHUB_SECRET_KEY", "benchmark")
    os.environ.setdefault("LEARNHUB_PUBLIC_BASE_URL", "https://learnhub.example.org")
    from sqlalchemy import event

    from learnhub import create_app
    from learnhub.certificates.jobs import run_bulk_job
    from learnhub.extensions import db

    app = create_app()
    with app.app_context():
        # Time from the start of each commit (its flush: the INSERT that takes SQLite's write
        # lock) to its end: the time spent writing, including any wait for the other worker's lock.
        writing = [0.0, 0.0]

        @event.listens_for(db.session, "before_commit")
        def _before(session):  # type: ignore[no-untyped-def]
            writing[1] = time.perf_counter()

        @event.listens_for(db.session, "after_commit")
        def _after(session):  # type: ignore[no-untyped-def]
            writing[0] += time.perf_counter() - writing[1]

        ready_wall, ready_cpu = time.perf_counter(), time.process_time()
        run_bulk_job(job_id)
    end_wall, end_cpu = time.perf_counter(), time.process_time()
    results.put(
        {
            "startup_wall": ready_wall - start_wall,
            "startup_cpu": ready_cpu - start_cpu,
            "job_wall": end_wall - ready_wall,
            "job_cpu": end_cpu - ready_cpu,
            "commits": writing[0],
        }
    )


def bulk_figures(count: int) -> None:
    """Print the time to issue ``count`` certificates with one worker and with two, and where it went."""
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite"
            job_ids = _prepare(url, count, workers)
            ctx = multiprocessing.get_context("spawn")
            results = ctx.Queue()
            load_before = os.getloadavg()[0]
            start = time.perf_counter()
            procs = [ctx.Process(target=_bulk_worker, args=(url, job_id, results)) for job_id in job_ids]
            for proc in procs:
                proc.start()
            reports = [results.get() for _ in procs]
            for proc in procs:
                proc.join()
            elapsed = time.perf_counter() - start
            done = _count_issued(url)
            label = f"{workers} worker{'s' if workers > 1 else ' '}"
            each = elapsed / max(done, 1) * 1000
            print(f"  {label}: {done} certificates in {elapsed:6.1f} s ({each:.0f} ms each; load average {load_before:.1f})")
            for number, report in enumerate(reports, 1):
                print(
                    f"    worker {number}: start-up {report['startup_wall']:.1f} s wall / {report['startup_cpu']:.1f} s CPU;"
                    f" job {report['job_wall']:.1f} s wall / {report['job_cpu']:.1f} s CPU"
                    f" ({report['job_cpu'] / max(report['job_wall'], 1e-9):.0%} of a core), commits {report['commits']:.1f} s"
                )


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
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's log of each migration
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
