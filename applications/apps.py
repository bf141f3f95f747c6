from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Applications and pipeline"

    def ready(self) -> None:
        # The realtime kernel knows no domain app: this app tells it who may follow the
        # events of one application (``application_status`` with an ``application_id``).
        from applications.selectors import application_audience_authorize, application_audience_authorize_many
        from hotgigs.realtime.subscriptions import APPLICATION, register_audience

        register_audience(APPLICATION, application_audience_authorize, application_audience_authorize_many)

        from applications import subscribers  # noqa: F401  (registers the outbox subscribers)

        # A candidate's applications follow a merge of their profile (and its undo).
        from applications.services import applications_follow_merge, applications_restore_after_merge_undo
        from candidates.services.merges import register_merge_part

        register_merge_part(
            "applications", move=applications_follow_merge, restore=applications_restore_after_merge_undo
        )

        # A new organization starts with the default rejection reasons and email (the kernel that
        # creates organizations knows nothing of them).
        from django.db.models.signals import post_save

        from hotgigs.accounts.models import Organization

        post_save.connect(_seed_rejection_reasons, sender=Organization, dispatch_uid="applications.rejection_reasons")


def _seed_rejection_reasons(sender: type, instance: object, created: bool, raw: bool = False, **kwargs: object) -> None:
    if created and not raw:
        from applications.services import rejection_email_templates_seed, rejection_reasons_seed
        from hotgigs import tenancy

        # Whoever creates the organization is not yet its member: its default list is the
        # system's to write (row-level security holds the rows to their organization).
        with tenancy.system("a new organization's default rejection reasons and email"):
            rejection_reasons_seed(organization_id=instance.pk)  # type: ignore[attr-defined]
            rejection_email_templates_seed(organization_id=instance.pk)  # type: ignore[attr-defined]
