from django.db import models


class MembershipRole(models.TextChoices):
    """What a member may do inside their organization."""

    RECRUITER = "recruiter", "Recruiter"
    ORG_ADMIN = "org_admin", "Organization admin"
