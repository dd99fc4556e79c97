"""One window per user: a file opened from the file manager goes to the running window, not a second one.

The first ``nn-playground`` listens on a per-user local socket (a Unix socket in the private
``$XDG_RUNTIME_DIR`` when there is one, a named pipe on Windows). A later start with a file connects,
sends the file's absolute path as one JSON line, waits for ``ok`` and exits 0. A socket left behind by
a crashed instance answers nobody, so it is removed and the new start listens in its place.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from .icons import APP_ID

CONNECT_MS = 500  # a live instance answers a local connection in well under a millisecond
REPLY_MS = 3000  # the running window may be busy painting; it acknowledges from its event loop
MAX_MESSAGE = 64 * 1024  # one path; anything longer is not ours


def server_name() -> str:
    """The per-user socket name: in the private runtime directory if there is one, else named after the user."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return str(Path(runtime) / f"{APP_ID}.socket")
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = str(getattr(os, "getuid", lambda: "user")())
    # QLocalServer puts a bare name in the shared temp folder, so it carries the user; hashed, so any
    # user name makes a valid socket or pipe name.
    return f"{APP_ID}-{hashlib.sha256(user.encode()).hexdigest()[:12]}"


def forward(path: str, name: str | None = None) -> bool:
    """Hand ``path`` to a running instance; True when it acknowledged (this start can exit)."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write(json.dumps({"open": str(Path(path).absolute())}).encode() + b"\n")
    socket.waitForBytesWritten(REPLY_MS)
    reply = b""
    while b"\n" not in reply and socket.waitForReadyRead(REPLY_MS):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply.strip() == b"ok"


class InstanceServer(QObject):
    """Listens for later starts and emits ``open_requested(path)`` for each file they hand over."""

    open_requested = Signal(str)

    def __init__(self, name: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)  # only this user may connect
        self.server.newConnection.connect(self._on_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start serving; a stale socket from a crashed instance is removed first. False if another serves."""
        # Ask first: with UserAccessOption Qt makes the socket in a private folder and renames it into
        # place, which would silently replace a live instance's socket instead of failing.
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(CONNECT_MS):
            probe.disconnectFromServer()
            return False
        QLocalServer.removeServer(self.name)  # nobody answered: any socket file left there is stale
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    @Slot()
    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_ready(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _on_ready(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > MAX_MESSAGE:
            socket.abort()
            self._drop(socket)
            return
        self._buffers[socket] = data
        if b"\n" not in data:
            return  # the rest of the line is still on its way
        line = data.split(b"\n", 1)[0]
        try:
            path = json.loads(line)["open"]
            if not isinstance(path, str):
                raise TypeError("path is not a string")
        except (ValueError, KeyError, TypeError):
            socket.write(b"error\n")
        else:
            socket.write(b"ok\n")
            self.open_requested.emit(path)
        socket.flush()
        socket.disconnectFromServer()

    def _drop(self, socket: QLocalSocket) -> None:
        if self._buffers.pop(socket, None) is not None:
            socket.deleteLater()
