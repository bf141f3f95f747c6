"""Every ``transaction.on_commit`` hook of the project is robust and a named function.

A hook registered without ``robust=True`` that raises (a broker that is down) fails the
request with a 500 although the transaction committed, and the hooks registered after it
never run (an application then never gets its match score). A ``functools.partial`` hook
breaks Django's robust handler itself: it logs the hook's ``__qualname__``, which a partial
lacks, so the AttributeError escapes the handler. Hence this rule, checked on the source.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("hotgigs", "jobs", "candidates", "applications", "interviews", "analytics", "bench")


def _sources() -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts
    )


def _on_commit_calls(source: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Attribute) and node.func.attr == "on_commit")
            or (isinstance(node.func, ast.Name) and node.func.id == "on_commit")
        )
    ]


def _problems(call: ast.Call) -> list[str]:
    problems = []
    robust = [k for k in call.keywords if k.arg == "robust"]
    if not robust or not (isinstance(robust[0].value, ast.Constant) and robust[0].value.value is True):
        problems.append("without robust=True")
    hook = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "func"), None)
    if not isinstance(hook, ast.Name | ast.Attribute):
        problems.append(f"the hook is a {type(hook).__name__}, not a named function")
    return problems


def test_the_scan_finds_the_projects_hooks():
    # Guards the guard: the scan below must see the project's hooks.
    assert sum(len(_on_commit_calls(path.read_text())) for path in _sources()) >= 8


def test_every_on_commit_hook_is_robust_and_named():
    problems = [
        f"{path.relative_to(ROOT)}:{call.lineno}: {problem}"
        for path in _sources()
        for call in _on_commit_calls(path.read_text())
        for problem in _problems(call)
    ]

    assert problems == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("transaction.on_commit(send)", ["without robust=True"]),
        ("transaction.on_commit(send, robust=False)", ["without robust=True"]),
        ("transaction.on_commit(lambda: send(1), robust=True)", ["the hook is a Lambda, not a named function"]),
        ("transaction.on_commit(partial(send, 1), robust=True)", ["the hook is a Call, not a named function"]),
        ("on_commit(self.send, robust=True)", []),
        ("transaction.on_commit(send, robust=True)", []),
    ],
)
def test_the_rule_tells_good_hooks_from_bad(source, expected):
    (call,) = _on_commit_calls(source)

    assert _problems(call) == expected
