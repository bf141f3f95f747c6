import factory
from factory.django import DjangoModelFactory

from candidates.models import Candidate, CandidateSkill, Consent, Resume
from hotgigs.accounts.models import Membership, Organization, User
from tests.factories.accounts import UserFactory


def _first_organization(user: User | None) -> Organization | None:
    membership = Membership.objects.filter(user=user).order_by("created_at", "id").first() if user else None
    return membership.organization if membership else None


class CandidateFactory(DjangoModelFactory[Candidate]):
    """A candidate with a login; pass ``user=None`` for a sourced one (with ``created_by``, it
    belongs to its creator's first organization, as the data migration decides)."""

    class Meta:
        model = Candidate

    user = factory.SubFactory(UserFactory)
    full_name = factory.Faker("name")
    email = factory.LazyAttributeSequence(lambda o, n: o.user.email if o.user else f"sourced{n}@example.test")
    created_by = None
    organization = factory.LazyAttribute(lambda o: _first_organization(o.created_by) if o.user is None else None)
    headline = "Backend developer"
    years_experience = 4
    location = "Berlin, Germany"
    open_to_remote = True

    @factory.post_generation
    def talent_pool(obj: Candidate, create: bool, extracted: object, **kwargs: object) -> None:  # type: ignore[misc]
        """A discoverable profile holds the talent-pool consent, as the services record it."""
        if create and obj.discoverable:
            Consent.objects.get_or_create(
                candidate=obj,
                purpose="talent_pool",
                withdrawn_at=None,
                defaults={"text_version": "2026-12", "given_at": obj.created_at, "given_source": "api"},
            )


class CandidateSkillFactory(DjangoModelFactory[CandidateSkill]):
    class Meta:
        model = CandidateSkill

    candidate = factory.SubFactory(CandidateFactory)
    name = factory.Sequence(lambda n: f"Skill {n}")
    normalized_name = factory.LazyAttribute(lambda o: " ".join(o.name.split()).lower())
    level = "intermediate"


class ResumeFactory(DjangoModelFactory[Resume]):
    class Meta:
        model = Resume

    candidate = factory.SubFactory(CandidateFactory)
    file = factory.django.FileField(filename="resume.txt", data=b"Python developer with 5 years of Django.")
    original_filename = "resume.txt"
    content_type = "text/plain"
    size = 40
