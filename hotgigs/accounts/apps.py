from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hotgigs.accounts"
    label = "accounts"
    verbose_name = "Accounts and organizations"

    def ready(self) -> None:
        # Cache invalidation of authenticated identities (hotgigs/accounts/identity.py).
        from hotgigs.accounts import identity  # noqa: F401
