"""Where the features plug into each other.

Each feature keeps its own package; the few places where one feature reacts to another are
connected here, once, by the app factory:

- course completion issues a certificate (``learnhub.certificates.course_link``, a receiver of
  the ``learnhub.courses.signals.course_completed`` blinker signal);
- course completion waits for required evaluation surveys (a receiver of
  ``learnhub.courses.signals.completion_requirements``), and a submitted survey re-checks
  completion; evaluation learns who is invited from course cohorts and ALS groups
  (``learnhub.evaluation.links``).
"""


def connect_features() -> None:
    """Import the modules whose import connects the cross-feature receivers (idempotent).

    Blinker keeps weak references to receivers; these are module-level functions, so they
    live as long as their modules.
    """
    from learnhub.certificates import course_link  # noqa: F401
    from learnhub.evaluation import links  # noqa: F401
