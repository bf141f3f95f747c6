"""Health endpoints for load balancers and orchestrators."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers HTTP. Touches nothing else, so it is also the
    cheapest JSON view on the server (the benchmarks' framework floor)."""
    return JsonResponse({"status": "ok"})
