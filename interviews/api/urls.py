"""Routes of this app's REST resources, mounted under /api/v1/ by hotgigs/api/urls.py."""

from rest_framework.routers import SimpleRouter

from interviews.api.views import InterviewViewSet

router = SimpleRouter()
# DRF turns any truthy ``trailing_slash`` argument into "/", so the optional slash is set here.
router.trailing_slash = "/?"
router.register("interviews", InterviewViewSet, basename="interview")

urlpatterns = router.urls
