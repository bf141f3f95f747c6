from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = "Recruiter workspace"

    def ready(self) -> None:
        from hotgigs.admin_site import admin_site
        from workspace import dashboard, urls

        admin_site.register_pages(urls.pages)
        admin_site.register_index(dashboard.dashboard_index)
