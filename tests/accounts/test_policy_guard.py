"""The access rule lives in ``hotgigs/accounts/policies.py`` and nowhere else.

Scans the product code for the building blocks of the rule — the ``is_staff`` flag, membership
lookups, the actor-is-self comparison, the helpers the rule used to be assembled from — and
fails on any found outside the policy module, so a new copy of "staff or member" cannot creep
back into a selector, service, serializer, view, admin class or consumer. Ask the policy instead.

The few lines below that use a building block for something other than an access decision are
allowed by their exact text (so they stay allowed when their module moves), each with its reason.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("hotgigs", "jobs", "candidates", "applications", "interviews", "analytics", "workspace", "demo")
POLICY_MODULE = Path("hotgigs/accounts/policies.py")

BUILDING_BLOCKS: dict[str, re.Pattern[str]] = {
    "the is_staff / is_superuser flag": re.compile(r"(?<!policies)\.is_(staff|superuser)\b"),
    "a membership lookup": re.compile(
        r"\bMembership\.objects\b|\bmemberships__|__memberships\b|\.memberships\.|\bmembers__"
    ),
    "an actor-is-self comparison": re.compile(r"[!=]=\s*actor\.pk\b|\bactor\.pk\s*[!=]="),
    "a helper of the old rule": re.compile(
        r"\bactor_is_(staff|member|org_admin|recruiter)\b|\bactor_organization_ids\b"
    ),
}

ALLOWED: dict[str, str] = {
    # Writing a membership is what the accounts service is for.
    "membership, _ = Membership.objects.update_or_create(user=user, organization=organization, "
    'defaults={"role": role})': "the membership write itself",
    # Identity cache invalidation: every member's cached identity is dropped when the
    # organization changes; it decides nothing about access.
    'forget_families(_families_of(list(instance.memberships.values_list("user_id", flat=True))))': (
        "identity cache invalidation"
    ),
    # Demo seeding creates the demo organization's memberships.
    "if not Membership.objects.filter(user=user, organization=result.organization).exists():": "demo seeding",
}


def rule_copies(root: Path) -> list[str]:
    """``path:line: text (what)`` for every building block of the rule outside the policy module."""
    found: list[str] = []
    for package in PRODUCT_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if relative == POLICY_MODULE or "migrations" in relative.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                text = line.strip()
                if text.startswith("#") or text in ALLOWED:
                    continue
                for what, pattern in BUILDING_BLOCKS.items():
                    if pattern.search(text):
                        found.append(f"{relative}:{number}: {text} ({what})")
    return found


def test_no_copy_of_the_access_rule_outside_the_policy_module():
    assert rule_copies(ROOT) == []


def test_every_allowed_line_still_exists():
    # An allowance whose line is gone would silently allow a new copy with the same text.
    product = "\n".join(
        line.strip()
        for package in PRODUCT_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
    )
    missing = [text for text in ALLOWED if text not in product.splitlines()]
    assert missing == []


def test_the_guard_finds_a_copy(tmp_path):
    module = tmp_path / "jobs" / "sneaky.py"
    module.parent.mkdir()
    module.write_text(
        "def may(actor, job):\n"
        "    return actor.is_staff or Membership.objects.filter(user=actor, organization=job.organization).exists()\n"
        "def own(actor, candidate):\n"
        "    return candidate.user_id == actor.pk\n",
        encoding="utf-8",
    )

    found = rule_copies(tmp_path)

    assert [entry.split(" (")[-1] for entry in found] == [
        "the is_staff / is_superuser flag)",
        "a membership lookup)",
        "an actor-is-self comparison)",
    ]
