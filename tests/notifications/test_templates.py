"""Every kind renders a subject, a text and an HTML body with the product name and links."""

import pytest

from hotgigs.notifications.choices import NotificationKind
from hotgigs.notifications.mail import render_email

CONTEXT = {
    "job_title": "Platform <Engineer>",
    "organization_name": "Acme & Co",
    "candidate_name": "Ada <script>alert(1)</script>",
    "from_stage_label": "Applied",
    "to_stage_label": "Screening",
    "when": "Tue 01 Dec 2026, 10:00–11:00 (Europe/Berlin)",
    "interview_kind_label": "Video",
    "meeting_url": "https://meet.example.test/x",
    "path": "/things/7",
}


@pytest.mark.parametrize("kind", NotificationKind.values)
@pytest.mark.parametrize("role", ["candidate", "team", "interviewer"])
def test_every_kind_renders_text_and_html(kind, role):
    subject, text, html = render_email(kind=kind, context={**CONTEXT, "role": role}, to_name="Grace")

    assert subject
    assert "\n" not in subject
    assert "Grace" in text
    assert "https://app.hotgigs.test/things/7" in text
    assert "https://app.hotgigs.test/settings/notifications" in text
    assert 'href="https://app.hotgigs.test/things/7"' in html
    assert "HotGigs" in html
    assert "<script>" not in html
    assert "{{" not in text + html


def test_text_is_not_html_escaped_and_html_is():
    subject, text, html = render_email(kind="application.new", context=CONTEXT, to_name="Grace")

    assert "Ada <script>alert(1)</script>" in subject
    assert "Ada <script>alert(1)</script> applied for Platform <Engineer>." in text
    assert "Ada &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_interview_emails_word_themselves_by_role():
    _, to_candidate, _ = render_email(kind="interview.scheduled", context={**CONTEXT, "role": "candidate"})
    _, to_panel, _ = render_email(kind="interview.scheduled", context={**CONTEXT, "role": "interviewer"})

    assert "Your interview for Platform <Engineer> at Acme & Co is scheduled." in to_candidate
    assert "You are interviewing Ada" in to_panel
    assert "Join: https://meet.example.test/x" in to_candidate


def test_links_follow_the_frontend_url_setting(settings):
    settings.FRONTEND_URL = "https://jobs.example.org/app/"

    _, text, _ = render_email(kind="application.received", context=CONTEXT)

    assert "https://jobs.example.org/app/things/7" in text
