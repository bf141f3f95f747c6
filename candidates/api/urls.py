"""Routes of this app's REST resources, mounted under /api/v1/ by hotgigs/api/urls.py."""

from rest_framework.routers import SimpleRouter

from candidates.api.views import CandidateViewSet

router = SimpleRouter()
# DRF turns any truthy ``trailing_slash`` argument into "/", so the optional slash is set here.
router.trailing_slash = "/?"
# /candidates/me is a list-level route, matched before the detail route (whose id is digits only).
router.register("candidates", CandidateViewSet, basename="candidate")

urlpatterns = router.urls
