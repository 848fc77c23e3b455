"""How other features plug into evaluation (courses, ALS programmes): blinker signals.

Other features connect receivers to these signals, with the subject type (``"course"``,
``"als_programme"``) as the sender; evaluation sends them and merges the answers. Nothing in
evaluation imports the features that answer (``learnhub.evaluation.links`` connects them).

``invitees_wanted``
    ``receiver(subject_type, subject_id=...) -> iterable of (user_id, subgroup_key)``: who is
    invited to an instrument attached to that subject (e.g. a course's enrolled learners with
    their cohort id). The "hub" subject type (people invited directly, listed in ``Invitee``)
    is handled by ``learnhub.evaluation.services.invited``.

``subgroup_labels_wanted``
    ``receiver(subject_type, subject_id=...) -> {subgroup_key: name}`` names the subgroups an
    invitee receiver returns (a course's cohorts, a programme's groups), for the results filter.

``subjects_wanted``
    ``receiver(subject_type, hub_id=...) -> iterable of (subject_id, label)`` lists what a hub's
    administrator may attach an instrument to (e.g. the hub's courses), for the "attach" page.

``response_submitted``
    ``receiver(subject_type, user_id=..., subject_id=..., timepoint=...)`` runs inside the
    submitting transaction (e.g. courses re-check completion; the certificate waits for the
    post survey). Receivers add to the session; they never commit.

``survey_requirement_message(user_id, subject_type, subject_id, timepoint) -> str | None``
    What a person still has to do: ``None`` once they have submitted that timepoint of every
    instrument attached to the subject (or when no instrument is attached at that timepoint).
"""

from blinker import Namespace

signals = Namespace()
invitees_wanted = signals.signal("evaluation.invitees-wanted")
subgroup_labels_wanted = signals.signal("evaluation.subgroup-labels-wanted")
subjects_wanted = signals.signal("evaluation.subjects-wanted")
response_submitted = signals.signal("evaluation.response-submitted")

SUBJECT_TYPES = {"course": "Course", "als_programme": "ALS programme", "hub": "Invited directly"}


def invitees(subject_type: str, subject_id: int) -> dict[int, str | None]:
    """``{user_id: subgroup}`` invited to a subject; empty when nothing answers for its type."""
    out: dict[int, str | None] = {}
    for _receiver, rows in invitees_wanted.send(subject_type, subject_id=subject_id):
        for user_id, subgroup in rows or ():
            out[int(user_id)] = str(subgroup) if subgroup is not None else None
    return out


def subjects(hub_id: int) -> list[tuple[str, int, str]]:
    """``(subject_type, subject_id, label)`` of everything in the hub an instrument may be attached to."""
    out = []
    for subject_type in ("course", "als_programme"):
        for _receiver, rows in subjects_wanted.send(subject_type, hub_id=hub_id):
            out.extend((subject_type, int(subject_id), str(label)) for subject_id, label in rows or ())
    return out


def subgroup_labels(subject_type: str, subject_id: int) -> dict[str, str]:
    """``{subgroup_key: name}`` for one subject; empty when nothing names them."""
    out: dict[str, str] = {}
    for _receiver, names in subgroup_labels_wanted.send(subject_type, subject_id=subject_id):
        out.update(names or {})
    return out


def notify_submitted(user_id: int, subject_type: str, subject_id: int, timepoint: str) -> None:
    """Tell the receivers of ``response_submitted`` (inside the submitting transaction)."""
    response_submitted.send(subject_type, user_id=user_id, subject_id=subject_id, timepoint=timepoint)


def survey_requirement_message(user_id: int, subject_type: str, subject_id: int, timepoint: str) -> str | None:
    """What the person must still submit at this timepoint, or None when nothing is outstanding."""
    from sqlalchemy import select

    from learnhub.evaluation.models import TIMEPOINTS, Attachment, AttachmentTimepoint, Completion, Instrument
    from learnhub.extensions import db

    rows = db.session.execute(
        select(Instrument.title, Completion.id)
        .select_from(Attachment)
        .join(Instrument, Instrument.id == Attachment.instrument_id)
        .join(
            AttachmentTimepoint,
            (AttachmentTimepoint.attachment_id == Attachment.id) & (AttachmentTimepoint.timepoint == timepoint),
        )
        .outerjoin(
            Completion,
            (Completion.attachment_id == Attachment.id) & (Completion.timepoint == timepoint) & (Completion.user_id == user_id),
        )
        .where(Attachment.subject_type == subject_type, Attachment.subject_id == subject_id)
        .order_by(Attachment.id)
    ).all()
    missing = [title for title, completion_id in rows if completion_id is None]
    if not missing:
        return None
    when = TIMEPOINTS.get(timepoint, timepoint).lower()
    return f"Complete the '{missing[0]}' survey ({when})" + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
