"""Writes for outbound webhooks, one module per concern.

* :mod:`.endpoints` — an organization's endpoints: create, update, delete, rotate the
  secret, enable, send a test event;
* :mod:`.fan_out` — outbox events into deliveries, and the beat sweep;
* :mod:`.delivery` — one attempt, retries, redelivery, the signed request.

The path of an event: a service records an outbox row (``hotgigs.events.outbox.record``);
after commit, ``events.dispatch`` runs the webhooks subscriber (``hotgigs/webhooks/subscribers.py``),
which creates one :class:`WebhookDelivery` per subscribed endpoint of the event's
organization (unique per endpoint and event, so fanning out twice sends nothing twice) and
queues one delivery task per new row. Each task makes one attempt
(:func:`.delivery.delivery_attempt`); a network error, timeout, 5xx, 408 or 429 is retried with
capped exponential backoff and full jitter (at most ``RETRY_MAX_RETRIES`` retries); any
other 4xx, or a target the address guard refuses, fails at once. Every endpoint has its
own circuit breaker (``webhook:<id>``): while it is open, deliveries wait, pending. A beat
sweep (:func:`.fan_out.webhooks_sweep`) requeues pending deliveries that are due, and the outbox's
own sweep (``events.sweep``) dispatches events whose task never ran, so nothing is lost.
"""
