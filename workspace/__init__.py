"""The recruiter workspace: the back office's purpose-built pages.

Django's admin stays the back office (same login, same organization scoping); this app adds
the pages a recruiter works in all day — the dashboard on the admin index, a pipeline
board per job, application and candidate pages with their actions, the interviewer's
"my interviews" — on the admin site through :meth:`HotGigsAdminSite.register_pages`.
It sits above every domain app (it shows jobs, applications, interviews and analytics
together) and, like every other entry point, reads through selectors and writes through
services.
"""
