from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "hotgigs.realtime"
    label = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        from hotgigs.events.registry import after_commit
        from hotgigs.realtime.events import push_committed

        # Every committed event with an audience goes to its groups right after commit.
        after_commit("realtime.push")(push_committed)
