import factory
from factory.django import DjangoModelFactory

from hotgigs.notifications.models import Notification
from tests.factories.accounts import UserFactory


class NotificationFactory(DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = "application.stage_changed"
    payload = factory.LazyFunction(lambda: {"application_id": 1, "role": "candidate", "path": "/applications/1"})
