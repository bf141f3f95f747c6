import pytest
from django.test import Client
from prometheus_client import REGISTRY

from hotgigs.observability import metrics


def sample(metric: str, /, **labels: str) -> float:
    """Current value of one sample in this process's registry (0 when absent)."""
    return REGISTRY.get_sample_value(metric, labels) or 0.0


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make this process look as if it had not served anything yet."""
    monkeypatch.setattr(metrics, "_cold_pid", None)
    monkeypatch.setattr(metrics, "_process_type", None)
