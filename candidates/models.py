import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from candidates.choices import (
    RESUME_CONTENT_TYPES,
    ConsentPurpose,
    ConsentSource,
    DisabilityStatus,
    Gender,
    ParseStatus,
    RaceEthnicity,
    SkillSource,
    VeteranStatus,
)
from candidates.storage import resume_storage


class Candidate(models.Model):
    """A person who applies for jobs, with the profile recruiters read.

    ``user`` is set when the candidate has a login; recruiters may also add candidates
    they sourced, who have none. A sourced profile belongs to ``organization`` (the one its
    recruiter sourced it for): its email is unique within that organization only, so two
    organizations keep separate records of the same person and neither learns of the
    other's. A self-registered profile has no organization: it is the person's own (its
    email unique among such profiles), shared with an organization when they apply to one of
    its jobs. Recruiters outside the organizations a candidate applied to see the profile
    only while ``discoverable`` is true. ``consent_at`` records when the candidate agreed to
    their data being processed. ``merged_into`` is set while the profile is merged into
    another of its organization (:class:`CandidateMerge`): it is then hidden everywhere.
    ``erased_at`` is set when the person's data was erased: the row stays (its applications keep
    the funnel's figures), with no name, contact, text, skill, resume or consent left.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidate"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=32, blank=True)
    headline = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    years_experience = models.PositiveSmallIntegerField(default=0)
    location = models.CharField(max_length=200, blank=True)
    open_to_remote = models.BooleanField(default=False)
    discoverable = models.BooleanField(
        default=False, help_text="Opted in to being found by recruiters of any organization."
    )
    consent_at = models.DateTimeField(null=True, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidates",
        help_text="The organization that sourced this profile; empty for a self-registered candidate.",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    erased_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the person's data was erased (privacy/services.py)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=Q(organization__isnull=False),
                name="candidates_candidate_org_email_ci_unique",
            ),
            models.UniqueConstraint(
                Lower("email"), condition=Q(organization__isnull=True), name="candidates_candidate_own_email_ci_unique"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(organization__isnull=True),
                name="candidates_candidate_own_profile_has_no_organization",
            ),
            models.CheckConstraint(condition=~Q(full_name=""), name="candidates_candidate_name_not_blank"),
            models.CheckConstraint(condition=~Q(email=""), name="candidates_candidate_email_not_blank"),
            models.CheckConstraint(condition=Q(years_experience__lte=70), name="candidates_candidate_experience_range"),
        )
        indexes = (models.Index(fields=("discoverable", "-created_at"), name="candidates_discoverable"),)

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"


class CandidateSkill(models.Model):
    """A skill on a candidate's profile, with its level and where it came from.

    ``source`` tells the candidate's own entries (``profile``) from suggestions found in
    their parsed resumes (``resume``). Suggestions never overwrite an entry: a skill the
    profile already lists (under any spelling of the vocabulary) is not suggested, and
    saving the profile's skills replaces only ``profile`` rows (a listed skill supersedes
    its suggestion). Suggestions are recomputed from all parsed resumes after each parse.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=100)
    normalized_name = models.CharField(max_length=100, db_index=True)
    level = models.CharField(max_length=12, default="intermediate")
    years = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=SkillSource.choices, default=SkillSource.PROFILE)

    class Meta:
        ordering = ("candidate", "name")
        constraints = (
            models.UniqueConstraint(
                fields=("candidate", "normalized_name"), name="candidates_skill_unique_per_candidate"
            ),
            models.CheckConstraint(condition=~Q(normalized_name=""), name="candidates_skill_name_not_blank"),
        )

    def __str__(self) -> str:
        return self.name


def resume_upload_to(instance: "Resume", filename: str) -> str:
    # Private, unguessable path: the original name is kept only in the row.
    return f"resumes/{instance.candidate_id}/{uuid.uuid4().hex}"


class Resume(models.Model):
    """A resume file of a candidate and what was extracted from it.

    The file lives in the ``resumes`` storage (candidates/storage.py) under a private,
    unguessable path and is handed out only through short-lived signed links.
    ``content_type`` is sniffed from the bytes, never taken from the client. ``sha256``
    recognises a repeated upload: the same bytes for the same candidate return the
    existing resume instead of storing a copy (a constraint keeps it so under races).
    ``parse_status`` goes pending → processing → parsed or failed; ``parse_error`` holds
    the reason of a failure in words for the uploader, ``extracted_text`` the text of a
    successful parse.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="resumes")
    file = models.FileField(upload_to=resume_upload_to, storage=resume_storage, max_length=300)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    extracted_text = models.TextField(blank=True)
    parse_status = models.CharField(max_length=12, choices=ParseStatus.choices, default=ParseStatus.PENDING)
    parse_error = models.TextField(blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    parsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-uploaded_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=Q(content_type__in=RESUME_CONTENT_TYPES), name="candidates_resume_content_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(parse_status__in=ParseStatus.values), name="candidates_resume_parse_status_valid"
            ),
            models.UniqueConstraint(
                fields=("candidate", "sha256"),
                condition=~Q(sha256=""),
                name="candidates_resume_unique_content_per_candidate",
            ),
        )
        indexes = (models.Index(fields=("parse_status",), name="candidates_resume_parse_status"),)

    def __str__(self) -> str:
        return self.original_filename or self.file.name


class CandidateMerge(models.Model):
    """One merge of two profiles of an organization (``duplicate`` into ``survivor``), and how to undo it.

    The duplicate is kept, hidden (``Candidate.merged_into``); what moved to the survivor is
    listed in ``moved`` by kind (``{"skills": [ids], "resumes": [ids], "applications": [ids],
    ...}``) so that :func:`candidates.services.merges.candidate_merge_undo` puts back exactly
    those rows. Rows that would collide with the survivor's (a skill it lists, a resume with the
    same content) stay on the duplicate. ``undone_at`` is set by the undo.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    survivor = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="merges_kept")
    duplicate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="merges_absorbed")
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-merged_at", "-id")
        constraints = (
            models.CheckConstraint(condition=~Q(survivor=models.F("duplicate")), name="candidates_merge_two_profiles"),
            # A profile is merged away at most once at a time.
            models.UniqueConstraint(
                fields=("duplicate",), condition=Q(undone_at__isnull=True), name="candidates_merge_one_active"
            ),
        )

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id}"


class Consent(models.Model):
    """One consent of a candidate: to which ``purpose``, to which wording (``text_version``),
    given when and where (``source``), and withdrawn when (``withdrawn_at``, empty while it holds).

    Rows are never rewritten but to stamp the withdrawal, so the history of every purpose is
    kept: at most one row per candidate and purpose holds at a time (a constraint). The
    talent-pool consent is what discovery and matching require (``candidates.selectors``);
    ``Candidate.discoverable`` follows it. ``Candidate.consent_at`` mirrors the application
    processing consent for the profile's API.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=24, choices=ConsentPurpose.choices)
    text_version = models.CharField(max_length=40)
    given_at = models.DateTimeField()
    given_source = models.CharField(max_length=10, choices=ConsentSource.choices)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_source = models.CharField(max_length=10, choices=ConsentSource.choices, blank=True)

    class Meta:
        ordering = ("candidate", "-given_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("candidate", "purpose"),
                condition=Q(withdrawn_at__isnull=True),
                name="candidates_consent_one_holding_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=ConsentPurpose.values), name="candidates_consent_purpose_valid"
            ),
            models.CheckConstraint(condition=~Q(text_version=""), name="candidates_consent_version_not_blank"),
        )

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "given"
        return f"{self.purpose} ({self.text_version}) {state}"


class SelfIdentification(models.Model):
    """A candidate's voluntary self-identification (EEO-style), kept apart from the profile.

    One row per profile, written and read only by the person themself
    (``candidates.services.self_identification``), and on PostgreSQL readable by nobody else:
    not their recruiters, not staff (row-level security lets only the person and the system
    through). It is never part of a profile read, an admin page, an export to an organization
    or the matching input; the adverse-impact monitor reads it as counts per group only
    (``candidates.selectors.self_identification_tally``). Every question may be declined
    (``declined``); withdrawing deletes the row, as does erasure.
    """

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="self_identification")
    gender = models.CharField(max_length=20, choices=Gender.choices)
    race_ethnicity = models.CharField(max_length=20, choices=RaceEthnicity.choices)
    veteran_status = models.CharField(max_length=20, choices=VeteranStatus.choices)
    disability_status = models.CharField(max_length=20, choices=DisabilityStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="candidates_selfid_gender_valid"),
            models.CheckConstraint(
                condition=Q(race_ethnicity__in=RaceEthnicity.values), name="candidates_selfid_race_valid"
            ),
            models.CheckConstraint(
                condition=Q(veteran_status__in=VeteranStatus.values), name="candidates_selfid_veteran_valid"
            ),
            models.CheckConstraint(
                condition=Q(disability_status__in=DisabilityStatus.values), name="candidates_selfid_disability_valid"
            ),
        )

    def __str__(self) -> str:
        return f"self-identification of candidate {self.candidate_id}"
