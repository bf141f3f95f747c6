"""The "not given" default of the services' update functions.

An update takes every field as an optional keyword argument whose default is ``UNSET``:
a field left out keeps its value, while ``None`` (where a field allows it) clears it.
"""

from enum import Enum, auto


class Unset(Enum):
    """The type of :data:`UNSET`: "not given, leave as it is"."""

    UNSET = auto()


UNSET = Unset.UNSET
