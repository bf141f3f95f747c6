import pytest

from hotgigs.webhooks.errors import WebhookTargetRefused
from hotgigs.webhooks.targets import target_check


@pytest.fixture(autouse=True)
def _private_targets_refused(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.8.9.10:8080/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
        "http://[::1]/hook",
        "http://[::]/hook",
        "http://[fe80::1]/hook",
        "http://[fc00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://[64:ff9b::7f00:1]/hook",
        "http://[2002:7f00:1::1]/hook",
        "http://[2002:a00:1::1]/hook",
        "http://localhost/hook",
        "https://localhost:8443/hook",
    ],
)
def test_private_loopback_link_local_and_reserved_targets_are_refused(url):
    with pytest.raises(WebhookTargetRefused) as refused:
        target_check(url)

    assert refused.value.code == "VALIDATION_ERROR"
    assert "url" in refused.value.details  # type: ignore[operator]


@pytest.mark.parametrize(
    "url",
    ["ftp://93.184.215.14/hook", "file:///etc/passwd", "http://user:pw@93.184.215.14/", "http://", "not a url"],
)
def test_only_plain_http_and_https_urls_are_accepted(url):
    with pytest.raises(WebhookTargetRefused):
        target_check(url)


def test_a_public_address_is_accepted():
    target_check("https://93.184.215.14/hook")
    target_check("http://[2606:4700:4700::1111]:8080/hook")
    target_check("http://[::ffff:93.184.215.14]/hook")


def test_the_setting_allows_private_targets_but_not_other_schemes(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True

    target_check("http://127.0.0.1:9/hook")
    target_check("http://localhost/hook")
    with pytest.raises(WebhookTargetRefused):
        target_check("ftp://127.0.0.1/hook")
