"""What every evaluation service shares: plain-words errors, pseudonymous keys, the hub's threshold."""

import hashlib
import hmac
import secrets

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.evaluation.models import EvaluationSetting, Instrument
from learnhub.extensions import db
from learnhub.suppression import DEFAULT_THRESHOLD, check_threshold

#: Longest free-text answer kept.
MAX_TEXT = 4000


class SurveyProblem(Exception):
    """Something the person can be told in plain words (closed, not invited…)."""


class ItemHasAnswers(SurveyProblem):
    """An item with answers cannot be deleted."""


class AuthoringProblem(SurveyProblem):
    """A change to an instrument or attachment that cannot be made (said in plain words)."""


def respondent_key(instrument: Instrument, user_id: int) -> str:
    """The pseudonymous key that links one person's responses to one instrument."""
    return hmac.new(instrument.key_secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def new_key_secret() -> str:
    """A fresh per-instrument secret."""
    return secrets.token_hex(32)


def threshold_for(hub_id: int) -> int:
    """The hub's suppression threshold (default 8)."""
    setting = db.session.get(EvaluationSetting, hub_id)
    return setting.suppression_threshold if setting else DEFAULT_THRESHOLD


def set_threshold(actor: User, hub_id: int, threshold: int) -> None:
    """Change the hub's suppression threshold (never below the minimum)."""
    check_threshold(threshold)
    setting = db.session.get(EvaluationSetting, hub_id) or EvaluationSetting(hub_id=hub_id)
    setting.suppression_threshold = threshold
    db.session.add(setting)
    db.session.flush()
    audit(actor, Action.EVALUATION_THRESHOLD_SET, hub=hub_id, threshold=threshold)
