"""Evaluation pages: surveys for participants; instruments, results and exports for hub administrators.

One blueprint, ``bp``, with its views in four modules (endpoint names are ``evaluation.<view>``):
:mod:`.participate`, :mod:`.author`, :mod:`.results` and :mod:`.export`. Access rules live in
:mod:`learnhub.evaluation.access`.
"""

from pathlib import Path

from flask import Blueprint

#: Templates stay in ``learnhub/evaluation/templates`` (the package, not this sub-package).
bp = Blueprint(
    "evaluation", __name__, template_folder="templates", url_prefix="/evaluation", root_path=str(Path(__file__).parent.parent)
)


from learnhub.evaluation.views import author, export, participate, results  # noqa: E402  (they register on bp)

__all__ = ["author", "bp", "export", "participate", "results"]
