"""Open Badges credential timings next to the certificate PDF (prints figures; asserts nothing).

Run: ``.venv/bin/python -m benchmarks.credentials [--repeat 50]``

In a scratch SQLite database with one hub, one learner and one issued certificate (with a
supervisor eligibility), the median CPU time of:

- rendering the certificate's PDF (what issuing a certificate already costs);
- building the credential's JSON, signing it (Ed25519 ``vc+jwt``), and both (the download);
- verifying the signature alone, and the verify page's whole check (key lookup, signature,
  certificate, status list built and decoded);
- making and signing a hub's status list (131,072 bits);
- decrypting the stored private key (once per process and key: it is cached).

Each is also shown as a ratio to the PDF render, measured in the same run.
"""

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime


def medians_ms(functions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median CPU milliseconds of each function, measured round robin after one warm-up call each."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for function in functions.values():
        function()
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.process_time()
            function()
            times[name].append((time.process_time() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def _world(app) -> int:  # type: ignore[no-untyped-def]
    """One hub, learner, course with an eligibility, completion and certificate; the certificate id."""
    from learnhub.accounts.models import User
    from learnhub.certificates.services import issue_certificate
    from learnhub.courses.models import Cohort, Course, CourseCompletion, Enrolment
    from learnhub.eligibility.models import EligibilityDeclaration
    from learnhub.extensions import db
    from learnhub.organisations.models import Hub

    hub = Hub(name="Northvale Primary Care Training Hub", signatory="Dr Helen Marsh, Training Hub Clinical Lead")
    db.session.add(hub)
    db.session.flush()
    user = User(email="priya.shah@example.org", name="Dr Priya Shah", password_hash="x", professional_role="gp", hub_id=hub.id)
    course = Course(
        hub_id=hub.id,
        title="Supervising ARRS roles in primary care",
        summary="Two days on supervising the ARRS roles.",
        learning_outcomes="Describe the supervision each ARRS role needs\nPlan a daily debrief",
    )
    course.cohorts.append(Cohort(name="Spring", starts_on=date(2026, 3, 2)))
    db.session.add_all([user, course])
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
    when = datetime(2026, 11, 2, 12, tzinfo=UTC)
    enrolment = Enrolment(course_id=course.id, cohort_id=course.cohorts[0].id, user_id=user.id, attempt=1, completed_at=when)
    db.session.add(enrolment)
    db.session.flush()
    completion = CourseCompletion(enrolment_id=enrolment.id, course_id=course.id, user_id=user.id, completed_at=when)
    db.session.add(completion)
    db.session.flush()
    cert = issue_certificate(
        user=user,
        hub=hub,
        course_id=course.id,
        completion_id=completion.id,
        course_title=course.title,
        cpd_hours="6.5",
        outcomes=course.outcomes,
        completed_at=when,
    )
    db.session.commit()
    return cert.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    from flask_migrate import upgrade
    from joserfc import jws

    from learnhub import create_app
    from learnhub.certificates.models import Certificate
    from learnhub.certificates.pdf import render_certificate
    from learnhub.certificates.services.common import _facts
    from learnhub.credentials import badge, keys, verification
    from learnhub.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": False,
                "SECRET_KEY": "benchmark",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "PUBLIC_BASE_URL": "https://learnhub.example.org",
            }
        )
        with app.app_context():
            with contextlib.redirect_stderr(io.StringIO()):
                upgrade()
            with contextlib.redirect_stderr(io.StringIO()):
                cert_id = _world(app)
            cert = db.session.get(Certificate, cert_id)
            key = keys.active_key(cert.hub_id)
            db.session.commit()
            private = keys.signing_key(key)
            public = keys.public_key(key)
            payload = badge.credential_for(cert)
            token = badge.sign(payload, key, private)
            facts = _facts(cert)
            password = keys._password()
            pem = bytes(key.private_pem)

            def verify_signature() -> object:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="EdDSA is deprecated")
                    return jws.deserialize_compact(token, public, algorithms=[badge.ALG])

            def decrypt() -> object:
                from cryptography.hazmat.primitives import serialization

                return serialization.load_pem_private_key(pem, password=password)

            assert isinstance(verification.check(token.encode()), verification.Checked)
            ms = medians_ms(
                {
                    "pdf": lambda: render_certificate(facts),
                    "build": lambda: badge.credential_for(cert),
                    "sign": lambda: badge.sign(payload, key, private),
                    "download": lambda: badge.signed_credential(cert),
                    "verify": verify_signature,
                    "check": lambda: verification.check(token.encode()),
                    "status": lambda: badge.signed_status_list(cert.hub_id, 0, datetime.now(UTC)),
                    "decrypt": decrypt,
                },
                args.repeat,
            )
    pdf = ms["pdf"]

    def line(label: str, value: float) -> None:
        print(f"  {label:58s}{value:8.2f} ms   {value / pdf:7.4f}x PDF   ({pdf / max(value, 1e-9):8.0f} per PDF)")

    print(f"Credentials (median of {args.repeat}, CPU ms; load average {os.getloadavg()[0]:.1f}; {len(token)} byte vc+jwt)")
    line("certificate PDF render (the reference)", pdf)
    line("credential JSON built from the certificate (3 queries)", ms["build"])
    line("signing it (Ed25519 vc+jwt, key already decrypted)", ms["sign"])
    line("download: build + sign", ms["download"])
    line("verifying the signature alone", ms["verify"])
    line("verify page check: key, signature, certificate, status list", ms["check"])
    line("status list of 131,072 bits: build + sign", ms["status"])
    line("decrypting the stored private key (once per process)", ms["decrypt"])


if __name__ == "__main__":
    main()
