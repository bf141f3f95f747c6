"""The workspace's pages, mounted under /admin/ ahead of the model admins' URLs.

Each view is wrapped in ``admin_site.admin_view`` (login, back-office permission, no cache).
"""

from django.urls import URLPattern, URLResolver, path

from hotgigs.admin_site import admin_site
from workspace import board


def pages() -> list[URLPattern | URLResolver]:
    return [
        # The pipeline board (workspace/board.py).
        path("jobs/job/<int:job_id>/board/", admin_site.admin_view(board.board_view), name="jobs_job_board"),
        path(
            "jobs/job/<int:job_id>/board/move/",
            admin_site.admin_view(board.board_move_view),
            name="jobs_job_board_move",
        ),
    ]
