from django.db import migrations


def carry_over(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Each earlier consent time becomes an application-processing consent, and each profile open
    to discovery a talent-pool consent (its opt-in was that consent), both of the ``legacy``
    wording, so nobody leaves or enters discovery by the migration."""
    Candidate = apps.get_model("candidates", "Candidate")
    Consent = apps.get_model("candidates", "Consent")
    rows = []
    for candidate_id, consent_at, discoverable, created_at in Candidate.objects.values_list(
        "pk", "consent_at", "discoverable", "created_at"
    ).iterator(chunk_size=2000):
        if consent_at is not None:
            rows.append(
                Consent(
                    candidate_id=candidate_id,
                    purpose="application_processing",
                    text_version="legacy",
                    given_at=consent_at,
                    given_source="migration",
                )
            )
        if discoverable:
            rows.append(
                Consent(
                    candidate_id=candidate_id,
                    purpose="talent_pool",
                    text_version="legacy",
                    given_at=consent_at or created_at,
                    given_source="migration",
                )
            )
        if len(rows) >= 2000:
            Consent.objects.bulk_create(rows)
            rows = []
    Consent.objects.bulk_create(rows)


class Migration(migrations.Migration):
    """Consent records replace the one consent time. Row-level security on them follows in its
    own migration (0009): PostgreSQL refuses to ALTER a table with rows inserted earlier in the
    same transaction ("pending trigger events")."""

    dependencies = [("candidates", "0006_consents"), ("tenancy", "0001_identity_functions")]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
    ]
