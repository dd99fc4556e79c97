"""The autosave writes the history on its own thread, in order, and says when it cannot write."""

from __future__ import annotations

import threading

from playground.history_codec import history_from_lines
from playground.reports import Report
from playground.spec import default_experiment
from ui.session import autosave, history_writer
from ui.session.history_writer import HistoryWriter


def reports(start: int, stop: int) -> list[Report]:
    return [Report(step=i, epoch=i / 25, train_loss=1.0 / (i + 1), lr=0.03) for i in range(start, stop)]


def test_the_timer_hands_the_history_to_a_thread_that_writes_it_in_order(qtbot, monkeypatch):
    threads = set()
    line = history_writer.report_line

    def recording_line(report):
        threads.add(threading.current_thread().name)
        return line(report)

    monkeypatch.setattr(history_writer, "report_line", recording_line)
    history = reports(0, 500)
    saver = autosave.Autosaver(lambda: (default_experiment(), history))
    saver.save()  # what the timer calls
    for start in range(500, 3000, 500):  # a run adding points between saves
        history.extend(reports(start, start + 500))
        saver.save()
    assert saver._writer.wait(30)
    assert threads == {"autosave-history"}  # never the GUI thread
    assert history_from_lines(autosave.history_path().read_text()) == history
    history.clear()  # a reset: the file is rewritten, not appended to
    history.extend(reports(0, 3))
    saver.save_now()
    assert history_from_lines(autosave.history_path().read_text()) == history


def test_a_failed_write_is_announced_and_the_next_save_rewrites_everything(qtbot, tmp_path):
    target = tmp_path / "blocked" / "history.jsonl"
    target.parent.write_text("a file where the folder should be")
    history = reports(0, 100)
    saver = autosave.Autosaver(lambda: (default_experiment(), history))
    saver._writer = HistoryWriter(lambda: target)
    messages = []
    saver.failed.connect(messages.append)
    saver.save_now()
    assert saver.error and saver.error.startswith("Autosave failed")
    assert len(messages) == 1 and "File ▸ Save As" in messages[0]
    history.extend(reports(100, 150))
    saver.save_now()
    assert len(messages) == 1  # the same failure is said once
    target.parent.unlink()
    target.parent.mkdir()  # the disk is writable again
    history.extend(reports(150, 160))
    saver.save_now()
    assert not target.exists()  # no rewrite on every tick while a disk is full: RETRY_S between them
    saver._writer.failed_at -= history_writer.RETRY_S
    saver.save_now()
    assert saver.error is None
    assert history_from_lines(target.read_text()) == history  # complete: the failed appends were mended


def test_appends_after_a_failure_wait_for_the_rewrite(tmp_path):
    target = tmp_path / "history.jsonl"
    writer = HistoryWriter(lambda: target)
    writer.rewrite(reports(0, 10))
    assert writer.wait(10)
    writer.failed = True  # as after an append that hit a full disk
    writer.append(reports(10, 20))
    assert writer.wait(10)
    assert len(history_from_lines(target.read_text())) == 10  # not appended after the hole
    writer.rewrite(reports(0, 20))
    assert writer.wait(10) and not writer.failed
    assert history_from_lines(target.read_text()) == reports(0, 20)
