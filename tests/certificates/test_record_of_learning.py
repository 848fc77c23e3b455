"""A learner's record of learning (issue 14): every completion, dates, CPD hours, each certificate's status, and a PDF."""

import io
from datetime import date
from decimal import Decimal

import pypdf

from learnhub.accounts.models import User
from learnhub.certificates.models import Certificate
from learnhub.extensions import db


def test_record_keeps_the_first_completion_after_a_retake_and_shows_each_certificate(app, client, auth, make_user, issue):
    from learnhub.certificates.services import reissue_certificate

    learner = make_user(name="Dr Ana Lopes")
    first = issue(learner, completion_id=1, completed_at=date(2023, 3, 1), cpd_hours="6")
    second = issue(learner, completion_id=2, completed_at=date(2026, 3, 1), cpd_hours="6.5")
    with app.test_request_context():
        from learnhub.courses.models import CourseCompletion

        for cert_id, hours in ((first, "6"), (second, "6.5")):  # CPD hours recorded with each completion
            db.session.get(CourseCompletion, db.session.get(Certificate, cert_id).completion_id).cpd_hours = Decimal(hours)
        new = reissue_certificate(None, db.session.get(Certificate, second), "Dr Ana Lopes-Ruiz")
        db.session.commit()
        codes = {cid: db.session.get(Certificate, cid).display_code for cid in (first, second, new.id)}
    make_user(name="Someone Else")
    auth.login_as(learner)
    assert 'href="/certificates/record"' in client.get("/certificates").get_data(as_text=True)
    page = client.get("/certificates/record").get_data(as_text=True)
    assert "2 completions, 12.5 CPD hours" in page
    assert "1 March 2023" in page
    assert "1 March 2026" in page
    assert f"{codes[first]}: Valid" in page
    assert f"{codes[second]}: Superseded" in page  # the old version of the re-issued certificate
    assert f"{codes[new.id]}: Valid (version 2)" in page
    pdf = client.get("/certificates/record.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    root = pypdf.PdfReader(io.BytesIO(pdf.data)).trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged PDF/UA-1, like certificates
    assert root["/Lang"] == "en-GB"
    text = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Record of learning" in text
    assert "12.5 CPD hours" in text
    # Tagged like the certificate: a heading, and a table with a caption and column headers.
    from tests.evaluation.test_report_pdf import _elements

    tags = [str(e["/S"]) for e in _elements(root["/StructTreeRoot"], [])]
    assert {"/H1", "/Table", "/Caption", "/TH", "/TD"} <= set(tags), tags
    assert tags.count("/H1") == 1
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()


def test_record_shows_only_the_signed_in_learners_completions(app, client, auth, make_user, issue):
    mine = make_user(name="Me Myself")
    with app.app_context():
        hub_id = db.session.get(User, mine).hub_id
    other = make_user(hub_id=hub_id, name="Other Person")
    issue(other, course_title="Their course")
    auth.login_as(mine)
    page = client.get("/certificates/record").get_data(as_text=True)
    assert "You have not completed a course yet." in page
    assert "Their course" not in page
