#!/usr/bin/env python3
"""Runs the conformance vectors (vectors.json) with the client of client.py, written from PROTOCOL.md.

usage: vectors.py <vectors.json> <socket path>

The server at <socket path> is the one vectors.json's "server" describes (test/conformance.test.ts
starts it). Sessions go to the server; client sessions go to this file's own client (react_as_client),
with the runner playing the server; frame and path vectors check this client's decoder and its
computation of socket paths (PROTOCOL.md sections 1 and 2). Prints "ok <kind> <name>" per
vector, and "FAILED <kind> <name>: <why>" for each that fails; exits 1 if any failed.
"""

import hashlib
import json
import socket
import struct
import sys
import threading

from client import Connection, Failure

MAX_NESTING = 128


def depth(value):
    """Levels of arrays and objects in `value` (PROTOCOL.md section 2: the envelope is level 1)."""
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


def reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def take_frames(data, max_frame_bytes):
    """Section 2, strictly: (the messages complete in `data`, the bytes left); raises ValueError(code)."""
    messages = []
    while len(data) >= 4:
        (length,) = struct.unpack(">I", data[:4])
        if length > max_frame_bytes:
            raise ValueError("EFRAMETOOLARGE")
        if len(data) < 4 + length:
            break
        payload, data = data[4 : 4 + length], data[4 + length :]
        try:
            text = payload.decode("utf-8")  # strict: invalid bytes and encoded surrogates are errors
            value = json.loads(text, parse_constant=reject_constant)
        except ValueError:
            raise ValueError("EMALFORMEDFRAME")
        if depth(value) > MAX_NESTING:
            raise ValueError("EMALFORMEDFRAME")
        messages.append(value)
    return messages, data


def is_name(value):
    return isinstance(value, str) and 1 <= len(value) <= 256  # len() counts code points, as section 3 does


def is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2**53 - 1 or (
        isinstance(value, float) and value.is_integer() and 0 <= value <= 2**53 - 1)


def client_problem(message, established):
    """Why a client refuses `message` from the server (sections 3, 4 and 6), or None."""
    if not isinstance(message, dict) or not isinstance(message.get("t"), str):
        return "a message is an object with a string t"
    t = message["t"]
    if not established:
        if t == "welcome":
            return None if isinstance(message.get("v"), int) and isinstance(message.get("id"), str) else "welcome needs v and id"
        return None if t == "refuse" else "the answer to hello is welcome or refuse"
    if t not in ("res", "pub", "ping", "pong", "refuse"):
        return "a server does not send %s" % t
    if t == "res":
        if not is_id(message.get("id")):
            return "res.id is an integer"
        error = message.get("e")
        if "e" in message and not (isinstance(error, dict) and isinstance(error.get("message"), str)):
            return "res.e is an error object"
    if t == "pub" and not is_name(message.get("topic")):
        return "pub.topic is 1-256 characters"
    return None


def react_as_client(sock, token):
    """A client that says hello and then does what the document asks of it with whatever the server sends."""
    client = SocketConnection(sock)
    client.send({"t": "hello", "v": 1, "name": "vectors.py", "pid": 0, "token": token})
    established = False
    buffer = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return
            buffer += chunk
            try:
                messages, buffer = take_frames(buffer, 16 * 1024 * 1024)
                for message in messages:
                    problem = client_problem(message, established)
                    if problem:
                        raise ValueError("EPROTOCOL")
                    if message["t"] == "refuse":
                        return
                    if message["t"] == "welcome":
                        established = True
                    elif message["t"] == "ping":
                        client.send({"t": "pong"})
            except ValueError as refusal:
                client.send({"t": "refuse", "code": str(refusal), "message": "refused by vectors.py"})
                sock.shutdown(socket.SHUT_WR)
                sock.settimeout(1.0)
                while sock.recv(65536):
                    pass
                return
    except OSError:
        return
    finally:
        sock.close()


class SocketConnection(Connection):
    """client.py's Connection on a socket already connected (one end of a socket pair)."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""
        self.closed = False
        self.next_id = 1
        self.others = []


SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def short_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def file_name(name):
    """Section 1: a name as one path segment."""
    encoded = "".join(c if c in SAFE else "".join("%%%02X" % b for b in c.encode("utf-8")) for c in name)
    return encoded if len(encoded) <= 80 else encoded[:60] + "-" + short_hash(name)


def socket_path(root, scope, name, platform, runtime_dir):
    """Section 1: where the server of `name` in `scope` under `root` (absolute) listens."""
    sep = "\\" if platform == "win32" else "/"
    directory = sep.join([root.rstrip(sep), ".baton", file_name(scope)])
    digest = short_hash(directory + "\0" + name)
    if platform == "win32":
        return "\\\\.\\pipe\\baton-" + digest
    natural = directory + "/" + file_name(name) + ".sock"
    limit = 107 if platform == "linux" else 103
    if len(natural.encode("utf-8")) <= limit:
        return natural
    return runtime_dir.rstrip("/") + "/baton-" + digest + ".sock"


def matches(pattern, actual):
    """`actual` has what `pattern` lists: objects by their keys, arrays and values exactly."""
    if isinstance(pattern, dict):
        return isinstance(actual, dict) and all(k in actual and matches(v, actual[k]) for k, v in pattern.items())
    if isinstance(pattern, list):
        return isinstance(actual, list) and len(actual) == len(pattern) and all(matches(p, a) for p, a in zip(pattern, actual))
    if isinstance(pattern, bool) or isinstance(actual, bool):
        return type(pattern) is type(actual) and pattern == actual
    return pattern == actual


def next_message(connection, timeout):
    """The next message that is not a ping (pings are not answered: the client may have half-closed)."""
    while True:
        message = connection.receive(timeout, answer_pings=False)
        if message.get("t") != "ping":
            return message


def run_steps(connection, steps):
    for step in steps:
        if "send" in step:
            connection.send(step["send"])
        elif "sendText" in step:
            payload = step["sendText"].encode("utf-8", "surrogatepass")
            connection.send_raw(struct.pack(">I", len(payload)) + payload)
        elif "sendHex" in step:
            connection.send_raw(bytes.fromhex(step["sendHex"]))
        elif "shutdown" in step:
            connection.sock.shutdown(socket.SHUT_WR)
        elif "expect" in step:
            message = next_message(connection, 3.0)
            if not matches(step["expect"], message):
                raise Failure("expected %r, got %r" % (step["expect"], message))
            for key in step.get("absent", []):
                if key in message:
                    raise Failure("%r should have no %s" % (message, key))
            for field, keys in step.get("absentIn", {}).items():
                for key in keys:
                    if key in message.get(field, {}):
                        raise Failure("%r should have no %s.%s" % (message, field, key))
        elif "expectNothing" in step:
            try:
                message = next_message(connection, step["expectNothing"] / 1000.0)
            except Failure:
                continue
            raise Failure("expected nothing, got %r" % message)
        elif "expectClose" in step:
            others = [m for m in connection.wait_closed(3.0) if m.get("t") != "ping"]
            if others:
                raise Failure("expected the close, got %r first" % others)
        else:
            raise Failure("unknown step %r" % step)


def run_session(path, session):
    connection = Connection(path)
    try:
        run_steps(connection, session["steps"])
    finally:
        connection.close()


def run_client_session(session, token):
    """The runner plays the server, against react_as_client on the other end of a socket pair."""
    server_end, client_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    client = threading.Thread(target=react_as_client, args=(client_end, token), daemon=True)
    client.start()
    connection = SocketConnection(server_end)
    try:
        run_steps(connection, session["steps"])
    finally:
        connection.close()
        client.join(5)


def main(vectors_file, path):
    with open(vectors_file, encoding="utf-8") as f:
        vectors = json.load(f)
    failed = 0

    def check(kind, name, fn):
        nonlocal failed
        try:
            fn()
            print("ok %s %s" % (kind, name))
        except (Failure, AssertionError, OSError) as e:
            failed += 1
            print("FAILED %s %s: %s" % (kind, name, e))

    for session in vectors["sessions"]:
        check("session", session["name"], lambda: run_session(path, session))

    def frame_vector(vector):
        data = bytes.fromhex(vector["hex"])
        try:
            messages, rest = take_frames(data, vector.get("maxFrameBytes", 16 * 1024 * 1024))
            error = None if not rest else "incomplete frame"
        except ValueError as e:
            messages, error = None, str(e)
        if "error" in vector:
            assert error == vector["error"], "expected %s, got %s (messages %r)" % (vector["error"], error, messages)
        else:
            assert error is None and messages == vector["messages"], "expected %r, got %r (error %s)" % (vector["messages"], messages, error)

    for session in vectors["clientSessions"]:
        check("client session", session["name"], lambda: run_client_session(session, vectors["server"]["token"]))

    for vector in vectors["frames"]:
        check("frame", vector["name"], lambda: frame_vector(vector))

    def path_vector(v):
        got = socket_path(v["root"], v["scope"], v["socket"], v["platform"], v["runtimeDir"])
        assert got == v["path"], "expected %s, got %s" % (v["path"], got)

    for vector in vectors["paths"]:
        check("path", vector["name"], lambda: path_vector(vector))
    return failed


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1], sys.argv[2]) else 0)
