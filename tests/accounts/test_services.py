import pytest

from hotgigs.accounts.errors import EmailTaken, InvalidAccountInput
from hotgigs.accounts.models import Membership, Organization, User
from hotgigs.accounts.policies import actor_roles, is_org_admin
from hotgigs.accounts.services import membership_set, organization_onboard, user_create
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

STRONG = "an-uncommon-passphrase-42"


def test_user_create_stores_a_lowercased_active_user(db):
    user = user_create(email="  Ada.Lovelace@Example.TEST ", password=STRONG, full_name=" Ada Lovelace ")

    user.refresh_from_db()
    assert user.email == "ada.lovelace@example.test"
    assert user.full_name == "Ada Lovelace"
    assert user.is_active
    assert not user.is_staff
    assert user.check_password(STRONG)


def test_user_create_rejects_an_email_taken_in_another_case(db):
    UserFactory(email="grace@example.test")

    with pytest.raises(EmailTaken) as exc_info:
        user_create(email="GRACE@Example.test", password=STRONG)

    assert exc_info.value.code == "CONFLICT"
    assert "email" in exc_info.value.details
    assert User.objects.count() == 1


@pytest.mark.parametrize("email", ["", "   ", "not-an-email", "a@", "@example.test", None])
def test_user_create_rejects_a_malformed_email(db, email):
    with pytest.raises(InvalidAccountInput) as exc_info:
        user_create(email=email, password=STRONG)

    assert exc_info.value.code == "VALIDATION_ERROR"
    assert set(exc_info.value.details) == {"email"}
    assert User.objects.count() == 0


@pytest.mark.parametrize("password", ["short", "password123", "12345678901"])
def test_user_create_rejects_a_weak_password(db, password):
    with pytest.raises(InvalidAccountInput) as exc_info:
        user_create(email="weak@example.test", password=password)

    assert set(exc_info.value.details) == {"password"}
    assert User.objects.count() == 0


def test_user_create_skips_password_rules_when_asked(db):
    user = user_create(email="seed@example.test", password="short", validate=False)

    assert user.check_password("short")


@pytest.mark.parametrize("full_name", ["x" * 201, None, 42])
def test_user_create_rejects_a_bad_name(db, full_name):
    with pytest.raises(InvalidAccountInput) as exc_info:
        user_create(email="long@example.test", password=STRONG, full_name=full_name)

    assert set(exc_info.value.details) == {"full_name"}
    assert User.objects.count() == 0


def test_membership_set_updates_the_role_and_forgets_cached_roles(org):
    user = MembershipFactory(organization=org).user
    assert not is_org_admin(user, org.pk)

    membership_set(user=user, organization=org, role="org_admin")

    assert is_org_admin(user, org.pk)
    assert Membership.objects.get(user=user, organization=org).role == "org_admin"
    assert Membership.objects.count() == 1


def test_membership_set_rejects_an_unknown_role(org):
    user = UserFactory()

    with pytest.raises(InvalidAccountInput) as exc_info:
        membership_set(user=user, organization=org, role="owner")

    assert set(exc_info.value.details) == {"role"}
    assert not Membership.objects.exists()


def test_organization_onboard_creates_the_org_and_an_admin_with_a_generated_password(db):
    result = organization_onboard(name="Initech", admin_email="Boss@Initech.test", admin_name="Bill")

    assert result.created
    assert result.organization.slug == "initech"
    assert result.admin.email == "boss@initech.test"
    assert result.admin.check_password(result.password)
    assert actor_roles(result.admin) == {result.organization.pk: "org_admin"}


def test_organization_onboard_is_idempotent_on_the_slug(db):
    first = organization_onboard(name="Initech", admin_email="boss@initech.test", password=STRONG)

    second = organization_onboard(name="Initech", admin_email="BOSS@initech.test", password=STRONG)

    assert not second.created
    assert second.password is None
    assert second.organization == first.organization
    assert second.admin == first.admin
    assert Organization.objects.count() == 1
    assert User.objects.count() == 1
    assert Membership.objects.count() == 1


def test_organization_onboard_gives_an_existing_user_a_seat(org):
    person = MembershipFactory(organization=org).user

    result = organization_onboard(name="Second Co", admin_email=person.email)

    assert result.admin == person
    assert result.password is None
    assert set(actor_roles(person)) == {org.pk, result.organization.pk}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "", "admin_email": "a@example.test"}, "name"),
        ({"name": "x" * 201, "admin_email": "a@example.test"}, "name"),
        ({"name": "!!!", "admin_email": "a@example.test"}, "slug"),
        ({"name": "Initech", "admin_email": "nope"}, "email"),
        ({"name": "Initech", "admin_email": "a@example.test", "password": "short"}, "password"),
    ],
)
def test_organization_onboard_rejects_bad_input_and_changes_nothing(db, kwargs, field):
    with pytest.raises(InvalidAccountInput) as exc_info:
        organization_onboard(**kwargs)

    assert set(exc_info.value.details) == {field}
    assert not Organization.objects.exists()
    assert not User.objects.exists()
    assert not Membership.objects.exists()


def test_organization_onboard_keeps_an_existing_org_unchanged(db):
    existing = OrganizationFactory(name="Initech", website="https://initech.test")

    result = organization_onboard(name="Initech", admin_email="new@initech.test", website="https://other.test")

    existing.refresh_from_db()
    assert not result.created
    assert existing.website == "https://initech.test"
