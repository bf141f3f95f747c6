from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Interviews and feedback"

    def ready(self) -> None:
        from hotgigs.accounts import policies
        from interviews import subscribers  # noqa: F401  (registers the outbox subscribers)
        from interviews.selectors import interview_panels_of_user

        # The policy reads whose interview panels a limited seat sits on from here.
        policies.register_interview_panels(interview_panels_of_user)
