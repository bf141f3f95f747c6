"""Related skills: partial credit for a skill next to the one a job asks for.

``data/related_skills.json`` (built by ``data/build_semantic.py`` from O*NET technology
skills and the ESCO transversal skills, see ``data/ATTRIBUTION.md``) lists, per canonical
skill key, the keys O*NET files under the same commodity class for overlapping
occupations (C# next to Java, JUnit next to Selenium) and ESCO transversal skills with the
same broader concept. A candidate who lacks a skill but has a related one gets
``RELATED_CREDIT`` times the credit the related skill would have earned (see
``hotgigs.ai.scoring``): a signal of adjacent ability, never as much as the skill itself.
"""

import functools
import json

from hotgigs.ai import vocabulary

RELATED_FILE = vocabulary.DATA_DIR / "related_skills.json"
# Set by principle: an adjacent skill is some evidence, never much. The quality bench's tuning
# half prefers 0 (it counts a Python developer only half relevant to a Java job, so credit
# between them can only cost there); the cost is reported in bench/README.md.
RELATED_CREDIT = 0.2


@functools.cache
def load() -> dict[str, tuple[str, ...]]:
    """Canonical key → related canonical keys (symmetric for O*NET links)."""
    with RELATED_FILE.open(encoding="utf-8") as handle:
        raw = json.load(handle)["related"]
    return {str(key): tuple(str(v) for v in values) for key, values in raw.items()}


def related_to(key: str) -> tuple[str, ...]:
    """The skills related to ``key`` (empty when none are known)."""
    return load().get(key, ())


def best_related(key: str, skills: dict[str, int]) -> tuple[str, int] | None:
    """The related skill of ``key`` that ``skills`` (key → level) holds at the highest level."""
    best: tuple[str, int] | None = None
    for other in related_to(key):
        level = skills.get(other)
        if level and (best is None or level > best[1]):
            best = (other, level)
    return best
