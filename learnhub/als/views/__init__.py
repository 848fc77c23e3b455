"""Pages for ALS, one module per audience, all on one blueprint ``als`` (endpoint names are stable).

* ``members`` — a member's or facilitator's own sets, sessions, bids, apologies and calendar;
* ``records`` — the facilitator's session record and the notes access log;
* ``programmes`` — hub administrators: programmes, members, sets, schedule and planning;
* ``planning`` — hub administrators: the facilitator pool, moving and cancelling sessions;
* ``hub`` — hub administrators: themes, note retention, the dashboard and its export.
"""

from pathlib import Path

from flask import Blueprint

#: Templates stay in ``learnhub/als/templates`` (the package's root, not this folder's).
bp = Blueprint("als", __name__, root_path=str(Path(__file__).parent.parent), template_folder="templates", url_prefix="/als")

from learnhub.als.views import hub, members, planning, programmes, records  # noqa: E402,F401
