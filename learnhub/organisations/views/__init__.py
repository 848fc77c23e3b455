"""Organisation pages, on one blueprint ``organisations``, split by task.

- ``structure``: site administration of hubs; the hub's PCNs and practices;
- ``people``: the hub's people (list, invitations, CSV import, permission, deactivation);
- ``erasure``: erasing a person's personal data;
- ``audit``: the hub's audit log.

Authorisation for every object is in ``learnhub.organisations.access`` (``common`` wraps it).
"""

from flask import Blueprint

bp = Blueprint("organisations", __name__, template_folder="../templates")

from learnhub.organisations.views import audit, erasure, people, structure  # noqa: E402,F401  (register routes on bp)
