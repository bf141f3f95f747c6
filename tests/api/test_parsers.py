"""The JSON depth limit (hotgigs/api/parsers.py), measured without parsing."""

import json

import pytest

from hotgigs.api.parsers import JSONTooDeep, check_json_depth, json_depth, loads


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[["', 0),
        ("[]", 1),
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ("[[], [[]], []]", 3),
        (r'["\"[[[[", ["\\"]]', 2),
        (r'{"k\"{": "}\\\"[[["}', 1),
        ("[" * 5000, 5000),
        # Not JSON: the count is what a decoder would try, the decoder then refuses it.
        ('"unterminated [[[', 3),
    ],
)
def test_depth_counts_nesting_outside_strings(text, depth):
    assert json_depth(text) == depth


def _parsed_depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_parsed_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_parsed_depth, value), default=0)
    return 0


@pytest.mark.parametrize(
    "document",
    [
        {"a": [{"b": [[1, "]]]"], {"c": {"d": "{{"}}]}], "e": "\\", "f": ['"', '\\"']},
        [[], {"x": [[["}"]]]}, "[", {"\\": {}}],
        {"deep": [[[[[[[[[[]]]]]]]]]], "escaped": 'a\\"[{'},
    ],
)
def test_depth_agrees_with_a_parse(document):
    assert json_depth(json.dumps(document)) == _parsed_depth(document)


def test_a_document_at_the_limit_passes_and_one_deeper_is_refused():
    check_json_depth("[[[]]]", 3)

    with pytest.raises(JSONTooDeep) as refused:
        check_json_depth("[[[[]]]]", 3)

    assert refused.value.code == "VALIDATION_ERROR"
    assert refused.value.details == {"max_depth": 3}


def test_loads_refuses_a_document_that_would_exhaust_the_recursion(settings):
    settings.API_MAX_JSON_DEPTH = 64

    with pytest.raises(JSONTooDeep):
        loads("[" * 100_000 + "]" * 100_000)
    assert loads("[" * 64 + "]" * 64) == json.loads("[" * 64 + "]" * 64)
