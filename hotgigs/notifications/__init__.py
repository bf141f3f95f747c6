"""In-app notifications and email for domain events (kernel app).

Domain apps' outbox subscribers call :func:`hotgigs.notifications.services.notify` on
Celery once an event has committed; it stores the in-app notifications (model
:class:`~hotgigs.notifications.models.Notification`, pushed on the ``notifications``
channel) and, after commit, queues one email per recipient through
:mod:`hotgigs.notifications.tasks`.
"""
