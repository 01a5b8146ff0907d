"""A small HTTP/1.1 server with bounded threads, for the replay server.

The standard library's ``ThreadingHTTPServer`` gives every connection a thread for its whole
life and listens with a backlog of 5; this one keeps what a replay server on a laptop needs in
bounds:

- A fixed pool of worker threads. A connection holds a worker only once a request's head
  (line and headers) is all here, while its body is read and it is answered; before that and
  between requests (keep-alive) it waits in the main loop's selector, without a thread, and is
  closed after ``idle_timeout``, or ``request_timeout`` after a request's head began.
- A request must arrive within ``request_timeout`` of a worker taking it up, and each write
  of the answer go out within ``write_timeout``: a slow client cannot hold a worker longer
  (:mod:`archive._http_handler`). At most ``max_connections`` are open; past that the longest
  idle one is closed.
- Request bodies are read and discarded, so a body is never parsed as a next request.
- A client that hangs up is logged at debug level, never as a traceback.
"""

from __future__ import annotations

import logging
import queue
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from archive._http_handler import PooledRequestHandler

logger = logging.getLogger(__name__)


class _Connection:
    def __init__(self, handler: PooledRequestHandler) -> None:
        self.handler = handler
        self.sock = handler.connection
        self.idle_since = time.monotonic()
        self.head_since: float | None = None  # when the first bytes of a request came


class PooledHTTPServer:
    """Serves ``handler_class`` on ``address`` until :meth:`shutdown`; a context manager."""

    def __init__(
        self, address: tuple[str, int], handler_class: type[PooledRequestHandler], *,
        workers: int = 16, backlog: int = 128, idle_timeout: float = 15.0,
        request_timeout: float = 10.0, write_timeout: float = 30.0, max_connections: int = 1000,
    ) -> None:
        self.handler_class = handler_class
        self.request_timeout = request_timeout
        self.write_timeout = write_timeout
        self.idle_timeout = idle_timeout
        self.max_connections = max_connections
        self.socket = socket.create_server(address, backlog=backlog)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="http-worker")
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_w.setblocking(False)  # a full pipe has woken the loop already
        self._returned: queue.SimpleQueue[_Connection] = queue.SimpleQueue()
        self._idle: dict[socket.socket, _Connection] = {}
        self._open: set[_Connection] = set()
        self._lock = threading.Lock()
        self._stop = False
        self._stopped = threading.Event()
        self._stopped.set()

    def __enter__(self) -> PooledHTTPServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.server_close()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._stopped.clear()
        self._stop = False
        self.socket.setblocking(False)
        self._selector.register(self.socket, selectors.EVENT_READ)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        try:
            while not self._stop:
                for key, _ in self._selector.select(poll_interval):
                    if key.fileobj is self.socket:
                        self._accept()
                    elif key.fileobj is self._wake_r:
                        self._wake_r.recv(4096)
                    else:
                        self._readable(key.data)
                self._take_back()
                self._expire(time.monotonic())
        finally:  # idle connections stay registered until server_close() closes them
            self._selector.unregister(self.socket)
            self._selector.unregister(self._wake_r)
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` (from another thread) and wait until it has."""
        self._stop = True
        self._wake()
        self._stopped.wait()

    def server_close(self) -> None:
        """Close the listening socket and every connection; wait for the workers to finish."""
        self.socket.close()
        with self._lock:
            connections = list(self._open)
        for connection in connections:
            self._close(connection, hard=True)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._idle.clear()
        self._wake_r.close()
        self._wake_w.close()
        self._selector.close()

    def _accept(self) -> None:
        try:
            sock, address = self.socket.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:  # out of file descriptors, say: try again on the next round
            logger.warning("cannot accept a connection: %s", exc)
            return
        sock.setblocking(True)
        with self._lock:
            crowded = len(self._open) >= self.max_connections
        if crowded:
            if not self._idle:  # every one busy: this one waits for nothing
                sock.close()
                return
            self._close(min(self._idle.values(), key=lambda c: c.idle_since))
        connection = _Connection(self.handler_class(sock, address, self))
        with self._lock:
            self._open.add(connection)
        self._park(connection)

    def _park(self, connection: _Connection) -> None:
        connection.idle_since = time.monotonic()
        connection.head_since = None
        self._idle[connection.sock] = connection
        self._selector.register(connection.sock, selectors.EVENT_READ, connection)

    def _readable(self, connection: _Connection) -> None:
        """Gather a request's head here, without a thread; a worker takes it from there."""
        try:
            ready = connection.handler.take_early()
        except OSError as exc:
            logger.debug("%s went away: %s", connection.handler.address_string(), exc)
            ready = None
        if ready is None:
            self._close(connection)
        elif ready:
            self._selector.unregister(connection.sock)
            del self._idle[connection.sock]
            self._pool.submit(self._serve, connection)
        elif connection.head_since is None:
            connection.head_since = time.monotonic()

    def _serve(self, connection: _Connection) -> None:
        handler = connection.handler
        try:
            while True:
                handler.serve_one()
                if handler.close_connection:
                    self._close(connection)
                    return
                if not handler.has_pending():
                    break
        except OSError as exc:  # a hang-up, a reset, a timeout: the client's doing, not ours
            logger.debug("%s went away: %s", handler.address_string(), exc)
            self._close(connection)
            return
        except Exception:
            logger.exception("error answering %s", handler.address_string())
            self._close(connection)
            return
        self._returned.put(connection)
        self._wake()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except BlockingIOError:
            pass
        except OSError:  # closed: the server is closing, and closes every connection
            pass

    def _take_back(self) -> None:
        while True:
            try:
                connection = self._returned.get_nowait()
            except queue.Empty:
                return
            if connection.sock.fileno() >= 0:
                self._park(connection)

    def _expire(self, now: float) -> None:
        """Close the connections idle too long, and those sending a request's head too slowly."""
        for connection in list(self._idle.values()):
            if (connection.idle_since < now - self.idle_timeout or (
                    connection.head_since is not None
                    and connection.head_since < now - self.request_timeout)):
                self._close(connection)

    def _close(self, connection: _Connection, hard: bool = False) -> None:
        if self._idle.pop(connection.sock, None) is not None:
            self._selector.unregister(connection.sock)
        with self._lock:
            self._open.discard(connection)
        try:
            if hard:
                connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        connection.sock.close()
