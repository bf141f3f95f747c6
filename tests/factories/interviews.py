from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from interviews.models import Feedback, FeedbackRating, Interview, InterviewRound, RoundAttribute
from tests.factories.accounts import UserFactory
from tests.factories.applications import ApplicationFactory
from tests.factories.jobs import JobFactory


class InterviewFactory(DjangoModelFactory[Interview]):
    """A scheduled video interview tomorrow; pass ``interviewers=[...]`` to set the panel."""

    class Meta:
        model = Interview
        skip_postgeneration_save = True

    application = factory.SubFactory(ApplicationFactory)
    kind = "video"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    meeting_url = "https://meet.example.test/abc"
    status = "scheduled"

    @factory.post_generation
    def interviewers(obj: Interview, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            obj.interviewers.set(extracted)


class FeedbackFactory(DjangoModelFactory[Feedback]):
    class Meta:
        model = Feedback

    interview = factory.SubFactory(InterviewFactory)
    interviewer = factory.SubFactory(UserFactory)
    rating = 4
    recommendation = "yes"
    notes = "Solid system design."
    submitted_at = factory.LazyFunction(timezone.now)


class InterviewRoundFactory(DjangoModelFactory[InterviewRound]):
    class Meta:
        model = InterviewRound

    job = factory.SubFactory(JobFactory)
    name = factory.Sequence(lambda n: f"Round {n}")
    position = factory.Sequence(lambda n: n)


class RoundAttributeFactory(DjangoModelFactory[RoundAttribute]):
    class Meta:
        model = RoundAttribute

    round = factory.SubFactory(InterviewRoundFactory)
    name = factory.Sequence(lambda n: f"Attribute {n}")
    position = factory.Sequence(lambda n: n)


class FeedbackRatingFactory(DjangoModelFactory[FeedbackRating]):
    class Meta:
        model = FeedbackRating

    feedback = factory.SubFactory(FeedbackFactory)
    attribute = factory.SubFactory(RoundAttributeFactory)
    attribute_name = factory.LazyAttribute(lambda o: o.attribute.name if o.attribute else "Gone")
    position = 0
    score = 3
