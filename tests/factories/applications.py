import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from applications.models import Application, StageChange
from tests.factories.candidates import CandidateFactory
from tests.factories.jobs import JobFactory


class ApplicationFactory(DjangoModelFactory[Application]):
    """An application in ``applied`` with its first history row."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    job = factory.SubFactory(JobFactory)
    candidate = factory.SubFactory(CandidateFactory)
    stage = "applied"
    source = "career_site"
    stage_changed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def history(obj: Application, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            StageChange.objects.create(
                application=obj, from_stage="", to_stage="applied", changed_at=obj.stage_changed_at
            )


class StageChangeFactory(DjangoModelFactory[StageChange]):
    class Meta:
        model = StageChange

    application = factory.SubFactory(ApplicationFactory)
    from_stage = "applied"
    to_stage = "screening"
    changed_at = factory.LazyFunction(timezone.now)


def rejection_reason_id(organization_id: int, code: str = "skills") -> int:
    """The id of one of an organization's (default) rejection reasons."""
    from applications.models import RejectionReason

    return RejectionReason.objects.get(organization_id=organization_id, code=code).pk
