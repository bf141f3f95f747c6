import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from jobs.models import Job, JobSkill
from tests.factories.accounts import OrganizationFactory


class JobFactory(DjangoModelFactory[Job]):
    """An open job by default; pass ``status="draft"`` for a draft."""

    class Meta:
        model = Job

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Software Engineer {n}")
    description = factory.Faker("paragraph")
    location = "Berlin, Germany"
    remote_policy = "hybrid"
    employment_type = "full_time"
    min_years_experience = 2
    salary_min = 60000
    salary_max = 90000
    salary_currency = "EUR"
    status = "open"
    opened_at = factory.LazyFunction(timezone.now)


class JobSkillFactory(DjangoModelFactory[JobSkill]):
    class Meta:
        model = JobSkill

    job = factory.SubFactory(JobFactory)
    name = factory.Sequence(lambda n: f"Skill {n}")
    normalized_name = factory.LazyAttribute(lambda o: " ".join(o.name.split()).lower())
    level = "intermediate"
    required = True
