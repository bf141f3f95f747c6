from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """Candidate profiles, their resumes and skills under row-level security (PostgreSQL only).

    The identity readers are created again for ``hotgigs_my_candidate_ids()``, through which
    applications and matches now name the candidate's own rows: the candidates' policy reads
    applications, so theirs may not read the candidates back. Their policies are put anew.
    """

    dependencies = [
        ("tenancy", "0001_identity_functions"),
        ("candidates", "0005_row_level_security"),
        ("applications", "0005_row_level_security"),
    ]

    operations = [
        migrations.RunPython(rls.functions()[0], migrations.RunPython.noop),
        # (Backwards the applications keep the new rules: the function stays until 0001 is undone.)
        migrations.RunPython(rls.apply("applications_application", "applications_match")[0], migrations.RunPython.noop),
        migrations.RunPython(*rls.apply("candidates_candidate", "candidates_resume", "candidates_candidateskill")),
    ]
