"""Give each existing sourced candidate (no login) the organization it was sourced for.

Until now a sourced profile belonged to whichever organizations its creator was a member of.
Each now belongs to one: its creator's earliest membership (by when it was created, then by
id), preferring an active organization. A profile whose creator is gone or belongs to no
organization (staff who added it) keeps no organization: staff still see it, organizations
only when it applies to their jobs or is discoverable, as for a self-registered profile.
Profiles with a login are the person's own and keep none. The old rule kept every email
unique across the platform, so no two rows can collide under the per-organization rule.
"""

from django.db import migrations


def assign_organizations(apps, schema_editor):  # type: ignore[no-untyped-def]
    candidate = apps.get_model("candidates", "Candidate")
    membership = apps.get_model("accounts", "Membership")
    sourced = candidate.objects.filter(user__isnull=True, created_by__isnull=False, organization__isnull=True)
    creators = set(sourced.values_list("created_by_id", flat=True).distinct())
    first_org: dict[int, tuple[int, bool]] = {}
    rows = membership.objects.filter(user_id__in=creators).order_by("user_id", "created_at", "id")
    for user_id, org_id, active in rows.values_list("user_id", "organization_id", "organization__is_active"):
        # An active organization wins over an earlier inactive one.
        if user_id not in first_org or (active and not first_org[user_id][1]):
            first_org[user_id] = (org_id, active)
    for user_id, (org_id, _active) in first_org.items():
        sourced.filter(created_by_id=user_id).update(organization_id=org_id)


def clear_organizations(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("candidates", "Candidate").objects.update(organization=None)


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0003_organization_private_and_merges"),
    ]

    operations = [migrations.RunPython(assign_organizations, clear_organizations)]
