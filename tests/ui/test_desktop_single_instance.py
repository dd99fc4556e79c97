"""One window per user: a second start hands its file to the running one over a local socket and exits 0."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ui.desktop import single_instance
from ui.desktop.single_instance import InstanceServer

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "assets" / "examples" / "circle.json"
unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files")


def child_env(runtime_dir: Path) -> dict[str, str]:
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime_dir), QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start_child(code_or_args: list[str], runtime_dir: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *code_or_args], cwd=REPO, env=child_env(runtime_dir),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def runtime_dir(tmp_path, monkeypatch):
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))  # the per-user name lands in this private folder
    return folder


@pytest.fixture
def server(qtbot, runtime_dir):
    serving = InstanceServer()
    assert serving.name == str(runtime_dir / "nn-playground.socket")
    assert serving.listen()
    yield serving
    serving.close()


def test_a_second_process_hands_its_file_over(qtbot, server, runtime_dir):
    child = start_child(["-c", "import sys; from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]);"
                               "from ui.desktop.single_instance import forward; print(forward('some/exp.nnp.json'))"],
                        runtime_dir)
    with qtbot.waitSignal(server.open_requested, timeout=20000) as got:
        pass
    out, err = child.communicate(timeout=30)
    assert got.args == [str(REPO / "some" / "exp.nnp.json")], "the path arrives absolute, from the sender's folder"
    assert out.strip() == "True", err


def test_nn_playground_with_a_file_exits_0_when_a_window_runs(qtbot, server, runtime_dir):
    child = start_child(["-m", "ui.app", str(EXAMPLE)], runtime_dir)
    with qtbot.waitSignal(server.open_requested, timeout=60000) as got:
        pass
    child.communicate(timeout=60)
    assert got.args == [str(EXAMPLE)]
    assert child.returncode == 0


def test_a_bad_file_is_refused_before_it_is_handed_over(qtbot, server, runtime_dir, tmp_path):
    bad = tmp_path / "bad.nnp.json"
    bad.write_text("{not json")
    received = []
    server.open_requested.connect(received.append)
    child = start_child(["-m", "ui.app", str(bad)], runtime_dir)
    while child.poll() is None:
        qtbot.wait(50)
    assert child.returncode == 2 and "not valid JSON" in child.stderr.read()
    assert received == []


def test_without_a_running_window_nobody_takes_the_file(qapp, runtime_dir):
    assert single_instance.forward(str(EXAMPLE)) is False


@unix_only
def test_a_stale_socket_from_a_crashed_instance_is_replaced(qapp, runtime_dir):
    path = runtime_dir / "nn-playground.socket"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # the file stays, as after a crash, and nobody listens
    assert path.exists()
    serving = InstanceServer()
    try:
        assert serving.listen()
        assert serving.server.isListening()
    finally:
        serving.close()


def test_a_live_instance_is_never_displaced(qapp, server):
    second = InstanceServer()
    try:
        assert not second.listen()
        assert server.server.isListening()
    finally:
        second.close()


@unix_only
def test_a_malformed_message_is_answered_error_and_opens_nothing(qtbot, server):
    received, replies = [], []
    server.open_requested.connect(received.append)

    def talk():
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(10)
            client.connect(server.name)
            client.sendall(b'{"close": "x"}\n')
            replies.append(client.recv(64))

    talker = threading.Thread(target=talk)
    talker.start()
    qtbot.waitUntil(lambda: bool(replies), timeout=10000)
    talker.join()
    assert replies == [b"error\n"]
    assert received == []


def test_the_server_name_is_per_user_without_a_runtime_dir(monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(single_instance.getpass, "getuser", lambda: "alice")
    alice = single_instance.server_name()
    monkeypatch.setattr(single_instance.getpass, "getuser", lambda: "bob")
    assert alice != single_instance.server_name() and alice.startswith("nn-playground-")


def test_the_running_window_opens_the_handed_over_file(window, qtbot, runtime_dir):
    from ui.desktop.app_setup import serve

    serving = serve(window, window.files.open_path)
    assert serving is not None
    try:
        child = start_child(["-m", "ui.app", str(EXAMPLE)], runtime_dir)
        qtbot.waitUntil(lambda: window.session.path == str(EXAMPLE), timeout=60000)
        child.communicate(timeout=60)
        assert child.returncode == 0
        assert window.session.spec.name == json.loads(EXAMPLE.read_text())["name"]
    finally:
        serving.close()
