from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from hotgigs.admin_site import admin_site
        from privacy import admin

        admin_site.register_pages(admin.pages)
