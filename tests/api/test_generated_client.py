"""A client generated from the served OpenAPI document runs the README's flows (issue 11).

openapi-python-client (a dev dependency) generates a Python package from
``/api/v1/schema/`` into a temporary folder; the test imports it and, against a real server
(pytest-django's live server on the test database), logs in, lists jobs with a multi-value
filter (sent as repeated parameters, as the schema says), applies as a candidate, moves the
application as a recruiter, lists interviews, and revalidates a cached read with its ETag.
Nothing generated is kept.
"""

import importlib
import json
import subprocess
import sys
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from django.utils import timezone

from applications.models import Application
from tests.factories import (
    CandidateFactory,
    InterviewFactory,
    JobFactory,
    MembershipFactory,
    OrganizationFactory,
)
from tests.factories.accounts import PASSWORD


def _generate(schema_url: str, folder: Path) -> ModuleType:
    with urllib.request.urlopen(schema_url, timeout=30) as response:  # noqa: S310 - the live server
        document = json.load(response)
    (folder / "schema.json").write_text(json.dumps(document))
    (folder / "config.yaml").write_text("post_hooks: []\n")
    package = f"hotgigs_client_{uuid.uuid4().hex[:8]}"
    completed = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(folder / "schema.json"),
            "--meta",
            "none",
            "--output-path",
            str(folder / package),
            "--config",
            str(folder / "config.yaml"),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(folder))


@pytest.fixture
def generated(live_server, tmp_path):  # type: ignore[no-untyped-def]
    """The generated package and a way to import its submodules (``api.jobs.jobs_list``, …)."""
    root = _generate(f"{live_server.url}/api/v1/schema/?format=json", tmp_path)

    def module(name: str) -> ModuleType:
        return importlib.import_module(f"{root.__name__}.{name}")

    yield module
    for name in [n for n in sys.modules if n == root.__name__ or n.startswith(root.__name__ + ".")]:
        del sys.modules[name]


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    org = OrganizationFactory(name="Generated Co")
    recruiter = MembershipFactory(organization=org).user
    jobs = {
        "open": JobFactory(organization=org, created_by=recruiter, title="Backend Engineer"),
        "open2": JobFactory(organization=org, created_by=recruiter, title="Data Engineer"),
        "closed": JobFactory(organization=org, created_by=recruiter, status="closed"),
        "draft": JobFactory(organization=org, created_by=recruiter, status="draft", opened_at=None),
    }
    candidate = CandidateFactory()
    return {"recruiter": recruiter, "candidate": candidate, "jobs": jobs}


def _login(generated, base_url: str, email: str):  # type: ignore[no-untyped-def]
    client_module = generated("client")
    token_create = generated("api.auth.auth_token_create")
    token_request = generated("models.token_request_request").TokenRequestRequest
    anonymous = client_module.Client(base_url=base_url, raise_on_unexpected_status=True)
    pair = token_create.sync(client=anonymous, body=token_request(email=email, password=PASSWORD))
    assert pair.token_type == "Bearer"
    return client_module.AuthenticatedClient(
        base_url=base_url, token=pair.access_token, raise_on_unexpected_status=True
    )


def test_a_generated_client_runs_the_readme_flows(generated, live_server, world):
    base = live_server.url
    recruiter = _login(generated, base, world["recruiter"].email)
    candidate = _login(generated, base, world["candidate"].user.email)
    jobs_list = generated("api.jobs.jobs_list")
    status_item = generated("models.jobs_list_status_item").JobsListStatusItem

    # A multi-value filter goes out as repeated parameters and keeps every value.
    listed = jobs_list.sync(client=recruiter, status=[status_item.OPEN, status_item.CLOSED])
    assert {job.id for job in listed.results} == {world["jobs"][k].pk for k in ("open", "open2", "closed")}
    assert {job.status.value for job in listed.results} == {"open", "closed"}

    # The cached read's ETag, documented in the schema, revalidates to 304.
    first = jobs_list.sync_detailed(client=recruiter, status=[status_item.OPEN])
    etag = first.headers["ETag"]
    again = jobs_list.sync_detailed(client=recruiter, status=[status_item.OPEN], if_none_match=etag)
    assert (first.status_code, again.status_code) == (200, 304)

    # The candidate applies; the recruiter moves the application on.
    apply = generated("api.applications.applications_create")
    create_request = generated("models.application_create_request").ApplicationCreateRequest
    application = apply.sync(client=candidate, body=create_request(job_id=world["jobs"]["open"].pk))
    assert application.stage.value == "applied"
    move = generated("api.applications.applications_move_create")
    move_request = generated("models.application_move_request").ApplicationMoveRequest
    stage = generated("models.application_stage_enum").ApplicationStageEnum
    moved = move.sync(id=application.id, client=recruiter, body=move_request(stage=stage.SCREENING))
    assert moved.stage == stage.SCREENING

    # Interviews, filtered by several statuses, as both sides see them.
    soon = timezone.now() + timedelta(days=2)
    stored = Application.objects.get(pk=application.id)
    interview = InterviewFactory(application=stored, interviewers=[world["recruiter"]], starts_at=soon)
    interviews_list = generated("api.interviews.interviews_list")
    interview_status = generated("models.interviews_list_status_item").InterviewsListStatusItem
    statuses = [interview_status.SCHEDULED, interview_status.CANCELLED]
    for client in (recruiter, candidate):
        calendar = interviews_list.sync(client=client, status=statuses)
        assert [row.id for row in calendar.results] == [interview.pk]

    # Who am I: organizations are typed, with the role.
    me = generated("api.auth.auth_me_retrieve").sync(client=recruiter)
    assert [(org.name, org.role.value) for org in me.organizations] == [("Generated Co", "recruiter")]
