from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hotgigs.accounts"
    label = "accounts"
    verbose_name = "Accounts and organizations"
