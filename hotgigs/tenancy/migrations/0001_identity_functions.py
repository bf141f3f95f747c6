from django.db import migrations

from hotgigs.tenancy import rls


class Migration(migrations.Migration):
    """The functions through which row-level security policies read the acting identity."""

    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(*rls.functions())]
