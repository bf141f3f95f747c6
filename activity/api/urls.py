"""Routes of notes and the activity timeline, mounted under /api/v1/ by hotgigs/urls.py.

They hang under the applications and candidates resources, which must not import this app.
"""

from django.urls import re_path

from activity.api.views import ID_PATTERN, ActivityViewSet, NoteViewSet

urlpatterns = [
    re_path(
        rf"^applications/(?P<pk>{ID_PATTERN})/notes/?$",
        NoteViewSet.as_view({"get": "application_list", "post": "application_create"}),
        name="application-notes",
    ),
    re_path(
        rf"^candidates/(?P<pk>{ID_PATTERN})/notes/?$",
        NoteViewSet.as_view({"get": "candidate_list", "post": "candidate_create"}),
        name="candidate-notes",
    ),
    re_path(
        rf"^notes/(?P<pk>{ID_PATTERN})/?$",
        NoteViewSet.as_view({"patch": "partial_update", "delete": "destroy"}),
        name="note-detail",
    ),
    re_path(
        rf"^applications/(?P<pk>{ID_PATTERN})/activity/?$",
        ActivityViewSet.as_view({"get": "application"}),
        name="application-activity",
    ),
    re_path(
        rf"^candidates/(?P<pk>{ID_PATTERN})/activity/?$",
        ActivityViewSet.as_view({"get": "candidate"}),
        name="candidate-activity",
    ),
]
