"""Where circuit breakers keep their state: one process (memory) or every worker (Redis).

A store owns the whole state machine described in :mod:`hotgigs.resilience.breaker`,
because every decision (admit this call? does this outcome open the circuit?) must read
and write the state in one atomic step, or two workers could both see "closed" while the
window crosses the threshold. :class:`MemoryBreakerStore` takes a lock;
:class:`RedisBreakerStore` runs each step as one Lua script, which Redis executes
atomically, so all workers on the same Redis agree. Both implement the same rules and the
test suite runs the same cases against both.

Time is the caller's clock (``now`` in seconds), passed into every step, so tests can
drive the state machine with a fake clock, also on Redis.
"""

import logging
import threading
from dataclasses import dataclass, field
from typing import Literal, Protocol

import redis

from hotgigs.redis_clients import client_options

logger = logging.getLogger(__name__)

State = Literal["closed", "open", "half_open", "unknown"]
CLOSED: State = "closed"
OPEN: State = "open"
HALF_OPEN: State = "half_open"
# Reported when the shared store cannot be reached; the breaker then admits every call.
UNKNOWN: State = "unknown"

# Hint given to callers refused while the breaker admits only a fraction of calls.
HALF_OPEN_RETRY_AFTER = 1.0


@dataclass(frozen=True)
class BreakerPolicy:
    """The numbers of one breaker. Defaults come from settings (see ``get_breaker``)."""

    failure_rate_threshold: float = 0.5
    window_seconds: int = 60
    minimum_calls: int = 10
    open_seconds: float = 300.0
    # Percent of calls admitted in each recovery stage; after the last stage: closed (100 %).
    recovery_steps: tuple[int, ...] = (10, 25, 50)
    # Successful trial calls that complete a recovery stage.
    trial_successes: int = 3

    def __post_init__(self) -> None:
        if not 0 < self.failure_rate_threshold <= 1:
            raise ValueError("failure_rate_threshold must be in (0, 1].")
        if self.window_seconds < 1 or self.minimum_calls < 1 or self.trial_successes < 1:
            raise ValueError("window_seconds, minimum_calls and trial_successes must be at least 1.")
        if self.open_seconds <= 0:
            raise ValueError("open_seconds must be positive.")
        if not self.recovery_steps or any(not 0 < step < 100 for step in self.recovery_steps):
            raise ValueError("recovery_steps must be percentages between 1 and 99.")
        if list(self.recovery_steps) != sorted(set(self.recovery_steps)):
            raise ValueError("recovery_steps must increase.")


@dataclass(frozen=True)
class Admission:
    """The answer to "may this call run?"; ``previous`` differs from ``state`` on a transition."""

    admitted: bool
    state: State
    retry_after: float
    previous: State


@dataclass(frozen=True)
class Transition:
    """The state before and after one recorded outcome."""

    previous: State
    state: State


@dataclass(frozen=True)
class BreakerSnapshot:
    """A read-only view of one breaker, for metrics and health checks.

    ``calls`` and ``failures`` count the rolling window (closed state only);
    ``admit_percent`` is the share of calls currently admitted (100 closed, 0 open).
    """

    name: str
    state: State
    calls: int
    failures: int
    failure_rate: float
    opened_at: float | None
    retry_after: float
    admit_percent: int
    stage: int | None


class BreakerStore(Protocol):
    """The operations a breaker needs; each one is atomic with respect to all others."""

    def acquire(self, name: str, policy: BreakerPolicy, now: float) -> Admission: ...

    def record(self, name: str, policy: BreakerPolicy, now: float, *, failed: bool) -> Transition: ...

    def snapshot(self, name: str, policy: BreakerPolicy, now: float) -> BreakerSnapshot: ...

    def reset(self, name: str) -> None: ...


def admits(attempt: int, percent: int) -> bool:
    """Whether the ``attempt``-th call (from 0) of a recovery stage is a trial call.

    Exactly ``percent`` of every 100 attempts are admitted, spread evenly and starting with
    the first one: ceil((n+1)·p/100) > ceil(n·p/100). Integer arithmetic, so no drift.
    """
    return -(-(attempt + 1) * percent // 100) > -(-attempt * percent // 100)


def _snapshot(
    name: str,
    policy: BreakerPolicy,
    now: float,
    *,
    state: State,
    opened_at: float | None,
    stage: int,
    calls: int,
    failures: int,
) -> BreakerSnapshot:
    if state == OPEN and opened_at is not None and now >= opened_at + policy.open_seconds:
        # The open period is over; the next call will move it to half-open, stage 0.
        state, stage = HALF_OPEN, 0
    if state == OPEN:
        assert opened_at is not None  # noqa: S101 - an open circuit always has opened_at
        retry_after, admit = opened_at + policy.open_seconds - now, 0
    elif state == HALF_OPEN:
        retry_after, admit = 0.0, policy.recovery_steps[min(stage, len(policy.recovery_steps) - 1)]
    else:
        retry_after, admit = 0.0, 100
    return BreakerSnapshot(
        name=name,
        state=state,
        calls=calls,
        failures=failures,
        failure_rate=failures / calls if calls else 0.0,
        opened_at=opened_at if state != CLOSED else None,
        retry_after=retry_after,
        admit_percent=admit,
        stage=stage if state == HALF_OPEN else None,
    )


# Memory ------------------------------------------------------------------------------


@dataclass
class _Circuit:
    state: State = CLOSED
    opened_at: float = 0.0
    stage: int = 0
    attempts: int = 0
    successes: int = 0
    # second -> [calls, failures]
    buckets: dict[int, list[int]] = field(default_factory=dict)

    def open(self, now: float) -> None:
        self.state, self.opened_at = OPEN, now
        self.stage = self.attempts = self.successes = 0
        self.buckets.clear()

    def window(self, policy: BreakerPolicy, now: float, *, prune: bool) -> tuple[int, int]:
        cutoff = int(now // 1) - policy.window_seconds
        calls = failures = 0
        for second in list(self.buckets):
            if second <= cutoff:
                if prune:
                    del self.buckets[second]
                continue
            calls += self.buckets[second][0]
            failures += self.buckets[second][1]
        return calls, failures


class MemoryBreakerStore:
    """Process-local state: the embedded default, and each process decides on its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._circuits: dict[str, _Circuit] = {}

    def _circuit(self, name: str) -> _Circuit:
        return self._circuits.setdefault(name, _Circuit())

    def acquire(self, name: str, policy: BreakerPolicy, now: float) -> Admission:
        with self._lock:
            circuit = self._circuit(name)
            previous = circuit.state
            if circuit.state == CLOSED:
                return Admission(True, CLOSED, 0.0, previous)
            if circuit.state == OPEN:
                remaining = circuit.opened_at + policy.open_seconds - now
                if remaining > 0:
                    return Admission(False, OPEN, remaining, previous)
                circuit.state, circuit.stage, circuit.attempts, circuit.successes = HALF_OPEN, 0, 0, 0
            percent = policy.recovery_steps[min(circuit.stage, len(policy.recovery_steps) - 1)]
            attempt, circuit.attempts = circuit.attempts, circuit.attempts + 1
            if admits(attempt, percent):
                return Admission(True, HALF_OPEN, 0.0, previous)
            return Admission(False, HALF_OPEN, HALF_OPEN_RETRY_AFTER, previous)

    def record(self, name: str, policy: BreakerPolicy, now: float, *, failed: bool) -> Transition:
        with self._lock:
            circuit = self._circuit(name)
            if circuit.state == OPEN:
                return Transition(OPEN, OPEN)
            if circuit.state == HALF_OPEN:
                if failed:
                    circuit.open(now)
                    return Transition(HALF_OPEN, OPEN)
                circuit.successes += 1
                if circuit.successes < policy.trial_successes:
                    return Transition(HALF_OPEN, HALF_OPEN)
                circuit.stage += 1
                if circuit.stage >= len(policy.recovery_steps):
                    self._circuits[name] = _Circuit()
                    return Transition(HALF_OPEN, CLOSED)
                circuit.attempts = circuit.successes = 0
                return Transition(HALF_OPEN, HALF_OPEN)
            bucket = circuit.buckets.setdefault(int(now // 1), [0, 0])
            bucket[0] += 1
            bucket[1] += int(failed)
            calls, failures = circuit.window(policy, now, prune=True)
            if calls >= policy.minimum_calls and failures / calls >= policy.failure_rate_threshold:
                circuit.open(now)
                return Transition(CLOSED, OPEN)
            return Transition(CLOSED, CLOSED)

    def snapshot(self, name: str, policy: BreakerPolicy, now: float) -> BreakerSnapshot:
        with self._lock:
            circuit = self._circuit(name)
            calls, failures = circuit.window(policy, now, prune=False) if circuit.state == CLOSED else (0, 0)
            return _snapshot(
                name,
                policy,
                now,
                state=circuit.state,
                opened_at=circuit.opened_at if circuit.state != CLOSED else None,
                stage=circuit.stage,
                calls=calls,
                failures=failures,
            )

    def reset(self, name: str) -> None:
        with self._lock:
            self._circuits.pop(name, None)


# Redis -------------------------------------------------------------------------------

# KEYS[1] state hash. ARGV: now, open_seconds, recovery steps ("10,25,50"), half-open retry hint.
# Returns {admitted (0/1), state, retry_after (string: Lua numbers become integers), previous}.
_ACQUIRE = """
local now = tonumber(ARGV[1])
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local previous = state
if state == 'closed' then
  return {1, 'closed', '0', previous}
end
if state == 'open' then
  local remaining = tonumber(redis.call('HGET', KEYS[1], 'opened_at')) + tonumber(ARGV[2]) - now
  if remaining > 0 then
    return {0, 'open', tostring(remaining), previous}
  end
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'stage', 0, 'attempts', 0, 'successes', 0)
end
local steps = {}
for step in string.gmatch(ARGV[3], '%d+') do
  steps[#steps + 1] = tonumber(step)
end
local stage = tonumber(redis.call('HGET', KEYS[1], 'stage'))
local percent = steps[math.min(stage, #steps - 1) + 1]
local attempt = redis.call('HINCRBY', KEYS[1], 'attempts', 1) - 1
if math.floor(((attempt + 1) * percent + 99) / 100) > math.floor((attempt * percent + 99) / 100) then
  return {1, 'half_open', '0', previous}
end
return {0, 'half_open', ARGV[4], previous}
"""

# KEYS[1] state hash, KEYS[2] window hash ("<second>:c" calls, "<second>:f" failures).
# ARGV: now, failed (0/1), window_seconds, minimum_calls, threshold, number of recovery
# steps, trial_successes. Returns {previous, state}.
_RECORD = """
local now = tonumber(ARGV[1])
local failed = ARGV[2] == '1'
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state == 'open' then
  return {'open', 'open'}
end
if state == 'half_open' then
  if failed then
    redis.call('DEL', KEYS[1], KEYS[2])
    redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', ARGV[1])
    return {'half_open', 'open'}
  end
  if redis.call('HINCRBY', KEYS[1], 'successes', 1) < tonumber(ARGV[7]) then
    return {'half_open', 'half_open'}
  end
  local stage = tonumber(redis.call('HGET', KEYS[1], 'stage')) + 1
  if stage >= tonumber(ARGV[6]) then
    redis.call('DEL', KEYS[1], KEYS[2])
    return {'half_open', 'closed'}
  end
  redis.call('HSET', KEYS[1], 'stage', stage, 'attempts', 0, 'successes', 0)
  return {'half_open', 'half_open'}
end
local window = tonumber(ARGV[3])
local second = math.floor(now)
redis.call('HINCRBY', KEYS[2], string.format('%d:c', second), 1)
if failed then
  redis.call('HINCRBY', KEYS[2], string.format('%d:f', second), 1)
end
redis.call('EXPIRE', KEYS[2], window + 1)
local cutoff = second - window
local calls, failures = 0, 0
local fields = redis.call('HGETALL', KEYS[2])
for i = 1, #fields, 2 do
  local at, kind = string.match(fields[i], '^(-?%d+):(%a)$')
  if tonumber(at) <= cutoff then
    redis.call('HDEL', KEYS[2], fields[i])
  elseif kind == 'c' then
    calls = calls + tonumber(fields[i + 1])
  else
    failures = failures + tonumber(fields[i + 1])
  end
end
if calls >= tonumber(ARGV[4]) and failures / calls >= tonumber(ARGV[5]) then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', ARGV[1])
  return {'closed', 'open'}
end
return {'closed', 'closed'}
"""


class RedisBreakerStore:
    """State shared by every process on one Redis, so all workers agree.

    Keys per breaker: ``<prefix>:{<name>}`` (hash: state, opened_at, stage, attempts,
    successes; absent means closed) and ``<prefix>:{<name>}:window`` (hash of per-second
    call and failure counters, expiring ``window_seconds + 1`` after the last write). The
    braces keep both keys in one Redis Cluster slot, as a multi-key script requires.

    If Redis cannot be reached the breaker must not become the outage: ``acquire`` admits
    the call, ``record`` drops the outcome, both log a warning, and the state reads
    ``unknown``.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "hotgigs:cb") -> None:
        self.client = client
        self.prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)
        self._record = client.register_script(_RECORD)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "hotgigs:cb", timeout: float | None = None) -> "RedisBreakerStore":
        """A store on its own client: the project's Redis timeouts (``timeout`` overrides both)
        and the shared fail-fast mark (``hotgigs.redis_clients``)."""
        options = client_options(url)
        if timeout is not None:
            options.update(socket_timeout=timeout, socket_connect_timeout=timeout)
        client = redis.Redis.from_url(url, decode_responses=True, **options)
        return cls(client, prefix=prefix)

    def keys(self, name: str) -> tuple[str, str]:
        base = f"{self.prefix}:{{{name}}}"
        return base, f"{base}:window"

    def acquire(self, name: str, policy: BreakerPolicy, now: float) -> Admission:
        steps = ",".join(str(step) for step in policy.recovery_steps)
        try:
            admitted, state, retry_after, previous = self._acquire(
                keys=[self.keys(name)[0]],
                args=[repr(now), repr(float(policy.open_seconds)), steps, repr(HALF_OPEN_RETRY_AFTER)],
            )
        except redis.RedisError:
            logger.warning("circuit breaker store unavailable; admitting the call", extra={"breaker": name})
            return Admission(True, UNKNOWN, 0.0, UNKNOWN)
        return Admission(bool(admitted), state, float(retry_after), previous)

    def record(self, name: str, policy: BreakerPolicy, now: float, *, failed: bool) -> Transition:
        try:
            previous, state = self._record(
                keys=list(self.keys(name)),
                args=[
                    repr(now),
                    "1" if failed else "0",
                    policy.window_seconds,
                    policy.minimum_calls,
                    repr(float(policy.failure_rate_threshold)),
                    len(policy.recovery_steps),
                    policy.trial_successes,
                ],
            )
        except redis.RedisError:
            logger.warning("circuit breaker store unavailable; outcome dropped", extra={"breaker": name})
            return Transition(UNKNOWN, UNKNOWN)
        return Transition(previous, state)

    def snapshot(self, name: str, policy: BreakerPolicy, now: float) -> BreakerSnapshot:
        state_key, window_key = self.keys(name)
        try:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.hgetall(state_key)
                pipe.hgetall(window_key)
                fields, window = pipe.execute()
        except redis.RedisError:
            logger.warning("circuit breaker store unavailable", extra={"breaker": name})
            return BreakerSnapshot(name, UNKNOWN, 0, 0, 0.0, None, 0.0, 100, None)
        state: State = fields.get("state", CLOSED)
        calls = failures = 0
        if state == CLOSED:
            cutoff = int(now // 1) - policy.window_seconds
            for key, value in window.items():
                second, kind = key.split(":")
                if int(second) > cutoff:
                    calls += int(value) if kind == "c" else 0
                    failures += int(value) if kind == "f" else 0
        return _snapshot(
            name,
            policy,
            now,
            state=state,
            opened_at=float(fields["opened_at"]) if "opened_at" in fields else None,
            stage=int(fields.get("stage", 0)),
            calls=calls,
            failures=failures,
        )

    def reset(self, name: str) -> None:
        self.client.delete(*self.keys(name))
