"""The workspace's pages, mounted under /admin/ ahead of the model admins' URLs.

Each view is wrapped in ``admin_site.admin_view`` (login, back-office permission, no cache).
"""

from django.urls import URLPattern, URLResolver, path

from hotgigs.admin_site import admin_site
from workspace import activity, adverse_impact, application, board, candidate, interviewer, plan


def pages() -> list[URLPattern | URLResolver]:
    view = admin_site.admin_view
    return [
        # The pipeline board (workspace/board.py).
        path("jobs/job/<int:job_id>/board/", view(board.board_view), name="jobs_job_board"),
        path("jobs/job/<int:job_id>/board/move/", view(board.board_move_view), name="jobs_job_board_move"),
        # The job's interview plan and scorecards (workspace/plan.py).
        path("jobs/job/<int:job_id>/interview-plan/", view(plan.interview_plan_view), name="workspace_interview_plan"),
        path("jobs/job/<int:job_id>/board/bulk/", view(board.board_bulk_view), name="jobs_job_board_bulk"),
        # The application page takes over the admin's change URL of an application.
        path(
            "applications/application/<int:object_id>/change/",
            view(application.application_page),
            name="applications_application_change",
        ),
        path(
            "applications/application/<int:object_id>/move/",
            view(application.application_move_view),
            name="workspace_application_move",
        ),
        path(
            "applications/application/<int:object_id>/undo/",
            view(application.application_undo_view),
            name="workspace_application_undo",
        ),
        path(
            "applications/application/<int:object_id>/interviews/schedule/",
            view(application.interview_schedule_view),
            name="workspace_interview_schedule",
        ),
        path(
            "applications/application/<int:object_id>/interviews/<int:interview_id>/reschedule/",
            view(application.interview_reschedule_view),
            name="workspace_interview_reschedule",
        ),
        path(
            "applications/application/<int:object_id>/interviews/<int:interview_id>/cancel/",
            view(application.interview_cancel_view),
            name="workspace_interview_cancel",
        ),
        path(
            "applications/application/<int:object_id>/offer-decision/",
            view(application.offer_decision_view),
            name="workspace_offer_decision",
        ),
        path(
            "applications/application/<int:object_id>/match-mark/",
            view(application.match_mark_view),
            name="workspace_match_mark",
        ),
        # Notes, written from the application and candidate pages (workspace/activity.py).
        path(
            "applications/application/<int:object_id>/notes/",
            view(activity.application_note_view),
            name="workspace_application_note",
        ),
        path(
            "candidates/candidate/<int:object_id>/notes/",
            view(activity.candidate_note_view),
            name="workspace_candidate_note",
        ),
        path("activity/note/<int:note_id>/edit/", view(activity.note_edit_view), name="workspace_note_edit"),
        path("activity/note/<int:note_id>/delete/", view(activity.note_delete_view), name="workspace_note_delete"),
        # The candidate page wraps the candidate admin's change view (same URL, same form).
        path(
            "candidates/candidate/<int:object_id>/change/",
            view(candidate.candidate_page),
            name="candidates_candidate_change",
        ),
        path(
            "candidates/candidate/<int:object_id>/add-to-job/",
            view(candidate.add_to_job_view),
            name="workspace_candidate_add_to_job",
        ),
        path(
            "candidates/candidate/<int:object_id>/resumes/<int:resume_id>/download/",
            view(candidate.resume_download_view),
            name="workspace_resume_download",
        ),
        # The adverse-impact monitor, for the organization's admins (workspace/adverse_impact.py).
        path("adverse-impact/", view(adverse_impact.adverse_impact_view), name="workspace_adverse_impact"),
        # The interviewer's view.
        path("my-interviews/", view(interviewer.my_interviews), name="workspace_my_interviews"),
        path(
            "my-interviews/<int:interview_id>/feedback/",
            view(interviewer.feedback_view),
            name="workspace_feedback",
        ),
    ]
