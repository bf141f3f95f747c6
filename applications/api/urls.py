"""Routes of this app's REST resources, mounted under /api/v1/ by hotgigs/api/urls.py."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from applications.api.views import (
    ID_PATTERN,
    ApplicationViewSet,
    MatchViewSet,
    RejectionEmailTemplateViewSet,
    RejectionReasonViewSet,
)

router = SimpleRouter()
# DRF turns any truthy ``trailing_slash`` argument into "/", so the optional slash is set here.
router.trailing_slash = "/?"
router.register("applications", ApplicationViewSet, basename="application")
router.register("rejection-reasons", RejectionReasonViewSet, basename="rejection-reason")
router.register("rejection-email-templates", RejectionEmailTemplateViewSet, basename="rejection-email-template")

# The match lists of a job and of a candidate: this app reads Match rows, so it mounts them
# under the jobs and candidates resources (which must not import applications).
match_routes = [
    re_path(
        rf"^jobs/(?P<job_id>{ID_PATTERN})/matches/?$",
        MatchViewSet.as_view({"get": "job_matches"}),
        name="job-matches",
    ),
    re_path(
        rf"^jobs/(?P<job_id>{ID_PATTERN})/matches/recompute/?$",
        MatchViewSet.as_view({"post": "job_recompute"}),
        name="job-matches-recompute",
    ),
    re_path(
        rf"^candidates/(?P<candidate_id>{ID_PATTERN})/matches/?$",
        MatchViewSet.as_view({"get": "candidate_matches"}),
        name="candidate-matches",
    ),
    re_path(
        rf"^candidates/(?P<candidate_id>{ID_PATTERN})/matches/recompute/?$",
        MatchViewSet.as_view({"post": "candidate_recompute"}),
        name="candidate-matches-recompute",
    ),
    re_path(
        rf"^matches/(?P<match_id>{ID_PATTERN})/mark/?$",
        MatchViewSet.as_view({"post": "mark", "delete": "unmark"}),
        name="match-mark",
    ),
]

urlpatterns = router.urls + match_routes
