from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Interviews and feedback"

    def ready(self) -> None:
        from interviews import subscribers  # noqa: F401  (registers the outbox subscribers)
