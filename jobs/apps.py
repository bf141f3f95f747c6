from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from hotgigs.accounts import policies
        from jobs import subscribers  # noqa: F401  (registers the outbox subscribers)
        from jobs.selectors import hiring_teams_of_user

        # The policy reads who is on which job's hiring team from here (the kernel imports no app).
        policies.register_hiring_teams(hiring_teams_of_user)
