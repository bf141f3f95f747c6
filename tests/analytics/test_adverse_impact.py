"""The adverse-impact monitor (analytics.selectors.adverse_impact, GET /api/v1/analytics/adverse-impact)
on a small constructed pipeline whose figures are worked out by hand below; the p-values are
computed here with scipy from the same raw counts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from scipy import stats

from analytics.selectors.adverse_impact import ImpactFilters, adverse_impact_figures, adverse_impact_report
from applications.models import Match
from candidates.models import SelfIdentification
from hotgigs.accounts.tokens import token_issue
from hotgigs.errors import Forbidden
from tests.factories import ApplicationFactory, CandidateFactory, MembershipFactory, StageChangeFactory
from tests.factories.accounts import PASSWORD

URL = "/api/v1/analytics/adverse-impact"

pytestmark = pytest.mark.django_db

# (gender, race, how many, how many of them moved on to screening); the rest were rejected at
# "applied". None: never self-identified.
PEOPLE = (
    ("female", "white", 5, 2),
    ("female", "black", 5, 1),
    ("male", "white", 6, 4),
    ("male", "asian", 6, 4),
    ("non_binary", "asian", 3, 1),
    ("declined", "declined", 4, 2),
    (None, None, 2, 1),
)


def _person(gender, race):  # type: ignore[no-untyped-def]
    candidate = CandidateFactory()
    if gender is not None:
        SelfIdentification.objects.create(
            candidate=candidate,
            gender=gender,
            race_ethnicity=race,
            veteran_status="not_veteran",
            disability_status="declined",
        )
    return candidate


def _apply(job, candidate, *moves: str):  # type: ignore[no-untyped-def]
    start = timezone.now() - timedelta(days=10)
    application = ApplicationFactory(
        job=job, candidate=candidate, stage=moves[-1] if moves else "applied", stage_changed_at=start
    )
    previous = "applied"
    for day, stage in enumerate(moves, start=1):
        StageChangeFactory(
            application=application, from_stage=previous, to_stage=stage, changed_at=start + timedelta(days=day)
        )
        previous = stage
    return application


@pytest.fixture
def pipeline(open_job, other_open_job):  # type: ignore[no-untyped-def]
    people: dict[str, list] = {}
    for gender, race, count, advanced in PEOPLE:
        for number in range(count):
            candidate = _person(gender, race)
            people.setdefault(str(gender), []).append(candidate)
            _apply(open_job, candidate, "screening" if number < advanced else "rejected")
    # No selection decision: a withdrawal and an application still in "applied".
    _apply(open_job, _person("female", "white"), "withdrawn")
    _apply(open_job, _person("male", "white"))
    # A move to screening undone, then a rejection: rejected at "applied".
    undone = _apply(open_job, _person("female", "white"), "screening")
    StageChangeFactory(application=undone, from_stage="screening", to_stage="applied", kind="undo")
    StageChangeFactory(application=undone, from_stage="applied", to_stage="rejected")
    type(undone).objects.filter(pk=undone.pk).update(stage="rejected")
    # Another organization's applicants never count.
    for _ in range(6):
        _apply(other_open_job, _person("female", "white"), "screening")
    # Match scores: the men score higher than the women.
    for rank, candidate in enumerate(people["male"][:5] + people["female"][:5]):
        Match.objects.create(
            job=open_job,
            candidate=candidate,
            score=90 - rank,
            provider="test",
            model_version="1",
            input_hash=str(rank),
            computed_at=timezone.now(),
        )
    return people


def _figures(org, **filters):  # type: ignore[no-untyped-def]
    return adverse_impact_figures(organization_ids=frozenset({org.pk}), filters=ImpactFilters(**filters))


def _group(table, group):  # type: ignore[no-untyped-def]
    return next(row for row in table.groups if row.group == group)


def test_gender_selection_rates_ratios_and_fishers_test_by_hand(org, pipeline):
    report = _figures(org, dimensions=("gender",), stage="applied")

    (dimension,) = report.dimensions
    (step,) = dimension.steps
    female, male = _group(step, "female"), _group(step, "male")
    # Women: 5 + 5 + the undone one = 11 considered, 2 + 1 = 3 selected; men: 12 considered, 8 selected.
    assert (female.considered, female.selected, female.rate) == (11, 3, round(3 / 11, 4))
    assert (male.considered, male.selected, male.rate) == (12, 8, round(8 / 12, 4))
    assert step.reference_group == "male"
    assert male.impact_ratio == 1.0
    assert female.impact_ratio == round((3 / 11) / (8 / 12), 4)
    assert female.adverse is True
    assert male.adverse is False
    assert step.adverse is True
    expected = stats.fisher_exact([[3, 8], [8, 4]]).pvalue
    assert female.p_value == pytest.approx(expected, abs=1e-6)
    assert step.test == "fisher_exact"
    assert step.p_value == pytest.approx(expected, abs=1e-6)
    assert male.p_value is None


def test_small_groups_are_suppressed_and_declined_and_unanswered_only_counted(org, pipeline):
    report = _figures(org, dimensions=("gender",), stage="applied")

    step = report.dimensions[0].steps[0]
    non_binary = _group(step, "non_binary")
    assert non_binary.suppressed is True
    assert (non_binary.considered, non_binary.selected, non_binary.rate, non_binary.impact_ratio) == (
        None,
        None,
        None,
        None,
    )
    assert step.suppressed_groups == 1
    assert (step.declined, step.not_provided) == (4, 2)
    # 11 + 12 + 3 + 4 + 2: the withdrawal and the one still in "applied" are no decision.
    assert step.considered == 32
    assert {row.group for row in step.groups} == {"female", "male", "non_binary"}
    # Groups of 11 and 12 are small samples: said so, figures still shown.
    assert "small_group" in step.cautions
    assert "suppressed_groups" in step.cautions
    assert step.insufficient_sample is True


def test_three_groups_take_a_chi_square_test_and_the_highest_rate_is_the_reference(org, pipeline):
    report = _figures(org, dimensions=("race",), stage="applied")

    step = report.dimensions[0].steps[0]
    # white: 5 + 6 + the undone woman = 12 considered, 2 + 4 = 6 selected; black 5 → 1; asian 6 + 3 = 9 → 5.
    counts = {row.group: (row.considered, row.selected) for row in step.groups}
    assert counts == {"white": (12, 6), "black": (5, 1), "asian": (9, 5)}
    assert step.reference_group == "asian"
    assert _group(step, "black").impact_ratio == round(0.2 / (5 / 9), 4)
    assert _group(step, "white").impact_ratio == round(0.5 / (5 / 9), 4)
    assert [row.group for row in step.groups if row.adverse] == ["black"]
    table = [[5, 4], [1, 4], [6, 6]]  # asian, black, white
    assert step.test == "chi_square"
    assert step.p_value == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue, abs=1e-6)
    assert _group(step, "black").p_value == pytest.approx(stats.fisher_exact([[1, 4], [5, 4]]).pvalue, abs=1e-6)
    # Black applicants' expected selections: 5 × 12 / 26 < 5.
    assert "small_expected_count" in step.cautions


def test_a_later_step_with_one_group_large_enough_compares_nothing(org, pipeline):
    report = _figures(org, dimensions=("gender",), stage="screening")

    step = report.dimensions[0].steps[0]
    # Nobody has been decided at screening yet: every group is empty.
    assert (step.from_stage, step.to_stage) == ("screening", "interview")
    assert step.groups == ()
    assert step.test is None
    assert step.p_value is None
    assert step.cautions == ("fewer_than_two_groups",)
    assert step.insufficient_sample is True
    assert step.adverse is False


def test_top_ranked_shares_of_the_match_scores(org, pipeline):
    report = _figures(org, dimensions=("gender",), top=3)

    ranks = report.dimensions[0].match_ranks
    assert (ranks.from_stage, ranks.to_stage) == ("scored", "top_ranked")
    female, male = _group(ranks, "female"), _group(ranks, "male")
    assert (female.considered, female.selected) == (5, 0)
    assert (male.considered, male.selected) == (5, 3)
    assert female.impact_ratio == 0.0
    assert female.adverse is True
    assert ranks.p_value == pytest.approx(stats.fisher_exact([[0, 5], [3, 2]]).pvalue, abs=1e-6)


def test_every_step_and_dimension_by_default(org, pipeline):
    report = _figures(org)

    assert [d.dimension for d in report.dimensions] == ["gender", "race", "veteran", "disability"]
    assert [(s.from_stage, s.to_stage) for s in report.dimensions[0].steps] == [
        ("applied", "screening"),
        ("screening", "interview"),
        ("interview", "offer"),
        ("offer", "hired"),
    ]
    # Everyone who answered declined the disability question.
    disability = report.dimensions[3].steps[0]
    assert disability.groups == ()
    assert disability.declined == 30


def test_only_org_admins_and_staff_may(org, pipeline, recruiter, org_admin, staff, candidate):
    with pytest.raises(Forbidden):
        adverse_impact_report(actor=recruiter, filters=ImpactFilters())
    with pytest.raises(Forbidden):
        adverse_impact_report(actor=candidate.user, filters=ImpactFilters())
    assert adverse_impact_report(actor=org_admin, filters=ImpactFilters()).organization_ids == (org.pk,)
    assert adverse_impact_report(actor=staff, filters=ImpactFilters()).organization_ids is None


# --- the API -------------------------------------------------------------------------------------


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    """``login(user)`` → an APIClient sending that user's bearer token (as tests/api/conftest.py)."""

    def _login(user):  # type: ignore[no-untyped-def]
        pair = token_issue(email=user.email, password=PASSWORD)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
        return client

    return _login


def test_the_api_answers_an_org_admin(login, org, org_admin, pipeline):
    response = login(org_admin).get(URL, {"dimension": "gender", "stage": "applied"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["organization_ids"] == [org.pk]
    step = body["dimensions"][0]["steps"][0]
    female = next(row for row in step["groups"] if row["group"] == "female")
    assert (female["considered"], female["selected"], female["adverse"]) == (11, 3, True)
    assert body["four_fifths"] == 0.8
    assert body["min_group_size"] == 5
    assert "small_group" in body["cautions"]


@pytest.mark.parametrize("role", ["recruiter", "hiring_manager", "interviewer"])
def test_the_api_refuses_everyone_but_org_admins(login, org, pipeline, role):
    user = MembershipFactory(organization=org, role=role).user

    response = login(user).get(URL)

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


def test_the_api_refuses_a_candidate(login, candidate):
    response = login(candidate.user).get(URL)

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


def test_another_organization_or_its_job_is_not_found(login, org_admin, other_org, other_open_job):
    client = login(org_admin)

    assert client.get(URL, {"organization": other_org.pk}).json()["code"] == "NOT_FOUND"
    assert client.get(URL, {"job": other_open_job.pk}).json()["code"] == "NOT_FOUND"


def test_staff_name_an_organization(login, staff, other_org, pipeline):
    response = login(staff).get(URL, {"organization": other_org.pk, "dimension": "gender", "stage": "applied"})

    assert response.status_code == 200
    step = response.json()["dimensions"][0]["steps"][0]
    # Six women, all selected, and no one else: one group, nothing to compare.
    assert [(row["group"], row["considered"], row["selected"]) for row in step["groups"]] == [("female", 6, 6)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"dimension": "religion"}, "dimension"),
        ({"stage": "hired"}, "stage"),
        ({"top": "0"}, "top"),
        ({"top": "101"}, "top"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"job": ""}, "job"),
        ({"sort": "rate"}, "sort"),
    ],
)
def test_bad_parameters_answer_400_naming_the_field(login, org_admin, query, field):
    response = login(org_admin).get(URL, query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert field in body["details"]


def test_a_date_range_leaves_out_older_applications(login, org_admin, pipeline):
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()

    response = login(org_admin).get(URL, {"from": tomorrow, "dimension": "gender", "stage": "applied"})

    step = response.json()["dimensions"][0]["steps"][0]
    assert step["considered"] == 0
    assert step["groups"] == []
