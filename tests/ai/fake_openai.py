"""A loopback HTTP server speaking the OpenAI embeddings and chat completions protocol.

Embeddings are deterministic: a hashed bag of words (``DIMENSIONS`` buckets), so texts
that share words have a high cosine. ``mode`` makes the server misbehave: ``ok``,
``429`` (with Retry-After), ``500``, ``400`` or ``slow`` (answers after ``delay`` seconds).
"""

import base64
import json
import re
import struct
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import clear_cache

DIMENSIONS = 64


def embed(text: str) -> list[float]:
    vector = [0.0] * DIMENSIONS
    for word in re.findall(r"[a-z0-9+#]+", text.lower()):
        vector[zlib.crc32(word.encode()) % DIMENSIONS] += 1.0
    return vector


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = "ok"
        self.delay = 1.0
        self.requests: Counter[str] = Counter()
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def total(self, path: str = "/v1/embeddings") -> int:
        with self.lock:
            return self.requests[path]


class Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with self.server.lock:
            self.server.requests[self.path] += 1
            self.server.bodies.append(body)
        mode = self.server.mode
        if mode == "slow":
            time.sleep(self.server.delay)
        error = {"error": {"message": f"fake {mode}", "type": "fake", "code": None}}
        if mode == "429":
            self._send(429, error, {"Retry-After": "0"})
        elif mode == "500":
            self._send(500, error)
        elif mode == "400":
            self._send(400, error)
        elif self.path == "/v1/embeddings":
            self._embeddings(body)
        elif self.path == "/v1/chat/completions":
            self._send(
                200,
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body.get("model", ""),
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": "Strong fit: all required skills match."},
                        }
                    ],
                },
            )
        else:
            self._send(404, {"error": {"message": "not found"}})

    def _embeddings(self, body: dict[str, Any]) -> None:
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = []
        for index, text in enumerate(inputs):
            vector = embed(text)
            if body.get("encoding_format") == "base64":
                encoded: Any = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            else:
                encoded = vector
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        self._send(
            200,
            {
                "object": "list",
                "model": body.get("model", ""),
                "data": data,
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            },
        )


def start() -> FakeOpenAI:
    server = FakeOpenAI()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def fake_openai():
    server = start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def openai_settings(settings, fake_openai):
    """The OpenAI provider pointed at the loopback server, with a small breaker and fast retries."""
    settings.AI_PROVIDER = "openai"
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = fake_openai.base_url
    settings.OPENAI_TIMEOUT = 2.0
    settings.RETRY_BASE_DELAY = 0.001
    settings.RETRY_MAX_DELAY = 0.005
    settings.RETRY_MAX_RETRIES = 3
    # Four failed calls in the window open the circuit (the same rule, smaller numbers).
    settings.CIRCUIT_BREAKER_MIN_CALLS = 4
    settings.CIRCUIT_BREAKER_OPEN_SECONDS = 300
    clear_cache()
    yield settings
    clear_cache()
