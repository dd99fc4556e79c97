"""Scene items hold WeakCallbacks to their views: a view that becomes garbage takes its scene with it safely.

A scene item holding a bound method of its own view made a cycle; Python's collector then freed the view
from inside an item's destructor and Qt's QGraphicsScene::clear() touched the half-destroyed item (a
segfault in the suite). These tests pin both halves: the callback does not keep its object alive, and
the views whose items took such callbacks leave no cycle through them.
"""

from __future__ import annotations

import weakref

from ui.weak_callback import WeakCallback


class Owner:
    def __init__(self):
        self.calls = []

    def method(self, *args):
        self.calls.append(args)
        return len(self.calls)


def test_calls_through_while_the_object_lives_then_answers_the_default():
    owner = Owner()
    callback = WeakCallback(owner.method, "bound", default="gone")
    assert callback(1) == 1 and owner.calls == [("bound", 1)]
    ref = weakref.ref(owner)
    del owner
    assert ref() is None  # the callback did not keep it alive (no collection needed)
    assert callback(2) == "gone"


def test_the_health_views_step_axis_does_not_hold_its_view(qtbot):
    from ui.views.health_view import HealthView

    view = HealthView()
    axis = view.heat_plot.getAxis("bottom")
    assert isinstance(axis.steps_of, WeakCallback) and list(axis.steps_of()) == list(view.recorded_steps())


def test_the_loss_plots_range_anchors_and_the_diagrams_nodes_hold_weak_callbacks(qtbot):
    from playground.spec import default_experiment
    from ui.plots.loss_plot import LossPlot
    from ui.views.network_diagram import NetworkDiagram

    plot = LossPlot()
    qtbot.addWidget(plot)
    assert all(isinstance(anchor.extent, WeakCallback) for anchor in plot.range_anchors.values())
    assert plot.range_anchors[plot.loss_plot].extent(0) is None  # no data yet: no extent
    diagram = NetworkDiagram()
    qtbot.addWidget(diagram)
    diagram.set_experiment(default_experiment())
    assert diagram.nodes and all(isinstance(node._on_enter, WeakCallback) and isinstance(node._on_leave, WeakCallback)
                                 for node in diagram.nodes.values())
