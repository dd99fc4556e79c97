"""Every tab, the Runs tab included, works in every state: no data, before, during, after training,
after a divergence and after a reset. Any exception in a slot or Qt warning fails the test (conftest)."""

from dataclasses import replace

from PySide6.QtWidgets import QApplication

from playground.examples import load_example
from playground.spec import LayerSpec, OptimizerSpec


def _visit_every_tab(window, qtbot, state):
    tabs = window.views_panel.tabs
    for index in range(tabs.count()):
        if not tabs.isTabVisible(index):
            continue
        tabs.setCurrentIndex(index)
        for _ in range(3):
            QApplication.processEvents()
        qtbot.wait(20)
        assert tabs.currentIndex() == index, (state, tabs.tabText(index))
    return [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]


def test_every_tab_in_every_state(window, qtbot):
    exp = replace(load_example("circle"), epochs=30, device="cpu")
    window.set_experiment(replace(exp, data=replace(exp.data, dataset="csv", path="/nonexistent/table.csv")))
    _visit_every_tab(window, qtbot, "no data")

    window.set_experiment(exp)
    shown = _visit_every_tab(window, qtbot, "before training")
    assert "Runs" in shown

    window.on_train_toggle()
    qtbot.waitUntil(lambda: len(window.session.history) > 2, timeout=60000)
    for _ in range(2):  # snapshots keep arriving while each tab is shown
        _visit_every_tab(window, qtbot, "during training")
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=120000)
    _visit_every_tab(window, qtbot, "after training")

    window.on_train_reset()
    _visit_every_tab(window, qtbot, "after reset")

    hot = replace(exp, optimizer=OptimizerSpec("sgd", lr=1e6), loss="mse", epochs=1000,
                  layers=(LayerSpec("linear", "relu", units=8), LayerSpec("linear", "linear", units=2)))
    window.set_experiment(hot)
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "diverged", timeout=60000)
    _visit_every_tab(window, qtbot, "after divergence")
    window.on_train_reset()
    _visit_every_tab(window, qtbot, "after reset from a divergence")


def test_the_runs_tab_shown_while_training_draws_every_snapshot(window, qtbot):
    window.set_experiment(replace(load_example("circle"), epochs=20, device="cpu"))
    tabs = window.views_panel.tabs
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "Runs"))
    window.on_train_toggle()
    qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=120000)
    assert window.runs.view.table.rowCount() >= 1  # the finished run is listed while the tab is shown


def _sequence_experiment(dataset, layers, loss):
    from playground.spec import DataSpec, Experiment

    data = DataSpec(dataset=dataset, samples=120, features=(), test_fraction=0.25).with_settings(length=5)
    return Experiment(data=data, layers=layers, loss=loss, optimizer=OptimizerSpec("adam", 0.01), batch_size=16,
                      epochs=3, device="cpu")


def test_every_tab_on_sequence_data(window, qtbot):
    """Recurrent nets on sequence data (classification and regression): every tab, the sequence views included."""
    cases = [
        ("parity", (LayerSpec("gru", "linear", hidden=4, output="all"), LayerSpec("lstm", "linear", hidden=3),
                    LayerSpec("linear", "linear", units=2)), "cross_entropy", {"Hidden state", "Gates"}),
        ("sine", (LayerSpec("rnn", "tanh", hidden=4), LayerSpec("linear", "linear", units=1)), "mse",
         {"Hidden state", "Prediction vs target"}),
    ]
    for dataset, layers, loss, expected in cases:
        window.set_experiment(_sequence_experiment(dataset, layers, loss))
        shown = _visit_every_tab(window, qtbot, f"{dataset} before training")
        assert expected <= set(shown), (dataset, shown)
        window.on_train_toggle()
        qtbot.waitUntil(lambda: len(window.session.history) > 1, timeout=60000)
        _visit_every_tab(window, qtbot, f"{dataset} during training")
        qtbot.waitUntil(lambda: window.runner.state == "finished", timeout=120000)
        _visit_every_tab(window, qtbot, f"{dataset} after training")
        assert window.views_panel.hidden_state.hidden.image.image is not None  # drawn from the last snapshot
        window.on_train_reset()
        _visit_every_tab(window, qtbot, f"{dataset} after reset")
