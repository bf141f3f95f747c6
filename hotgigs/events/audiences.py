"""Who may receive an event: audiences, and the channel-layer groups they become.

A service names an event's audiences with :func:`group_for_organization` (``org.<id>``),
:func:`group_for_user` (``user.<id>``), :func:`group_for_application`
(``application.<id>``) and :data:`JOB_BOARD` (``job_board``). The channel-layer group is
the channel name in front of the audience (:func:`channel_group`), so every channel has
groups of its own and a socket following one channel never receives another's traffic.
"""

import re

JOB_BOARD = "job_board"
# Channels' rule for group names: ASCII letters, digits, hyphens, underscores and periods, under 100.
GROUP_NAME = re.compile(r"^[a-zA-Z0-9_.\-]{1,99}$")
_ORG_AUDIENCE = re.compile(r"^org\.(\d+)$")


def group_for_organization(organization_id: int) -> str:
    """Audience of every member of one organization."""
    return f"org.{organization_id}"


def group_for_user(user_id: int) -> str:
    """Audience of one user (all of their connections)."""
    return f"user.{user_id}"


def group_for_application(application_id: int) -> str:
    """Audience of one application (its candidate and its organization's recruiters)."""
    return f"application.{application_id}"


def channel_group(channel: str, audience: str) -> str:
    """The channel-layer group of ``audience`` on ``channel``, e.g. ``job_updates.org.7``."""
    return f"{channel}.{audience}"


def organization_of(audiences: list[str]) -> int | None:
    """The organization among ``audiences`` (the event's owner for webhooks), if any."""
    for audience in audiences:
        match = _ORG_AUDIENCE.match(audience)
        if match:
            return int(match.group(1))
    return None
