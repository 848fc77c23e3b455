"""Where the features plug into each other.

Each feature keeps its own package; the few places where one feature reacts to another are
connected here, once, by the app factory:

- course completion issues a certificate (``learnhub.certificates.course_link``);
- course completion waits for required evaluation surveys, and a submitted survey re-checks
  completion; evaluation learns who is invited from course cohorts and ALS groups
  (``learnhub.evaluation.links``).
"""


def connect_features() -> None:
    """Import the modules whose import registers the cross-feature hooks (idempotent)."""
    from learnhub.certificates import course_link  # noqa: F401
    from learnhub.evaluation import links  # noqa: F401
