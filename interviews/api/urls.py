"""Routes of this app's REST resources, mounted under /api/v1/ by hotgigs/api/urls.py."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from hotgigs.api.schema import PATH_ID_PATTERN
from interviews.api.views import ApplicationFeedbackView, InterviewPlanView, InterviewViewSet

router = SimpleRouter()
# DRF turns any truthy ``trailing_slash`` argument into "/", so the optional slash is set here.
router.trailing_slash = "/?"
router.register("interviews", InterviewViewSet, basename="interview")

# A job's interview plan and an application's feedback live here: jobs and applications never
# import interviews.
urlpatterns = [
    *router.urls,
    re_path(
        rf"^jobs/(?P<job_id>{PATH_ID_PATTERN})/interview-plan/?$",
        InterviewPlanView.as_view(),
        name="job-interview-plan",
    ),
    re_path(
        rf"^applications/(?P<application_id>{PATH_ID_PATTERN})/feedback/?$",
        ApplicationFeedbackView.as_view(),
        name="application-feedback",
    ),
]
