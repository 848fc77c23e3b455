"""Portable credentials (Open Badges 3.0, ``vc+jwt``).

The holder's download, the hub's public issuer profile, keys and status lists, and checking a
credential on the public verify page.
"""

import json
from datetime import UTC, date, datetime

import click
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from learnhub.audit import Action, audit
from learnhub.certificates.access import get_certificate_for
from learnhub.certificates.codes import format_code
from learnhub.certificates.models import Certificate
from learnhub.credentials import badge, keys, verification
from learnhub.credentials.forms import CredentialForm
from learnhub.credentials.models import IssuerKey
from learnhub.extensions import db, limiter
from learnhub.organisations.models import Hub
from learnhub.urls import external_url, public_base_url

bp = Blueprint("credentials", __name__, template_folder="templates", cli_group="credentials")

#: Highest status list number served (131,072 certificates per list).
MAX_LIST_NO = 16_384
STATE_LABELS = {"valid": "Valid", "expired": "Expired", "revoked": "Revoked", "superseded": "Superseded"}


def _verify_limit() -> str:
    return str(current_app.config.get("VERIFY_RATE_LIMIT", "30 per minute"))


def _public_json(value: dict, mimetype: str = "application/json", max_age: int = 300) -> Response:
    response = Response(json.dumps(value, indent=2, ensure_ascii=False), mimetype=mimetype)
    # Verifiers running in a browser on another site read these.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


# --- the holder ---------------------------------------------------------------------------------


@bp.get("/certificates/<int:certificate_id>/credential")
@login_required
def download(certificate_id: int):  # type: ignore[no-untyped-def]
    """The certificate as a signed Open Badges 3.0 credential (``vc+jwt``).

    With ``?format=json``, the same token in a JSON ``EnvelopedVerifiableCredential``.
    """
    cert = get_certificate_for(current_user, certificate_id)
    if not cert.holder_name or cert.user.erased_at is not None:
        abort(404)
    if cert.status != Certificate.VALID:
        flash("This certificate has been revoked or replaced, so it has no digital credential.", "warning")
        return redirect(url_for("certificates.mine"))
    token = badge.signed_credential(cert)
    if request.args.get("format") == "json":
        # The same signed credential as JSON: a W3C VC 2.0 EnvelopedVerifiableCredential, whose
        # id is the vc+jwt as a data: URL (VC-JOSE-COSE), for wallets and passports that take .json.
        body, mimetype, extension = json.dumps(badge.enveloped(token), indent=2) + "\n", "application/json", "json"
    else:
        body, mimetype, extension = token, "application/vc+jwt", "jwt"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="credential-{format_code(cert.code)}.{extension}"',
            "Cache-Control": "private, no-store",
        },
    )


# --- the issuer's public identity ------------------------------------------------------------------


@bp.get("/credentials/issuers/<int:hub_id>")
def issuer(hub_id: int):  # type: ignore[no-untyped-def]
    """The hub's Open Badges issuer profile (the ``issuer.id`` of its credentials)."""
    hub = db.get_or_404(Hub, hub_id)
    return _public_json(
        {
            "@context": badge.CONTEXT,
            "id": badge.issuer_id(hub.id),
            "type": ["Profile"],
            "name": hub.name,
            "url": public_base_url(),
            "description": f"{hub.name} issues Open Badges 3.0 credentials for its supervisor training courses. "
            f"Signing keys: {external_url('credentials.jwks', hub_id=hub.id)}",
        },
        "application/ld+json",
    )


def _jwk(key: IssuerKey) -> dict:
    return {**key.public_jwk, "kid": badge.key_url(key), "use": "sig", "alg": badge.ALG}


@bp.get("/credentials/issuers/<int:hub_id>/jwks.json")
def jwks(hub_id: int):  # type: ignore[no-untyped-def]
    """Every public key the hub has signed with (retired ones too, so old credentials verify)."""
    hub = db.get_or_404(Hub, hub_id)
    # Short: a new key (after a rotation) reaches verifiers that cache the set within a minute.
    return _public_json({"keys": [_jwk(key) for key in keys.published_keys(hub.id)]}, "application/jwk-set+json", 60)


@bp.get("/credentials/issuers/<int:hub_id>/keys/<kid>")
def key(hub_id: int, kid: str):  # type: ignore[no-untyped-def]
    """One public key (the ``kid`` of a credential's header is this URL)."""
    found = db.session.scalar(db.select(IssuerKey).where(IssuerKey.hub_id == hub_id, IssuerKey.kid == kid[:64]))
    if found is None:
        abort(404)
    return _public_json(_jwk(found), "application/jwk+json")


@bp.get("/credentials/issuers/<int:hub_id>/status/<int:list_no>")
def status_list(hub_id: int, list_no: int):  # type: ignore[no-untyped-def]
    """A signed Bitstring Status List: bit set = certificate revoked or replaced."""
    hub = db.get_or_404(Hub, hub_id)
    if list_no > MAX_LIST_NO:
        abort(404)
    token = badge.signed_status_list(hub.id, list_no, datetime.now(UTC))
    response = Response(token, mimetype="application/vc+jwt")
    response.headers["Access-Control-Allow-Origin"] = "*"
    # Short: a revocation reaches verifiers within a minute.
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


# --- checking a credential -------------------------------------------------------------------------


@bp.route("/verify/credential", methods=["GET", "POST"])
@limiter.limit(_verify_limit, methods=["POST"])
def verify():  # type: ignore[no-untyped-def]
    """Paste or upload a digital credential to check its signature, dates and status."""
    form = CredentialForm()
    if request.method == "GET" or not form.validate_on_submit():
        if request.method == "POST" and not form.errors:
            abort(400)
        return render_template("credentials/verify.html", form=form), 400 if form.errors else 200
    raw = form.payload()
    if raw is None:
        form.credential.errors = ["Paste the credential or choose its file"]
        return render_template("credentials/verify.html", form=form), 400
    outcome = verification.check(raw)
    if isinstance(outcome, verification.Refusal):
        return render_template("credentials/refused.html", refusal=outcome, form=CredentialForm(formdata=None)), 400
    cert = outcome.certificate
    return render_template(
        "credentials/checked.html",
        checked=outcome,
        cert=cert,
        state=outcome.state,
        state_label=STATE_LABELS[outcome.state],
        today=date.today(),
    )


# --- keys from the command line ----------------------------------------------------------------------


@bp.cli.command("rotate-key")
@click.option("--hub", "hub_id", type=int, required=True, help="The hub whose signing key to replace.")
def rotate_key(hub_id: int) -> None:
    """Retire a hub's signing key and make a new one (old credentials still verify)."""
    from learnhub import transactions

    hub = db.session.get(Hub, hub_id)
    if hub is None:
        raise click.ClickException(f"There is no hub {hub_id}.")
    new = keys.rotate(hub.id)
    audit(None, Action.CREDENTIAL_KEY_ROTATED, hub=hub.id, key=new.kid)
    transactions.commit()
    click.echo(f"{hub.name}: new signing key {new.kid}. Earlier keys stay published at {badge.key_url(new).rsplit('/', 1)[0]}.")
