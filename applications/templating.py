"""Rejection email templates: which placeholders they may use, and filling them in.

Only ``{name}`` of ``REJECTION_EMAIL_PLACEHOLDERS`` is a placeholder; ``{{`` and ``}}`` are
literal braces. Nothing in a template is evaluated: no attribute or index look-ups
(``{candidate_name.__class__}``), no conversions or format specs, no template language.
The values are plain text; the HTML part of the email escapes them.
"""

import string
from collections.abc import Mapping

from applications.choices import REJECTION_EMAIL_PLACEHOLDERS

_FORMATTER = string.Formatter()


def placeholder_errors(text: str) -> list[str]:
    """What is wrong with ``text`` as a template (empty when it is fine)."""
    try:
        parts = list(_FORMATTER.parse(text))
    except ValueError:
        return ["Unbalanced braces: write {{ or }} for a literal brace."]
    errors = []
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in REJECTION_EMAIL_PLACEHOLDERS or spec or conversion:
            shown = "{" + field + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            allowed = ", ".join("{" + name + "}" for name in REJECTION_EMAIL_PLACEHOLDERS)
            errors.append(f"Unknown placeholder {shown}; use only {allowed}.")
    return errors


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its placeholders replaced (it passed :func:`placeholder_errors`)."""
    out = []
    for literal, field, _spec, _conversion in _FORMATTER.parse(text):
        out.append(literal)
        if field is not None:
            out.append(values.get(field, ""))
    return "".join(out)
