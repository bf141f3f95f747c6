"""Routes of webhook endpoints, mounted under /api/v1/ by hotgigs/api/urls.py."""

from rest_framework.routers import SimpleRouter

from hotgigs.webhooks.api.views import WebhookEndpointViewSet

router = SimpleRouter()
# DRF turns any truthy ``trailing_slash`` argument into "/", so the optional slash is set here.
router.trailing_slash = "/?"
router.register("webhooks/endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")

urlpatterns = router.urls
