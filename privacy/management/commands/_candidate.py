"""What the privacy commands share: the staff member acting and the candidate named."""

from django.core.management.base import CommandError, CommandParser

from candidates.selectors import candidate_by_id_or_email
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.accounts.selectors import user_get_by_email


def add_staff_argument(parser: CommandParser) -> None:
    parser.add_argument("--staff", required=True, help="Email of the staff member answering the request (audited).")


def staff_user(email: str) -> User:
    user = user_get_by_email(email=email)
    if user is None or not policies.is_staff(user):
        raise CommandError(f"{email} is not an active staff member.")
    return user


def find_candidate(value: str):  # type: ignore[no-untyped-def]
    candidate = candidate_by_id_or_email(value=value)
    if candidate is None:
        raise CommandError(f"No candidate {value!r} (or several share that address: give the id).")
    return candidate
