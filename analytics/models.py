"""Analytics owns no tables yet: its figures are computed from the pipeline history.

Stored snapshots (daily funnel roll-ups) arrive with the analytics API when live
queries stop being cheap enough.
"""
