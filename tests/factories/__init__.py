"""factory_boy factories for every model; import them from here."""

from tests.factories.accounts import MembershipFactory, OrganizationFactory, UserFactory
from tests.factories.applications import ApplicationFactory, StageChangeFactory
from tests.factories.candidates import CandidateFactory, CandidateSkillFactory, ResumeFactory
from tests.factories.interviews import FeedbackFactory, InterviewFactory
from tests.factories.jobs import JobFactory, JobSkillFactory
from tests.factories.notifications import NotificationFactory
from tests.factories.webhooks import WebhookDeliveryFactory, WebhookEndpointFactory

__all__ = [
    "ApplicationFactory",
    "CandidateFactory",
    "CandidateSkillFactory",
    "FeedbackFactory",
    "InterviewFactory",
    "JobFactory",
    "JobSkillFactory",
    "MembershipFactory",
    "NotificationFactory",
    "OrganizationFactory",
    "ResumeFactory",
    "StageChangeFactory",
    "UserFactory",
    "WebhookDeliveryFactory",
    "WebhookEndpointFactory",
]
