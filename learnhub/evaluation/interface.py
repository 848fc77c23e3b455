"""How other features plug into evaluation (courses, ALS programmes).

Five hooks, all plain functions so the lead can wire them at merge time:

``register_invitee_source(subject_type, fn)``
    ``fn(subject_id) -> iterable of (user_id, subgroup_key)`` says who is invited to an
    instrument attached to that subject (e.g. a course's enrolled learners with their cohort
    id). The "hub" subject type (people invited directly, listed in ``Invitee``) is handled by
    ``learnhub.evaluation.services.invited``.

``register_subgroup_labels(subject_type, fn)``
    ``fn(subject_id) -> {subgroup_key: name}`` names the subgroups an invitee source returns
    (a course's cohorts, a programme's groups), for the results filter.

``on_submitted(fn)``
    ``fn(user_id, subject_type, subject_id, timepoint)`` is called after a response is
    submitted (e.g. courses re-check completion; the certificate waits for the post survey).

``register_subject_source(subject_type, fn)``
    ``fn(hub_id) -> iterable of (subject_id, label)`` lists what a hub's administrator may
    attach an instrument to (e.g. the hub's courses), for the "attach" page.

``survey_requirement_message(user_id, subject_type, subject_id, timepoint) -> str | None``
    What a person still has to do: ``None`` once they have submitted that timepoint of every
    instrument attached to the subject (or when no instrument is attached at that timepoint).
"""

from collections.abc import Callable, Iterable

InviteeSource = Callable[[int], Iterable[tuple[int, str | None]]]
SubmittedCallback = Callable[[int, str, int, str], None]
SubjectSource = Callable[[int], Iterable[tuple[int, str]]]
SubgroupLabels = Callable[[int], dict[str, str]]

_invitee_sources: dict[str, InviteeSource] = {}
_subject_sources: dict[str, SubjectSource] = {}
_subgroup_labels: dict[str, SubgroupLabels] = {}
_submitted_callbacks: list[SubmittedCallback] = []

SUBJECT_TYPES = {"course": "Course", "als_programme": "ALS programme", "hub": "Invited directly"}


def register_invitee_source(subject_type: str, fn: InviteeSource) -> None:
    """Say who is invited to attachments of this subject type (replaces an earlier source)."""
    _invitee_sources[subject_type] = fn


def unregister_invitee_source(subject_type: str) -> None:
    """Remove a source (used by tests)."""
    _invitee_sources.pop(subject_type, None)


def invitees(subject_type: str, subject_id: int) -> dict[int, str | None]:
    """``{user_id: subgroup}`` invited to a subject; empty when no source is registered."""
    source = _invitee_sources.get(subject_type)
    if source is None:
        return {}
    return {int(user_id): (str(subgroup) if subgroup is not None else None) for user_id, subgroup in source(subject_id)}


def register_subject_source(subject_type: str, fn: SubjectSource) -> None:
    """Say what a hub may attach instruments to for this subject type (replaces an earlier source)."""
    _subject_sources[subject_type] = fn


def unregister_subject_source(subject_type: str) -> None:
    """Remove a source (used by tests)."""
    _subject_sources.pop(subject_type, None)


def subjects(hub_id: int) -> list[tuple[str, int, str]]:
    """``(subject_type, subject_id, label)`` of everything in the hub an instrument may be attached to."""
    out = []
    for subject_type in ("course", "als_programme"):
        source = _subject_sources.get(subject_type)
        if source is not None:
            out.extend((subject_type, int(subject_id), str(label)) for subject_id, label in source(hub_id))
    return out


def register_subgroup_labels(subject_type: str, fn: SubgroupLabels) -> None:
    """Say how the subgroups of this subject type are named (replaces an earlier function)."""
    _subgroup_labels[subject_type] = fn


def subgroup_labels(subject_type: str, subject_id: int) -> dict[str, str]:
    """``{subgroup_key: name}`` for one subject; empty when nothing names them."""
    fn = _subgroup_labels.get(subject_type)
    return dict(fn(subject_id)) if fn is not None else {}


def on_submitted(fn: SubmittedCallback) -> SubmittedCallback:
    """Call ``fn(user_id, subject_type, subject_id, timepoint)`` after each submission (usable as a decorator)."""
    _submitted_callbacks.append(fn)
    return fn


def remove_submitted_callback(fn: SubmittedCallback) -> None:
    """Stop calling ``fn`` (used by tests)."""
    if fn in _submitted_callbacks:
        _submitted_callbacks.remove(fn)


def notify_submitted(user_id: int, subject_type: str, subject_id: int, timepoint: str) -> None:
    """Run the submission callbacks."""
    for fn in list(_submitted_callbacks):
        fn(user_id, subject_type, subject_id, timepoint)


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
