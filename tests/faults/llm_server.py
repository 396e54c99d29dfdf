"""A stand-in for an OpenAI-compatible LLM server on 127.0.0.1 that a test can make answer, hang, drop
connections or die; every hanging request is released when the server stops."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

from tests.servers import free_port

Mode = Literal["answer", "hang", "close"]
HANG_LIMIT_S = 30.0  # a hanging request is answered by a closed connection after this, at the latest


class FakeLlmServer:
    """``/v1/chat/completions`` that streams ``reply`` (mode ``answer``), never answers (``hang``) or closes
    the connection without a response (``close``); ``kill`` stops listening (connection refused)."""

    def __init__(self, reply: str) -> None:
        self.reply, self.mode, self.port = reply, "answer", free_port()
        self.requests = 0
        self.release = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                fake.requests += 1
                if fake.mode == "hang":
                    fake.release.wait(HANG_LIMIT_S)
                    self.close_connection = True
                    return
                if fake.mode == "close":
                    self.close_connection = True
                    return
                fake._stream(self, bool(body.get("stream")))

        self.release.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-llm", daemon=True).start()

    def kill(self) -> None:
        """Stop listening and drop what hangs: the process is gone, the port refuses connections."""
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _stream(self, handler: BaseHTTPRequestHandler, stream: bool) -> None:
        base = {"id": "chatcmpl-fake", "created": 0, "model": "fake-model"}
        if not stream:
            payload = {
                **base,
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.reply},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
            data = json.dumps(payload).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        words = self.reply.split(" ")
        for i, word in enumerate(words):
            piece = word if i == 0 else f" {word}"
            chunk = {
                **base,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
            handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        last = {
            **base,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": len(words), "total_tokens": 10 + len(words)},
        }
        handler.wfile.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
        handler.wfile.flush()


@contextlib.contextmanager
def fake_llm(reply: str) -> Iterator[FakeLlmServer]:
    """A started fake LLM server, stopped (and its hanging requests released) afterwards."""
    server = FakeLlmServer(reply)
    server.start()
    try:
        yield server
    finally:
        server.kill()
