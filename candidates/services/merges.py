"""Merging two profiles of one organization, and undoing the merge.

A recruiter who finds the same person twice among their organization's sourced profiles
merges the ``duplicate`` into the ``survivor``: what the duplicate carries moves to the
survivor, and the duplicate is kept but hidden (``Candidate.merged_into``) so the merge can
be undone exactly. The survivor's own fields never change.

What moves, by part (each lists the ids it moved in ``CandidateMerge.moved``):

* ``skills`` — the duplicate's skills the survivor does not list (same normalized name);
  the others stay on the duplicate. A snapshot is kept too, so a skill the survivor's later
  edits replaced comes back on undo all the same.
* ``resumes`` — the duplicate's resumes whose content the survivor does not have already.
* parts registered by higher apps at start-up (:func:`register_merge_part`): ``applications``
  moves the duplicate's applications, except one to a job the survivor applied to as well:
  the survivor's stays in the pipeline and the duplicate's stays with the hidden duplicate
  (hidden with it) until an undo.

The undo puts every moved row back on the duplicate, shows it again and leaves whatever the
survivor gained since. Both write a :class:`CandidateMerge` row and record
``candidate.merged`` / ``candidate.merge_undone``, then ``candidate.profile_changed`` for the
profiles whose skills or resumes changed (ranking follows).

Only two sourced profiles of the same organization merge, and only for staff or that
organization's members (``policies.may_merge_candidates``); other callers never see the
rows (the selectors answer not found).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from candidates.errors import InvalidMerge, MergeAlreadyUndone, MergeUndoBlocked
from candidates.models import Candidate, CandidateMerge, CandidateSkill, Resume
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.outbox import record

Moved = dict[str, Any]
"""What one part moved, by key (ids, or a snapshot), as stored in ``CandidateMerge.moved``."""


@dataclass(frozen=True)
class MergePart:
    """How one kind of row follows a merge: ``move(survivor_id, duplicate_id)`` moves the
    duplicate's rows and says which; ``restore(survivor_id, duplicate_id, moved)`` puts
    exactly those back."""

    name: str
    move: Callable[[int, int], Moved]
    restore: Callable[[int, int, Moved], None]


_PARTS: dict[str, MergePart] = {}


def register_merge_part(
    name: str, *, move: Callable[[int, int], Moved], restore: Callable[[int, int, Moved], None]
) -> None:
    """Tell merges how rows of a higher app follow a candidate (called from ``AppConfig.ready``)."""
    _PARTS[name] = MergePart(name, move, restore)


# --- this app's parts --------------------------------------------------------------------------

_SKILL_FIELDS = ("id", "name", "normalized_name", "level", "years", "source")


def _move_skills(survivor_id: int, duplicate_id: int) -> Moved:
    kept = set(CandidateSkill.objects.filter(candidate_id=survivor_id).values_list("normalized_name", flat=True))
    rows = list(
        CandidateSkill.objects.filter(candidate_id=duplicate_id)
        .exclude(normalized_name__in=kept)
        .order_by("id")
        .values(*_SKILL_FIELDS)
    )
    CandidateSkill.objects.filter(pk__in=[row["id"] for row in rows]).update(candidate_id=survivor_id)
    return {"skills": rows}


def _restore_skills(survivor_id: int, duplicate_id: int, moved: Moved) -> None:
    rows = moved.get("skills", [])
    ids = [row["id"] for row in rows]
    # Moved back by id where the row is still the survivor's (its name may have changed since:
    # the snapshot's is restored); recreated from the snapshot where the survivor lost it.
    present = set(CandidateSkill.objects.filter(pk__in=ids, candidate_id=survivor_id).values_list("pk", flat=True))
    CandidateSkill.objects.filter(pk__in=present).delete()
    CandidateSkill.objects.bulk_create([CandidateSkill(candidate_id=duplicate_id, **row) for row in rows])


def _move_resumes(survivor_id: int, duplicate_id: int) -> Moved:
    kept = set(Resume.objects.filter(candidate_id=survivor_id).exclude(sha256="").values_list("sha256", flat=True))
    ids = list(
        Resume.objects.filter(candidate_id=duplicate_id)
        .exclude(sha256__in=kept)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    Resume.objects.filter(pk__in=ids).update(candidate_id=survivor_id)
    return {"resumes": ids}


def _restore_resumes(survivor_id: int, duplicate_id: int, moved: Moved) -> None:
    # A resume deleted since (with its file) is gone for good; the others go back.
    Resume.objects.filter(pk__in=moved.get("resumes", []), candidate_id=survivor_id).update(candidate_id=duplicate_id)


register_merge_part("skills", move=_move_skills, restore=_restore_skills)
register_merge_part("resumes", move=_move_resumes, restore=_restore_resumes)


# --- the services ------------------------------------------------------------------------------


def _lock(*candidate_ids: int) -> dict[int, Candidate]:
    # In id order, so two merges of the same pair cannot deadlock.
    return {c.pk: c for c in Candidate.objects.select_for_update().filter(pk__in=candidate_ids).order_by("pk")}


def _event(kind: str, merge: CandidateMerge) -> None:
    record(
        kind,
        data={
            "merge_id": merge.pk,
            "organization_id": merge.organization_id,
            "survivor_id": merge.survivor_id,
            "duplicate_id": merge.duplicate_id,
        },
    )


def _profiles_changed(*candidate_ids: int) -> None:
    for candidate_id in candidate_ids:
        record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": candidate_id})


@transaction.atomic
def candidate_merge(*, actor: User, survivor: Candidate, duplicate: Candidate) -> CandidateMerge:
    """Merge ``duplicate`` into ``survivor`` (two profiles the caller sees; see the module).

    Raises InvalidMerge (a profile into itself; profiles not both sourced by the same
    organization; one already merged away) or Forbidden (not staff nor a member of their
    organization), changing nothing.
    """
    if survivor.pk == duplicate.pk:
        raise InvalidMerge(details={"duplicate": ["A profile cannot be merged into itself."]})
    rows = _lock(survivor.pk, duplicate.pk)
    survivor, duplicate = rows[survivor.pk], rows[duplicate.pk]
    if survivor.merged_into_id is not None or duplicate.merged_into_id is not None:
        raise InvalidMerge(details={"duplicate": ["One of these profiles is already merged into another."]})
    organization_id = survivor.organization_id
    if organization_id is None or duplicate.organization_id != organization_id:
        raise InvalidMerge(details={"duplicate": ["Only two profiles sourced by the same organization can be merged."]})
    if not policies.may_merge_candidates(actor, organization_id=organization_id):
        raise Forbidden("You may not merge this organization's candidates.")
    moved: Moved = {}
    for part in _PARTS.values():
        moved.update(part.move(survivor.pk, duplicate.pk))
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into", "updated_at"])
    merge = CandidateMerge.objects.create(
        organization_id=organization_id, survivor=survivor, duplicate=duplicate, moved=moved, merged_by=actor
    )
    _event(catalogue.CANDIDATE_MERGED, merge)
    _profiles_changed(survivor.pk)
    return merge


@transaction.atomic
def candidate_merge_undo(*, actor: User, merge: CandidateMerge) -> CandidateMerge:
    """Undo a merge (one the caller sees): every moved row goes back to the duplicate, which
    shows again. Raises Forbidden (not staff nor a member of the organization),
    MergeAlreadyUndone, or MergeUndoBlocked while the survivor is itself merged into another
    profile (merges are undone last first), changing nothing."""
    if not policies.may_merge_candidates(actor, organization_id=merge.organization_id):
        raise Forbidden("You may not undo this organization's merges.")
    merge = CandidateMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeAlreadyUndone()
    rows = _lock(merge.survivor_id, merge.duplicate_id)
    if rows[merge.survivor_id].merged_into_id is not None:
        raise MergeUndoBlocked()
    for part in reversed(list(_PARTS.values())):
        part.restore(merge.survivor_id, merge.duplicate_id, merge.moved)
    duplicate = rows[merge.duplicate_id]
    duplicate.merged_into = None
    duplicate.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    _event(catalogue.CANDIDATE_MERGE_UNDONE, merge)
    _profiles_changed(merge.survivor_id, merge.duplicate_id)
    return merge
