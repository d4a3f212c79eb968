"""A deadline for a whole network exchange. Socket timeouts bound one read each, so a server that sends a byte
just before each one runs out can keep an exchange going for ever; a watchdog thread shuts the exchange's
sockets down when its time is up, and every blocked read returns at once."""

from __future__ import annotations

import socket
import threading
import time


class Watchdog:
    """``with Watchdog(seconds) as dog:`` … ``dog.attach(sock)``; ``dog.extend(s)`` gives ``s`` more seconds from
    now (one more message in a mail session); ``dog.expired`` says whether the time ran out."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._socks: list[socket.socket] = []
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._watch, name="briefing-deadline", daemon=True)

    def __enter__(self) -> "Watchdog":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def remaining(self) -> float:
        """Seconds left (0 when the time is up)."""
        return 0.0 if self.expired else max(self.end - time.monotonic(), 0.0)

    def extend(self, seconds: float) -> None:
        with self._cond:
            self.end = time.monotonic() + seconds
            self.seconds = seconds
            self._cond.notify()

    def attach(self, sock: socket.socket) -> socket.socket:
        with self._cond:
            self._socks.append(sock)
            if self.expired:
                _shutdown(sock)
        return sock

    def _watch(self) -> None:
        with self._cond:
            while not self._stopped:
                left = self.end - time.monotonic()
                if left <= 0:
                    self.expired = True
                    for sock in self._socks:
                        _shutdown(sock)
                    return
                self._cond.wait(left)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
