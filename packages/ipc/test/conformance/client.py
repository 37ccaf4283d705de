#!/usr/bin/env python3
"""A Baton IPC client written from packages/ipc/PROTOCOL.md alone, with Python's standard library.

usage: client.py <socket path> <token file>

Runs the protocol's steps against a server that serves (see test/conformance.test.ts):
  echo -> params; fail -> an error with code EQUOTA and data; slow -> never answers until
  cancelled; cancelled -> whether the last `slow` saw its cancellation; publish {topic, p} ->
  publishes p on topic.
Prints one line per step passed ("ok <step>"), and exits 1 with the reason at the first failure.
"""

import json
import os
import select
import socket
import struct
import sys
import time

PROTOCOL_VERSION = 1


class Failure(Exception):
    pass


class Connection:
    """One connection: frames are a 4-byte big-endian payload length, then UTF-8 JSON (section 2)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buffer = b""
        self.closed = False
        self.next_id = 1
        # Messages received while waiting for something else (publications, late answers).
        self.others = []

    def send(self, message):
        payload = json.dumps(message, separators=(",", ":")).encode("utf-8")
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)

    def send_raw(self, data):
        self.sock.sendall(data)

    def _frame(self):
        if len(self.buffer) < 4:
            return None
        (length,) = struct.unpack(">I", self.buffer[:4])
        if len(self.buffer) < 4 + length:
            return None
        payload = self.buffer[4 : 4 + length]
        self.buffer = self.buffer[4 + length :]
        return json.loads(payload.decode("utf-8"))

    def receive(self, timeout=5.0, answer_pings=True):
        """The next message; pings are answered with pong and skipped (section 8, heartbeat)."""
        deadline = time.monotonic() + timeout
        while True:
            message = self._frame()
            if message is not None:
                if answer_pings and message.get("t") == "ping":
                    self.send({"t": "pong"})
                    continue
                return message
            if self.closed:
                raise Failure("connection closed while waiting for a message")
            if not self._fill(deadline):
                raise Failure("no message within %.1f s" % timeout)

    def wait_closed(self, timeout=5.0):
        """Reads until the server closes; returns every message received meanwhile."""
        messages = []
        deadline = time.monotonic() + timeout
        while True:
            message = self._frame()
            if message is not None:
                messages.append(message)
                continue
            if self.closed:
                return messages
            if not self._fill(deadline):
                raise Failure("the server did not close the connection within %.1f s" % timeout)

    def _fill(self, deadline):
        """Reads what arrives before `deadline` into the buffer; False when nothing came in time."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([self.sock], [], [], left)
        if ready:
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed = True
            else:
                self.buffer += chunk
        return True

    def hello(self, token, version=PROTOCOL_VERSION):
        self.send({"t": "hello", "v": version, "name": "conformance.py", "pid": os.getpid(), "token": token})
        return self.receive()

    def request(self, method, params=None, timeout=5.0):
        """Sends a req and returns its res, answering pings and keeping other messages aside."""
        request_id = self.next_id
        self.next_id += 1
        message = {"t": "req", "id": request_id, "m": method}
        if params is not None:
            message["p"] = params
        self.send(message)
        return self.answer(request_id, timeout)

    def answer(self, request_id, timeout=5.0):
        while True:
            message = self.receive(timeout)
            if message.get("t") == "res" and message.get("id") == request_id:
                return message
            self.others.append(message)

    def close(self):
        self.sock.close()


def expect(condition, what):
    if not condition:
        raise Failure(what)


def refused(path, frames, code):
    """Opens a connection, sends `frames` (bytes), and checks that the server refuses it with `code`."""
    connection = Connection(path)
    connection.send_raw(frames)
    messages = connection.wait_closed()
    connection.close()
    expect(len(messages) == 1 and messages[0].get("t") == "refuse", "expected one refuse frame, got %r" % messages)
    expect(messages[0].get("code") == code, "expected refuse code %s, got %r" % (code, messages[0]))
    expect(isinstance(messages[0].get("message"), str), "a refuse has a message")
    return messages[0]


def frame(message):
    payload = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return struct.pack(">I", len(payload)) + payload


def main(path, token_file):
    with open(token_file, "rb") as f:
        raw = f.read()
    # Section 5: 64 lowercase hex characters and a newline; the token is the 64 characters.
    expect(len(raw) == 65 and raw.endswith(b"\n"), "token file is 64 characters and a newline, got %d bytes" % len(raw))
    token = raw.decode("ascii").strip()
    expect(all(c in "0123456789abcdef" for c in token), "token is lowercase hex")
    print("ok token file")

    hello = {"t": "hello", "v": PROTOCOL_VERSION, "name": "conformance.py", "pid": os.getpid()}
    refusal = refused(path, frame(dict(hello, token=raw.decode("ascii"))), "EAUTH")
    expect("newline" in refusal["message"], "the refusal of an untrimmed token says why: %r" % refusal)
    refused(path, frame(dict(hello, token="0" * 64)), "EAUTH")
    refused(path, frame(hello), "EAUTH")
    refused(path, frame({"t": "req", "id": 1, "m": "echo"}), "EPROTOCOL")
    refused(path, frame(dict(hello, token=token, pid="me")), "EPROTOCOL")
    refused(path, b"\x00\x00\x00\x05{nope", "EMALFORMEDFRAME")
    refused(path, b"\xff\xff\xff\xff", "EFRAMETOOLARGE")
    print("ok refusals")

    # Section 7: a version the server does not speak is refused with the versions it does.
    refusal = refused(path, frame(dict(hello, token=token, v=PROTOCOL_VERSION + 1)), "EPROTOCOL")
    versions = refusal.get("versions")
    expect(isinstance(versions, list) and PROTOCOL_VERSION in versions, "refusal lists versions: %r" % refusal)
    print("ok version negotiation")

    connection = Connection(path)
    welcome = connection.hello(token, max(v for v in versions if v <= PROTOCOL_VERSION))
    expect(welcome.get("t") == "welcome", "expected welcome, got %r" % welcome)
    expect(welcome.get("v") == PROTOCOL_VERSION and isinstance(welcome.get("id"), str), "welcome has v and id: %r" % welcome)
    print("ok handshake")

    answer = connection.request("echo", {"text": "h\u00e9llo", "n": [1, 2.5, None, True]})
    expect(answer == {"t": "res", "id": 1, "r": {"text": "h\u00e9llo", "n": [1, 2.5, None, True]}}, "echo: %r" % answer)
    answer = connection.request("echo")
    expect(answer.get("t") == "res" and "e" not in answer and answer.get("r") is None, "echo without params: %r" % answer)
    print("ok request")

    answer = connection.request("fail")
    error = answer.get("e")
    expect(isinstance(error, dict), "fail answers with an error object: %r" % answer)
    expect(error.get("code") == "EQUOTA" and error.get("name") == "QuotaError", "error code and name: %r" % error)
    expect(error.get("message") == "quota of 10 used up" and error.get("data") == {"limit": 10}, "error message and data: %r" % error)
    expect("stack" not in error, "no stack trace by default: %r" % error)
    answer = connection.request("no.such.method")
    expect(answer.get("e", {}).get("code") == "ENOMETHOD", "unknown method: %r" % answer)
    print("ok error reply")

    # Section 6.2: a cancelled request gets no answer; its handler sees the cancellation.
    slow_id = connection.next_id
    connection.next_id += 1
    connection.send({"t": "req", "id": slow_id, "m": "slow"})
    time.sleep(0.05)
    connection.send({"t": "cancel", "id": slow_id})
    connection.send({"t": "cancel", "id": 424242})  # not in flight: ignored
    deadline = time.monotonic() + 5
    while True:
        answer = connection.request("cancelled")
        if answer.get("r") is True or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    expect(answer.get("r") is True, "the slow handler saw its cancellation: %r" % answer)
    time.sleep(0.2)
    connection.request("echo", "flush")
    expect(not any(m.get("t") == "res" and m.get("id") == slow_id for m in connection.others), "no answer for the cancelled request")
    print("ok cancel")

    # Section 4: sub, then a publication reaches us; our pub reaches the other subscribers.
    connection.send({"t": "sub", "topic": "news"})
    connection.request("publish", {"topic": "news", "p": {"headline": 1}})
    deadline = time.monotonic() + 5
    while not any(m.get("t") == "pub" and m.get("topic") == "news" for m in connection.others):
        connection.others.append(connection.receive(max(0.01, deadline - time.monotonic())))
    publication = next(m for m in connection.others if m.get("t") == "pub")
    expect(publication == {"t": "pub", "topic": "news", "p": {"headline": 1}}, "publication: %r" % publication)
    connection.send({"t": "pub", "topic": "from-python", "p": {"hello": "node"}})
    connection.send({"t": "unsub", "topic": "news"})
    connection.others.clear()
    connection.request("publish", {"topic": "news", "p": {"headline": 2}})
    connection.request("echo", "after unsub")
    expect(not any(m.get("t") == "pub" for m in connection.others), "nothing after unsub: %r" % connection.others)
    print("ok subscribe and publish")

    # Section 8: our ping is answered; the server's pings are answered by receive().
    connection.send({"t": "ping"})
    pong = connection.receive()
    expect(pong == {"t": "pong"}, "ping answered with pong: %r" % pong)
    server_ping = connection.receive(5, answer_pings=False)
    expect(server_ping == {"t": "ping"}, "the server pings a quiet peer: %r" % server_ping)
    connection.send({"t": "pong"})
    print("ok ping and pong")

    # Section 6.1: an id still in flight may not be reused.
    connection.send({"t": "req", "id": 900, "m": "slow"})
    connection.send({"t": "req", "id": 900, "m": "echo"})
    messages = connection.wait_closed()
    expect(messages and messages[-1].get("t") == "refuse" and messages[-1].get("code") == "EPROTOCOL", "a reused in-flight id is refused: %r" % messages)
    connection.close()
    print("ok request ids")


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except Failure as failure:
        print("FAILED: %s" % failure)
        sys.exit(1)
