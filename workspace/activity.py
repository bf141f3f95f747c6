"""The activity section of the application and candidate pages: the notes form and the timeline.

Both pages show the same section (``workspace/_activity.html``): a form to write a note
(``note_create``; ``@email`` mentions members, who are told), then the timeline of
``activity.selectors`` newest first, a page at a time ("Older activity" follows its cursor).
A note's text is escaped, its line breaks kept and its mentions marked; its author may edit
or delete it there (``note_update`` / ``note_delete``; anyone else is refused by the service).
Each write is also written to the History of the application or candidate, without the text.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from activity.errors import NoteNotFound
from activity.selectors import (
    application_activity,
    candidate_activity,
    cursor_decode,
    cursor_encode,
    note_get,
)
from activity.services import MAX_NOTE, MENTION, note_create, note_delete, note_update
from applications.errors import ApplicationNotFound
from applications.selectors import actor_is_hiring_team, application_get
from candidates.errors import CandidateNotFound
from candidates.selectors import candidate_get
from hotgigs.accounts import policies
from hotgigs.admin_site import domain_error_text
from hotgigs.errors import DomainError, ValidationFailed
from workspace.records import log_change

# Entries per page of the timeline on the back-office pages.
TIMELINE_PAGE = 30
CURSOR_PARAMETER = "activity"


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note",
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": "Write something."},
        help_text="Only your organization reads notes, never the candidate. Mention a colleague with @ and "
        "their email address (@ana@example.com): they are told.",
    )


def note_html(body: str) -> SafeString:
    """A note as the page shows it: escaped, paragraphs and line breaks kept, mentions marked."""
    escaped = str(escape(body))
    marked = MENTION.sub(lambda match: f'<strong class="ws-mention">{match.group(0)}</strong>', escaped)
    # Safe: every character of the note was escaped above; only the mention markup is added.
    return mark_safe(linebreaks(marked))  # noqa: S308


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _section(request: HttpRequest, page_url: str, read: Any, **target: Any) -> dict[str, Any]:
    try:
        cursor = cursor_decode(request.GET.get(CURSOR_PARAMETER))
    except ValidationFailed:
        cursor = None
    try:
        entries, following = read(actor=request.user, cursor=cursor, size=TIMELINE_PAGE, **target)
    except DomainError:
        return {"activity_hidden": True}
    rows = [
        {
            "entry": entry,
            "note_html": note_html(entry.detail) if entry.note_id is not None else None,
            "mine": entry.note_id is not None and policies.may_change_note(request.user, author_id=entry.actor_id),
        }
        for entry in entries
    ]
    more = f"{page_url}?{CURSOR_PARAMETER}={cursor_encode(following)}#ws-activity" if following else None
    return {
        "activity_rows": rows,
        "activity_more_url": more,
        "activity_older": cursor is not None,
        "activity_page_url": page_url,
        "note_form": NoteForm(),
        "max_note": MAX_NOTE,
    }


def _application_page(application_id: int) -> str:
    return reverse("admin:applications_application_change", args=[application_id])


def _candidate_page(candidate_id: int) -> str:
    return reverse("admin:candidates_candidate_change", args=[candidate_id])


def application_section(request: HttpRequest, application: Any) -> dict[str, Any]:
    page = _application_page(application.pk)
    return {
        **_section(request, page, application_activity, application=application),
        "note_action": reverse("admin:workspace_application_note", args=[application.pk]),
    }


def candidate_section(request: HttpRequest, candidate: Any) -> dict[str, Any]:
    page = _candidate_page(candidate.pk)
    return {
        **_section(request, page, candidate_activity, candidate=candidate),
        "note_action": reverse("admin:workspace_candidate_note", args=[candidate.pk]),
    }


def _written(request: HttpRequest, form: NoteForm, write: Any, logged: Any, page: str) -> HttpResponse:
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"The note was not saved. {problems}")
        return HttpResponseRedirect(page + "#ws-activity")
    try:
        note = write(form.cleaned_data["body"])
    except DomainError as error:
        messages.error(request, f"The note was not saved: {domain_error_text(error)}")
        return HttpResponseRedirect(page + "#ws-activity")
    mentioned = note.mentions.exclude(pk=request.user.pk).count()
    log_change(request, logged, "Wrote a note.")
    told = f" {mentioned} colleague{'s' if mentioned != 1 else ''} will be told." if mentioned else ""
    messages.success(request, f"Note saved.{told}")
    return HttpResponseRedirect(page + "#ws-activity")


@require_POST
def application_note_view(request: HttpRequest, object_id: str) -> HttpResponse:
    try:
        application = application_get(actor=request.user, application_id=int(object_id))
    except (ApplicationNotFound, ValueError):
        raise Http404("No such application.") from None
    if not actor_is_hiring_team(actor=request.user, application=application):
        raise Http404("No such application.")
    return _written(
        request,
        NoteForm(request.POST),
        lambda body: note_create(actor=request.user, application=application, body=body),  # type: ignore[arg-type]
        application,
        _application_page(application.pk),
    )


@require_POST
def candidate_note_view(request: HttpRequest, object_id: str) -> HttpResponse:
    try:
        candidate = candidate_get(actor=request.user, candidate_id=int(object_id), skills=False)
    except (CandidateNotFound, ValueError):
        raise Http404("No such candidate.") from None
    return _written(
        request,
        NoteForm(request.POST),
        lambda body: note_create(actor=request.user, candidate=candidate, body=body),  # type: ignore[arg-type]
        candidate,
        _candidate_page(candidate.pk),
    )


def _note(request: HttpRequest, note_id: str) -> Any:
    try:
        return note_get(actor=request.user, note_id=int(note_id))
    except (NoteNotFound, ValueError):
        raise Http404("No such note.") from None


def _note_page(note: Any) -> str:
    if note.application_id is not None:
        return _application_page(note.application_id)
    return _candidate_page(note.candidate_id)


@require_POST
def note_edit_view(request: HttpRequest, note_id: str) -> HttpResponse:
    note = _note(request, note_id)
    back = _back(request, _note_page(note)) + "#ws-activity"
    form = NoteForm(request.POST)
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"The note was not changed. {problems}")
        return HttpResponseRedirect(back)
    try:
        note_update(actor=request.user, note=note, body=form.cleaned_data["body"])  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, f"The note was not changed: {domain_error_text(error)}")
        return HttpResponseRedirect(back)
    messages.success(request, "Note changed.")
    return HttpResponseRedirect(back)


@require_POST
def note_delete_view(request: HttpRequest, note_id: str) -> HttpResponse:
    note = _note(request, note_id)
    back = _back(request, _note_page(note)) + "#ws-activity"
    try:
        note_delete(actor=request.user, note=note)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, f"The note was not deleted: {domain_error_text(error)}")
        return HttpResponseRedirect(back)
    messages.success(request, "Note deleted.")
    return HttpResponseRedirect(back)
