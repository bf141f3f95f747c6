"""The user model's names, as the back office shows them ("Welcome, <short name>.")."""

import pytest

from hotgigs.accounts.models import User


@pytest.mark.parametrize(
    ("full_name", "short"),
    [
        ("Ana Ruiz", "Ana"),
        ("Mrs. Jane Doe", "Jane"),
        ("Dr. Prof. Ines Alvarez", "Ines"),
        ("  Ana   Ruiz ", "Ana"),
        ("Madonna", "Madonna"),
        ("St.", "St."),
        ("", "ana@example.com"),
    ],
)
def test_the_short_name_is_the_first_name_past_any_title(full_name, short):
    assert User(email="ana@example.com", full_name=full_name).get_short_name() == short
