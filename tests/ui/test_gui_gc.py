"""Cyclic garbage is collected on the GUI thread, never in the training worker."""

import gc
import threading

from ui.chrome import gui_gc


def test_window_moves_collection_to_the_gui_thread(window, qtbot):
    assert gui_gc.installed()
    assert not gc.isenabled()  # a worker allocating can no longer trigger a collection
    collected_in: list[str] = []

    class Cycle:
        def __init__(self):
            self.me = self

        def __del__(self):
            collected_in.append(threading.current_thread().name)

    def make_garbage_in_a_thread():
        for _ in range(2000):  # far past generation 0's threshold
            Cycle()

    worker = threading.Thread(target=make_garbage_in_a_thread, name="not-gui")
    worker.start()
    worker.join()
    assert collected_in == []  # nothing collected in the allocating thread
    qtbot.waitUntil(lambda: len(collected_in) > 0, timeout=5000)
    assert set(collected_in) == {threading.main_thread().name}
