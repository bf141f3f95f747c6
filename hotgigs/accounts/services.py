"""Writes for users, organizations and memberships."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from hotgigs.accounts import policies
from hotgigs.accounts.choices import MembershipRole
from hotgigs.accounts.errors import EmailTaken, InvalidAccountInput
from hotgigs.accounts.models import Membership, Organization, TokenFamily, User
from hotgigs.accounts.selectors import forget_actor_roles, user_get_by_email


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise InvalidAccountInput(details={"email": ["Enter a valid email address."]}) from None
    return email


def user_validate_new(*, email: str, password: str | None, full_name: str = "") -> str:
    """Check a would-be user's email, name and password; returns the normalized email.

    Raises InvalidAccountInput for a malformed email, an over-long name or a weak password.
    It does not look up whether the address is taken, so callers that must not reveal
    accounts (sign-up) can validate everything before they decide anything else.
    """
    email = _clean_email(email)
    if not isinstance(full_name, str) or len(full_name) > 200:
        raise InvalidAccountInput(details={"full_name": ["At most 200 characters."]})
    if password is not None:
        try:
            validate_password(password, User(email=email, full_name=full_name.strip()))
        except DjangoValidationError as exc:
            raise InvalidAccountInput(details={"password": list(exc.messages)}) from None
    return email


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str = "",
    is_staff: bool = False,
    validate: bool = True,
) -> User:
    """Create an active user.

    Raises InvalidAccountInput for a malformed email or a weak password (when ``validate``)
    and EmailTaken when the address is in use (compared case-insensitively).
    """
    email = _clean_email(email)
    if not isinstance(full_name, str) or len(full_name) > 200:
        raise InvalidAccountInput(details={"full_name": ["At most 200 characters."]})
    if user_get_by_email(email=email) is not None:
        raise EmailTaken(details={"email": ["A user with this email address already exists."]})
    user = User(email=email, full_name=full_name.strip(), is_staff=is_staff)
    if password is not None and validate:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            raise InvalidAccountInput(details={"password": list(exc.messages)}) from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise EmailTaken(details={"email": ["A user with this email address already exists."]}) from None
    return user


@transaction.atomic
def membership_set(*, user: User, organization: Organization, role: str) -> Membership:
    """Give ``user`` the ``role`` in ``organization`` (creating or updating the seat)."""
    if role not in MembershipRole.values:
        raise InvalidAccountInput(details={"role": [f"Must be one of {', '.join(MembershipRole.values)}."]})
    membership, _ = Membership.objects.update_or_create(user=user, organization=organization, defaults={"role": role})
    forget_actor_roles(user)
    return membership


@dataclass(frozen=True)
class OnboardResult:
    """What ``organization_onboard`` made, and the generated password if it made one."""

    organization: Organization
    admin: User
    password: str | None
    created: bool


@transaction.atomic
def organization_onboard(
    *,
    name: str,
    admin_email: str,
    admin_name: str = "",
    password: str | None = None,
    slug: str | None = None,
    website: str = "",
) -> OnboardResult:
    """Create an organization with its first member, an organization admin who recruits.

    Idempotent on the slug: onboarding an existing organization with the same admin again
    changes nothing and reports ``created=False``. An existing user is given the seat (a
    person may work for several organizations). Raises InvalidAccountInput for a blank name
    or a malformed email.
    """
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidAccountInput(details={"name": ["Give a name of 1 to 200 characters."]})
    slug = slugify(slug or name)[:80]
    if not slug:
        raise InvalidAccountInput(details={"slug": ["The name must contain letters or digits."]})
    admin_email = _clean_email(admin_email)

    organization, created = Organization.objects.get_or_create(slug=slug, defaults={"name": name, "website": website})
    user = user_get_by_email(email=admin_email)
    generated: str | None = None
    if user is None:
        generated = None if password else secrets.token_urlsafe(12)
        user = user_create(email=admin_email, password=password or generated, full_name=admin_name)
    membership_set(user=user, organization=organization, role=MembershipRole.ORG_ADMIN)
    return OnboardResult(organization=organization, admin=user, password=generated, created=created)


def user_personal_data_erase(*, user_id: int) -> dict[str, int]:
    """Erase a candidate's login (privacy/services.py decides who may; no access check here): its
    address and name are replaced, its password made unusable, it is deactivated and every token
    family revoked, so nobody logs in as it again. A login that also works for an organization, or
    is staff, is kept as it is (it is not only the candidate's): the count says 0."""
    user = User.objects.select_for_update().get(pk=user_id)
    if policies.may_recruit(user):
        return {"login": 0}
    user.email = f"erased-user-{user_id}@erased.invalid"
    user.full_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    TokenFamily.objects.filter(user_id=user_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return {"login": 1}
