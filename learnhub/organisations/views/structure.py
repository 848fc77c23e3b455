"""Site administration of hubs; hub administration of PCNs and practices."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.organisations import access, services
from learnhub.organisations.forms import (
    HubForm,
    InviteForm,
    PcnForm,
    PracticeForm,
)
from learnhub.organisations.models import Hub
from learnhub.organisations.views import bp
from learnhub.organisations.views.common import _current_hub, _flash_invited
from learnhub.roles import HubRole
from learnhub.security import hub_admin_required, site_admin_required

# --- site administration -------------------------------------------------------------------


@bp.route("/admin/hubs", methods=["GET", "POST"])
@site_admin_required
def hubs():  # type: ignore[no-untyped-def]
    """List training hubs and create a new one."""
    form = HubForm()
    if form.validate_on_submit():
        hub, created = services.create_hub(current_user, form.name.data, form.signatory.data)
        if created:
            flash(f"{hub.name} has been created. Now invite its administrator.", "success")
        else:  # the same form sent twice at once: the first request created it
            flash(f"{hub.name} already exists. This is its page.", "warning")
        return redirect(url_for("organisations.hub_detail", hub_id=hub.id))
    counts = dict(db.session.execute(select(User.hub_id, func.count()).group_by(User.hub_id)).all())
    all_hubs = db.session.scalars(select(Hub).order_by(Hub.name)).all()
    return render_template("organisations/hubs.html", form=form, hubs=all_hubs, counts=counts)


@bp.route("/admin/hubs/<int:hub_id>", methods=["GET", "POST"])
@site_admin_required
def hub_detail(hub_id: int):  # type: ignore[no-untyped-def]
    """A hub's administrators, and inviting a new one."""
    hub = db.get_or_404(Hub, hub_id)
    form = InviteForm(hub_role=HubRole.HUB_ADMIN.value)
    form.hub_role.choices = [(HubRole.HUB_ADMIN.value, "Hub administrator")]
    if form.validate_on_submit():
        _, created = services.invite_user(
            current_user,
            hub,
            name=form.name.data,
            email=form.email.data,
            professional_role=form.professional_role.data,
            hub_role=HubRole.HUB_ADMIN.value,
        )
        _flash_invited(form.email.data, created)
        return redirect(url_for("organisations.hub_detail", hub_id=hub.id))
    admins = db.session.scalars(
        select(User).where(User.hub_id == hub.id, User.hub_role == HubRole.HUB_ADMIN.value).order_by(User.name)
    ).all()
    return render_template("organisations/hub_detail.html", hub=hub, admins=admins, form=form)


# --- hub administration: PCNs and practices ---------------------------------------------------


def _structure_page(hub: Hub, pcn_form: PcnForm, practice_form: PracticeForm, status: int = 200):  # type: ignore[no-untyped-def]
    practice_form.pcn_id.choices = [("", "Select a PCN")] + [(str(p.id), p.name) for p in hub.pcns]
    page = render_template("organisations/structure.html", hub=hub, pcn_form=pcn_form, practice_form=practice_form)
    return page, status


@bp.get("/hub/structure")
@hub_admin_required
def structure():  # type: ignore[no-untyped-def]
    """The hub's PCNs and practices, with a form to add either."""
    return _structure_page(_current_hub(), PcnForm(prefix="pcn", formdata=None), PracticeForm(prefix="practice", formdata=None))


@bp.post("/hub/structure/pcns")
@hub_admin_required
def add_pcn():  # type: ignore[no-untyped-def]
    """Add a PCN to the hub."""
    hub = _current_hub()
    pcn_form = PcnForm(prefix="pcn")
    if pcn_form.validate_on_submit():
        if services.add_pcn(current_user, hub, pcn_form.pcn_name.data):
            flash(f"{pcn_form.pcn_name.data} has been added.", "success")
            return redirect(url_for("organisations.structure"))
        pcn_form.pcn_name.errors.append("This hub already has a PCN with that name")
    return _structure_page(hub, pcn_form, PracticeForm(prefix="practice", formdata=None), 400)


@bp.post("/hub/structure/practices")
@hub_admin_required
def add_practice():  # type: ignore[no-untyped-def]
    """Add a practice to one of the hub's PCNs."""
    hub = _current_hub()
    practice_form = PracticeForm(prefix="practice")
    practice_form.pcn_id.choices = [("", "Select a PCN")] + [(str(p.id), p.name) for p in hub.pcns]
    if practice_form.validate_on_submit():
        pcn = access.get_pcn_for(current_user, practice_form.pcn_id.data)
        if services.add_practice(current_user, pcn, practice_form.practice_name.data, practice_form.ods_code.data):
            flash(f"{practice_form.practice_name.data} has been added to {pcn.name}.", "success")
            return redirect(url_for("organisations.structure"))
        practice_form.practice_name.errors.append("This PCN already has a practice with that name")
    return _structure_page(hub, PcnForm(prefix="pcn", formdata=None), practice_form, 400)
