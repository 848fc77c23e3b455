"""Evaluation pages: surveys for participants; instruments, results and exports for hub administrators.

One blueprint, ``bp``, with its views in four modules (endpoint names are ``evaluation.<view>``):
:mod:`.participate`, :mod:`.author`, :mod:`.results` and :mod:`.export`. Access rules live in
:mod:`learnhub.evaluation.access`.
"""

from pathlib import Path

from flask import Blueprint
from flask_login import current_user

from learnhub.evaluation import services

#: Templates stay in ``learnhub/evaluation/templates`` (the package, not this sub-package).
bp = Blueprint(
    "evaluation", __name__, template_folder="templates", url_prefix="/evaluation", root_path=str(Path(__file__).parent.parent)
)


@bp.app_template_global()
def evaluation_surveys_due() -> int:
    """Number of open surveys the signed-in person still has to submit (for the home page)."""
    if not current_user.is_authenticated:
        return 0
    return sum(1 for s in services.surveys_for(current_user) if s.status != "submitted")


from learnhub.evaluation.views import author, export, participate, results  # noqa: E402  (they register on bp)

__all__ = ["author", "bp", "export", "participate", "results"]
