"""Clients that hold the server's connections: one sending its request a byte
at a time, one stalling halfway through a request, and 1,000 connections that
never send anything. Other clients are served all along, and the request
timeout (30 s to receive a whole request) closes the stalled and idle ones."""
import socket
import threading
import time
import urllib.parse

from faults import integrity_check
from lite import Lite, wait_until

IDLE_CONNECTIONS = 1000
REQUEST_TIMEOUT_S = 30  # server_options::request_timeout


def connect(base):
    url = urllib.parse.urlsplit(base)
    return socket.create_connection((url.hostname, url.port), timeout=10)


def served(lite):
    """A normal client gets a whole, correct answer."""
    status, body = lite.get("/api/v2/version")
    return status == 200 and "version" in body


def closed_by_server(sock):
    """True once the server has closed the connection (EOF or reset)."""
    sock.settimeout(0)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def test_slow_and_idle_clients_do_not_starve_others(tmp_path):
    (tmp_path / "dags").mkdir()
    with Lite(tmp_path / "dags") as lite:
        # A request sent a byte at a time is still answered, and others are
        # answered while it trickles in.
        request = b"GET /api/v2/version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        slow = connect(lite.base)
        trickling = threading.Event()

        def trickle():
            for i in range(len(request)):
                slow.sendall(request[i:i + 1])
                trickling.set()
                time.sleep(0.05)  # the slow client's pace
        sender = threading.Thread(target=trickle)
        sender.start()
        trickling.wait(10)
        answered_meanwhile = 0
        while sender.is_alive():
            assert served(lite)
            answered_meanwhile += 1
        sender.join()
        assert answered_meanwhile > 0
        slow.settimeout(30)
        reply = b""
        while chunk := slow.recv(65536):
            reply += chunk
        slow.close()
        assert reply.startswith(b"HTTP/1.1 200"), reply[:200]

        # A request that stops halfway, and 1,000 connections that send nothing.
        stalled = connect(lite.base)
        stalled.sendall(b"GET /api/v2/version HTTP/1.1\r\nHost: 127.0")
        idle = [connect(lite.base) for _ in range(IDLE_CONNECTIONS)]
        wait_until(lambda: served(lite), 10, "a normal client was not served")
        for _ in range(20):
            assert served(lite)
        status, _ = lite.request("POST", "/api/v2/variables", {"key": "during", "value": "idle"})
        assert status in (200, 201)

        # The request timeout closes them all; a fresh client is still served.
        held = [stalled, *idle]
        wait_until(lambda: all(closed_by_server(s) for s in held), REQUEST_TIMEOUT_S * 3,
                   lambda: f"{sum(not closed_by_server(s) for s in held)} connections still open")
        for s in held:
            s.close()
        assert served(lite)
        assert lite.get("/api/v2/variables/during")[1]["value"] == "idle"
        lite.stop()
        assert lite.proc.returncode == 0, lite.output()
        assert integrity_check(lite.home) == ["ok"]
