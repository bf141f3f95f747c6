"""Routes of this app's REST resources, mounted under /api/v1/ by hotgigs/api/urls.py."""

from rest_framework.routers import SimpleRouter

from applications.api.views import ApplicationViewSet

router = SimpleRouter()
# DRF turns any truthy ``trailing_slash`` argument into "/", so the optional slash is set here.
router.trailing_slash = "/?"
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns = router.urls
