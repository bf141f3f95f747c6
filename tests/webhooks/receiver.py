"""A real HTTP receiver on loopback that verifies Standard Webhooks signatures.

It runs ``http.server`` in a thread and checks every request with the ``standardwebhooks``
package, the way a customer's receiver would: a bad signature or a timestamp more than
five minutes old answers 400. Tests script its answers (status, delay, headers) in order;
once the script is used up it answers 200.
"""

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str
    verified: bool
    error: str = ""
    received_at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    def __init__(self) -> None:
        self.secret: str | None = None
        self.big_body: str | None = None
        self.requests: list[Received] = []
        self.scripts: dict[str | None, deque[Answer]] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified, error = receiver.verify(body, headers)
                with receiver._lock:
                    receiver.requests.append(Received(self.path, headers, body, verified, error))
                    answer = receiver.next_answer(self.path)
                if answer.delay:
                    time.sleep(answer.delay)
                status = answer.status if verified else 400
                body_out = {"ok": verified, "error": error, "padding": receiver.big_body or ""}
                payload = json.dumps(body_out).encode()
                try:
                    self.send_response(status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def verify(self, body: str, headers: dict[str, str]) -> tuple[bool, str]:
        if self.secret is None:
            return False, "no secret configured"
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError as exc:
            return False, str(exc)
        return True, ""

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, *answers: Answer, path: str | None = None) -> None:
        """Queue answers for requests to ``path`` (any path when None), used in order."""
        self.scripts.setdefault(path, deque()).extend(answers)

    def next_answer(self, path: str) -> Answer:
        for key in (path, None):
            script = self.scripts.get(key)
            if script:
                return script.popleft()
        return Answer()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return list(self.requests)
            time.sleep(0.05)
        return list(self.requests)

    def start(self) -> "Receiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
