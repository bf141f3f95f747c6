"""Routes of this app's REST resources, mounted under /api/v1/ by hotgigs/api/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from candidates.api.views import CandidateMergeViewSet, CandidateViewSet, ResumeFileView

router = SimpleRouter()
# DRF turns any truthy ``trailing_slash`` argument into "/", so the optional slash is set here.
router.trailing_slash = "/?"
# /candidates/me is a list-level route, matched before the detail route (whose id is digits only).
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("candidate-merges", CandidateMergeViewSet, basename="candidate-merge")

urlpatterns = [
    # The link's signed token is the credential, so the route takes no id of its own.
    path("resume-file", ResumeFileView.as_view(), name="resume-file"),
    *router.urls,
]
