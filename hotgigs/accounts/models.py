import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from hotgigs.accounts.choices import MembershipRole


class UserManager(BaseUserManager["User"]):
    """Creates users identified by email instead of a username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("Users must have an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address.

    ``is_staff`` marks HotGigs platform staff, who see every row. Recruiters and
    organization admins are users with a :class:`Membership`; candidates are users
    linked to a candidate profile. One user may be both (a recruiter who job hunts).
    """

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Platform staff: sees every organization's rows in the API and admin."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("email",)
        constraints = (models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),)

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Emails are stored lower-cased so login and uniqueness ignore case everywhere.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        """The first name, past a title such as "Dr." or "Mrs." (the admin greets people by it)."""
        words = self.full_name.split()
        while len(words) > 1 and words[0].endswith("."):
            words.pop(0)
        return words[0] if words else self.email


class Organization(models.Model):
    """A hiring company. Jobs, and everything hanging off them, belong to one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    members: "models.ManyToManyField[User, Membership]" = models.ManyToManyField(
        User, through="Membership", related_name="organizations"
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's seat in an organization, with the role that governs what they may do."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=MembershipRole.choices, default=MembershipRole.RECRUITER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("organization", "user")
        constraints = (
            models.UniqueConstraint(fields=("user", "organization"), name="accounts_membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values), name="accounts_membership_role_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class TokenFamily(models.Model):
    """All refresh tokens descended, by rotation, from one login on one device.

    Every token (refresh and access) carries the family id in its ``fam`` claim. When a
    refresh token that was already rotated is presented again, someone holds a stolen copy,
    so the whole family is revoked: its refresh tokens stop rotating and its access tokens
    stop authenticating. Logging out revokes the family too.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="token_families")
    device_id = models.CharField(max_length=128, blank=True)
    scope = models.TextField(help_text="Space-separated scopes granted at login.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_rotated_at = models.DateTimeField(null=True, blank=True)
    # The refresh token rotated last and the pair it was exchanged for: presenting that token
    # again within AUTH_REFRESH_REUSE_GRACE_SECONDS (a second browser tab refreshing at the
    # same moment) answers the same pair instead of revoking the family. The pair is a copy
    # of what simplejwt's OutstandingToken already keeps; the next rotation replaces it.
    rotated_jti = models.CharField(max_length=64, blank=True)
    rotated_pair = models.JSONField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name_plural = "token families"

    def __str__(self) -> str:
        return f"{self.user_id}/{self.device_id or '-'} ({'revoked' if self.revoked_at else 'active'})"


class LoginThrottle(models.Model):
    """Failed logins in a row for one email address, and until when the next attempt must wait.

    Keyed by a hash of the normalized address whether or not an account has it, so the
    throttle answers the same for every address and reveals none. A successful login deletes
    the row; rows without a failure for ``AUTH_LOGIN_FAILURE_WINDOW_SECONDS`` are purged.
    """

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the normalized email address.")
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=("last_failure_at",), name="accounts_lt_last_failure"),)

    def __str__(self) -> str:
        return f"{self.key[:12]}… ({self.failures} failures)"
