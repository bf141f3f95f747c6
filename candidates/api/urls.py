"""Routes of this app's REST resources, mounted under /api/v1/ by hotgigs/api/urls.py."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter(trailing_slash="/?")

urlpatterns = router.urls
