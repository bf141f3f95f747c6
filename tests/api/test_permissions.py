"""HasScope: which scope a request needs, and that a view declaring none is refused (fail closed)."""

from types import SimpleNamespace
from typing import Any

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework_simplejwt.tokens import AccessToken

from hotgigs.api.permissions import HasScope, MissingScope, required_scope

factory = APIRequestFactory()


def request(method: str, scope: str | None = None) -> Request:
    wrapped = Request(factory.generic(method, "/api/v1/anything"))
    if scope is not None:
        token = AccessToken()
        token["scope"] = scope
        wrapped.auth = token
    return wrapped


def view(**attributes: Any) -> SimpleNamespace:
    return SimpleNamespace(**{"action": None, **attributes})


def test_the_action_mapping_comes_before_the_method_mapping():
    declared = view(action="close", required_scopes={"close": "jobs:write", "POST": "jobs:read"})

    assert required_scope(declared, request("POST")) == "jobs:write"


def test_the_method_mapping_applies_when_the_action_is_not_named():
    declared = view(action="history", required_scopes={"list": "applications:read", "GET": "applications:write"})

    assert required_scope(declared, request("GET")) == "applications:write"


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("GET", "jobs:read"),
        ("HEAD", "jobs:read"),
        ("POST", "jobs:write"),
        ("PATCH", "jobs:write"),
        ("DELETE", "jobs:write"),
    ],
)
def test_read_and_write_scopes_follow_the_method(method, expected):
    declared = view(read_scope="jobs:read", write_scope="jobs:write")

    assert required_scope(declared, request(method)) == expected


def test_an_exempt_view_needs_no_scope():
    assert required_scope(view(scope_exempt=True), request("POST")) is None


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_view_declaring_no_scope_is_refused(method):
    with pytest.raises(MissingScope) as exc_info:
        HasScope().has_permission(request(method, scope="jobs:read jobs:write"), view(read_scope="", write_scope=""))

    assert exc_info.value.code == "FORBIDDEN"


def test_a_token_without_the_scope_is_refused_naming_it():
    with pytest.raises(MissingScope) as exc_info:
        HasScope().has_permission(request("GET", scope="jobs:write"), view(read_scope="jobs:read"))

    assert exc_info.value.details == {"required_scope": "jobs:read"}


def test_no_token_holds_no_scope():
    with pytest.raises(MissingScope):
        HasScope().has_permission(request("GET"), view(read_scope="jobs:read"))


def test_a_token_with_the_scope_passes():
    assert HasScope().has_permission(request("GET", scope="applications:read jobs:read"), view(read_scope="jobs:read"))


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_only_options_passes_without_a_scope(method):
    declared = view(read_scope="jobs:read")

    allowed = HasScope().has_permission(request("OPTIONS"), declared)

    assert allowed
    with pytest.raises(MissingScope):
        HasScope().has_permission(request(method), declared)
