"""Content-Security-Policy on the admin and the API docs, HSTS when secure.

The policy admits this site's own scripts, styles, images and fonts and nothing inline. The
docs page (Swagger UI) must work under it: every script it loads has a ``src`` on this site
that answers, and its one inline style block is admitted by its hash.
"""

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.test import Client


def policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


class Page(HTMLParser):
    """The scripts, stylesheets and inline style blocks of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str | None] = []
        self.stylesheets: list[str] = []
        self.inline_styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes.get("src"))
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes["href"] or "")
        elif tag == "style":
            self._in_style = True
            self.inline_styles.append("")
        assert "style" not in attributes or tag == "style", f"inline style attribute on <{tag}>"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.inline_styles[-1] += data


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.mark.parametrize("path", ["/admin/login/", "/api/v1/docs/", "/api/docs/", "/api/v1/jobs"])
def test_pages_and_answers_carry_a_policy_without_inline_scripts(client, path):
    response = client.get(path)

    directives = policy(response)
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert "'self'" in directives["style-src"]
    assert not any("unsafe" in value for values in directives.values() for value in values)


@pytest.mark.django_db
def test_the_admin_loads_only_files_of_this_site(client):
    response = client.get("/admin/login/")
    page = Page()
    page.feed(response.content.decode())

    assert response.status_code == 200
    assert page.scripts
    assert None not in page.scripts, "an inline <script> is blocked by script-src 'self'"
    assert page.inline_styles == []
    assert all(href.startswith("/static/") for href in page.stylesheets)


def test_swagger_ui_works_under_the_policy(client):
    response = client.get("/api/v1/docs/")
    page = Page()
    page.feed(response.content.decode())
    directives = policy(response)

    assert response.status_code == 200
    assert None not in page.scripts, "an inline <script> is blocked by script-src 'self'"
    assert len(page.scripts) == 3  # Swagger UI's bundle, its preset, and the start script
    assert all(sha256_source(style) in directives["style-src"] for style in page.inline_styles)
    for url in [*page.scripts, *page.stylesheets]:
        assert url is not None
        assert not re.match(r"^[a-z]+://", url), f"{url} is not on this site"
        loaded = client.get(url)
        assert loaded.status_code == 200, url
        assert loaded["Content-Type"].split(";")[0] in {"application/javascript", "text/javascript", "text/css"}
    start = client.get(page.scripts[-1])
    assert b"SwaggerUIBundle" in b"".join(start.streaming_content if start.streaming else [start.content])


def test_hsts_includes_subdomains_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 60
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get("/health/live", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=60; includeSubDomains"
