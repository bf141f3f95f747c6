from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "Candidates"

    def ready(self) -> None:
        from candidates import subscribers  # noqa: F401  (registers the outbox subscribers)
