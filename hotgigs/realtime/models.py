"""The realtime app has no tables of its own: it pushes and replays the outbox of
``hotgigs.events`` (``hotgigs/events/models.py``)."""
