"""Domain events: the catalogue, the transactional outbox and its subscribers (kernel app).

A service records what happened with :func:`hotgigs.events.outbox.record` inside its
transaction and does nothing else about it. Packages register subscribers in their
``AppConfig.ready`` (:mod:`hotgigs.events.registry`): realtime push and cache invalidation
run in the writing process right after commit; everything that writes (notifications and
emails, webhook deliveries, AI scoring, ranking, resume parsing) runs on Celery, fed by the
outbox (:mod:`hotgigs.events.dispatch`). This package imports no domain app.
"""
