from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Notes and activity"

    def ready(self) -> None:
        from activity import subscribers  # noqa: F401  (registers the outbox subscribers)

        # POST /applications/bulk with "note": the applications app offers what this app registers.
        from activity.services import bulk_note_check, bulk_note_run
        from applications.services import register_bulk_action

        register_bulk_action("note", check=bulk_note_check, run=bulk_note_run)
