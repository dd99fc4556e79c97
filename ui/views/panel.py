"""The views above the curves: network and boundary, image views, health, with the timeline under them.

It routes each snapshot to the views, keeps tabs that do not fit the data hidden, and only
draws the visible tab (hidden views catch up when shown), so hidden views cost nothing.
The views behind the other tabs are built the first time their tab is shown (LazyPage), with the
data, experiment and theme in use then: the window paints sooner. Health records every snapshot
into its HealthHistory from the start, built or not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QSizePolicy, QSplitter, QTabWidget, QVBoxLayout, QWidget

from ui.chrome.theme import current_theme, current_theme_name, restyle_plots

from .applies import has_gates, is_classification, is_image_classification, is_sequence, is_series_regression, \
    recurrent_layers
from .boundary_view import BoundaryView
from .explain_view import ExplainView
from .health_history import HealthHistory
from .lazy_page import LazyPage
from .network_diagram import NetworkDiagram
from .neuron_controls import NeuronControls
from .timeline import Timeline

if TYPE_CHECKING:  # imported when their tab is first shown
    from .forecast_view import ForecastView
    from .health_view import HealthView
    from .image_views import ConfusionMatrixView, ImageViews
    from .sequence_views import GateView, HiddenStateView


DIAGRAM_MIN_SIZE = (240, 200)


class ViewsPanel(QWidget):
    """Tabs of snapshot views plus the timeline scrubber."""

    spec_edited = Signal(object)  # a new Experiment from the diagram's + and − buttons
    visibility_changed = Signal(bool)  # whether any snapshot view is showing (the runner skips snapshots if not)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("views_panel")
        self.diagram = NetworkDiagram()
        self.boundary = BoundaryView()
        self.explain = ExplainView()
        self.timeline = Timeline()
        self._latest: Any = None
        self._experiment: Any = None
        self._dataset: Any = None
        self.health_history = HealthHistory()  # recorded whether or not the health view exists yet
        # The other views are built when their tab is first shown: the window paints without them.
        self._images = LazyPage("image_views.ImageViews", self._prepare)
        self._confusion = LazyPage("image_views.ConfusionMatrixView", self._prepare)
        self._hidden_state = LazyPage("sequence_views.HiddenStateView", self._prepare)
        self._gates = LazyPage("sequence_views.GateView", self._prepare)
        self._forecast = LazyPage("forecast_view.ForecastView", self._prepare)
        self._health = LazyPage("health_view.HealthView", self._prepare, self.health_history)
        self._lazy = (self._images, self._confusion, self._hidden_state, self._gates, self._forecast, self._health)
        # On a 1280x720 projector the diagram shares ~900 px with the boundary: let both shrink.
        self.diagram.setMinimumSize(DIAGRAM_MIN_SIZE[0], DIAGRAM_MIN_SIZE[1])
        playground = QSplitter(Qt.Orientation.Horizontal)
        playground.setObjectName("network_and_boundary")
        # The diagram with its + and − strip: the pair moves between the 2-D page and the diagram-only page.
        self.neuron_controls = NeuronControls()
        self.neuron_controls.edited.connect(self.spec_edited)
        self.diagram_box = QWidget()
        self.diagram_box.setObjectName("diagram_box")
        box = QVBoxLayout(self.diagram_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.neuron_controls)
        box.addWidget(self.diagram, 1)
        playground.addWidget(self.diagram_box)
        playground.addWidget(self.boundary)
        playground.setSizes([420, 580])  # the boundary is the main attraction
        self.tabs = QTabWidget()
        self.tabs.setObjectName("view_tabs")
        self.tabs.setDocumentMode(True)
        # (tab widget, title, views it holds, drawn on snapshots); a LazyPage's view is built when shown
        self._tabs = [
            (playground, "Network && boundary", (self.diagram, self.boundary)),
            (self.diagram_only_page(), "Network", (self.diagram,)),
            (self._images, "Images", ()),
            (self._confusion, "Confusion matrix", ()),
            (self._hidden_state, "Hidden state", ()),
            (self._gates, "Gates", ()),
            (self._forecast, "Prediction vs target", ()),
            (self._health, "Training health", ()),
            (self.explain, "Explain a step", ()),
        ]
        for page, title, _ in self._tabs:
            self.tabs.addTab(page, title)
        # Shrinkable below its layout's minimum: with presentation fonts the curves under it need the room.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.timeline)
        self._kind = "none"  # the kind of data shown: "2d", "images", "other" or "none"
        self._pending_health: Any = None
        self._shown: dict[int, Any] = {}  # tab index -> snapshot it last drew
        self.timeline.snapshot_selected.connect(self._show)
        self.tabs.currentChanged.connect(self._on_tab)
        self.diagram.neuron_hovered.connect(self.boundary.show_neuron)
        self.diagram.neuron_unhovered.connect(self.boundary.show_output)
        self.explain.layer_highlighted.connect(self.diagram.highlight_layer)

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.visibility_changed.emit(True)

    def hideEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().hideEvent(event)
        self.visibility_changed.emit(False)

    def diagram_only_page(self) -> QWidget:
        # The diagram can only live in one place; for image data it gets its own tab.
        self._diagram_page = QWidget()
        QVBoxLayout(self._diagram_page).setContentsMargins(0, 0, 0, 0)
        return self._diagram_page

    # ----------------------------------------------------------------- views built on demand

    @property
    def images(self) -> ImageViews:
        """The image views (built now if their tab has not been shown)."""
        return self._images.view()

    @property
    def confusion(self) -> ConfusionMatrixView:
        return self._confusion.view()

    @property
    def hidden_state(self) -> HiddenStateView:
        return self._hidden_state.view()

    @property
    def gates(self) -> GateView:
        return self._gates.view()

    @property
    def forecast(self) -> ForecastView:
        return self._forecast.view()

    @property
    def health(self) -> HealthView:
        """The health view (built now if its tab has not been shown); its record is ``health_history``."""
        return self._health.view()

    def is_built(self, view: str) -> bool:
        """Whether the view named like its property ("health", "images", ...) exists yet."""
        return getattr(self, f"_{view}").built

    def _prepare(self, page: LazyPage, view: Any) -> None:
        """Bring a view built just now to the state the panel is in: data, experiment, theme, deferral.

        The snapshot follows from _draw_current (nothing is recorded as drawn on a tab before its view exists).
        """
        if page is self._health:
            view.set_deferred(self.tabs.currentWidget() is not page)  # draws the history when shown
        else:
            if self._experiment is not None and hasattr(view, "set_experiment"):
                view.set_experiment(self._experiment)
            if self._dataset is not None:
                view.set_dataset(self._dataset)
        if current_theme_name() is not None:  # a theme was applied to the views built with the window
            restyle_plots(view, current_theme())

    def _snapshot_views(self, index: int) -> tuple[Any, ...]:
        """The views of tab ``index`` that draw the selected snapshot (health draws its history instead)."""
        page, _, views = self._tabs[index]
        if page is self._health:
            return ()
        return page.built_views() if isinstance(page, LazyPage) else views

    def _applies(self, page: LazyPage) -> bool:
        """Whether the tab of a view not built yet (or built) is for the data and network in use."""
        dataset, experiment = self._dataset, self._experiment
        if dataset is None:
            return False
        if page is self._images:
            return is_image_classification(dataset)
        if page is self._confusion:  # image data has its confusion matrix among the image views
            return is_classification(dataset) and not is_image_classification(dataset)
        if page is self._hidden_state:
            return is_sequence(dataset) and bool(recurrent_layers(experiment))
        if page is self._gates:
            return is_sequence(dataset) and has_gates(experiment)
        if page is self._forecast:
            return is_series_regression(dataset)
        return True  # health

    def _refresh_health(self) -> None:
        for view in self._health.built_views():
            view.refresh()

    # ----------------------------------------------------------------- data and spec

    def set_experiment(self, experiment: Any) -> None:
        self.diagram.set_experiment(experiment)
        self.neuron_controls.set_experiment(experiment)
        self._experiment = experiment
        for page in (self._hidden_state, self._gates):
            for view in page.built_views():
                view.set_experiment(experiment)
        self._show_recurrent_tabs()

    def _show_recurrent_tabs(self) -> None:
        """The hidden-state and gate tabs need sequence data and a network with a (gated) recurrent layer."""
        for page in (self._hidden_state, self._gates):
            self.tabs.setTabVisible(self.tabs.indexOf(page), self._applies(page))

    def set_check(self, check: Any, layers: Any) -> None:
        """The session's shape check of ``layers``: the diagram reuses it instead of checking again."""
        self.diagram.set_check(check, layers)

    def set_dataset(self, dataset: Any) -> None:
        two_d = dataset is not None and BoundaryView.applies_to(dataset)
        # For 2-D data the diagram sits beside the boundary; otherwise on a tab of its own.
        playground, diagram_page = self._tabs[0][0], self._diagram_page
        if two_d:
            playground.insertWidget(0, self.diagram_box)
        else:
            diagram_page.layout().addWidget(self.diagram_box)
        self._dataset = dataset  # before the tabs change: a view built when Qt shows another tab gets this data
        for view in (self.diagram, self.boundary, self.explain):
            view.set_dataset(dataset)
        for page in self._lazy:
            for view in page.built_views():
                if page is not self._health:
                    view.set_dataset(dataset)
        for index, (page, _, views) in enumerate(self._tabs):
            if index == 0:
                visible = two_d
            elif index == 1:
                visible = dataset is not None and not two_d
            elif page is self.explain:
                visible = True
            else:
                visible = self._applies(page)
            self.tabs.setTabVisible(index, visible)
        self._show_recurrent_tabs()
        self._show_main_tab(dataset, two_d)
        self.clear()

    def _show_main_tab(self, dataset: Any, two_d: bool) -> None:
        """After new data of another kind (or a lesson), show the tab with the most to show for it.

        Hiding the current tab lets Qt pick a neighbour (the empty Explain tab, or Training health);
        a change of noise or seed within the same kind of data leaves the user's choice alone.
        """
        images = is_image_classification(dataset)
        kind = "none" if dataset is None else "2d" if two_d else "images" if images else "other"
        if kind == self._kind and self.tabs.isTabVisible(self.tabs.currentIndex()):
            return
        self._kind = kind
        self.show_main_view()

    def show_main_view(self) -> None:
        """Show the main tab for the data in use: the boundary for 2-D data, the image views, else the diagram."""
        main = {"2d": 0, "images": 2, "other": 1}.get(self._kind)
        if main is not None and self.tabs.isTabVisible(main):
            self.tabs.setCurrentIndex(main)

    def clear(self) -> None:
        self._pending_health = None
        self.timeline.clear()
        self.health_history.clear()
        self._refresh_health()
        self._latest = None
        self._shown.clear()
        self.explain.set_explanation(None)
        for view in (self.diagram, self.boundary):
            view.set_snapshot(None)
        for page in self._lazy:
            if page is not self._health:
                for view in page.built_views():
                    view.set_snapshot(None)

    # ----------------------------------------------------------------- snapshots

    @Slot(object)
    def add_snapshot(self, snapshot: Any) -> None:
        """A new snapshot from the run: health records every one; the timeline decides what is shown."""
        self.timeline.add(snapshot)
        # Recorded in a separate event, so no single slot holds the GUI thread for the whole update.
        self._pending_health = snapshot
        QTimer.singleShot(0, self._record_health)

    @Slot()
    def _record_health(self) -> None:
        snapshot, self._pending_health = self._pending_health, None
        if snapshot is not None:
            self.health_history.record(snapshot)
            self._refresh_health()

    @Slot(object)
    def _show(self, snapshot: Any) -> None:
        self._latest = snapshot
        if not self.timeline.is_live:
            self.health_history.mark(snapshot)
            self._refresh_health()
        self._draw_current()

    def _draw_current(self) -> None:
        index = self.tabs.currentIndex()
        if index < 0 or index >= len(self._tabs):  # a tab the window added (Runs): it draws itself
            return
        page = self._tabs[index][0]
        if isinstance(page, LazyPage):
            page.view()  # the tab is shown: its view is built now if it was not
        if self._latest is None or self._shown.get(index) is self._latest:
            return
        self._shown[index] = self._latest
        for view in self._snapshot_views(index):
            view.set_snapshot(self._latest)

    @Slot(int)
    def _on_tab(self, _: int) -> None:
        self._draw_current()
        for view in self._health.built_views():
            view.set_deferred(self.tabs.currentWidget() is not self._health)

    def select_view(self, key: str) -> bool:
        """Show the tab whose title contains ``key`` (case-insensitive), e.g. "images" or "health"."""
        for index in range(self.tabs.count()):
            if key.lower() in self.tabs.tabText(index).lower().replace("&&", "&") and self.tabs.isTabVisible(index):
                self.tabs.setCurrentIndex(index)
                return True
        return False

    @Slot(object)
    def show_explanation(self, explanation: Any) -> None:
        self.tabs.setCurrentWidget(self.explain)
        self.explain.set_explanation(explanation)

    def draw_all(self) -> None:
        """Draw the latest snapshot in every view, visible or not (before exporting figures); builds them all."""
        if self._latest is None:
            return
        for index, (page, _, _) in enumerate(self._tabs):
            if isinstance(page, LazyPage):
                page.view()
            self._shown[index] = self._latest
            for view in self._snapshot_views(index):
                view.set_snapshot(self._latest)

    def figure_targets(self, dataset: Any) -> dict[str, Any]:
        """Plot items worth exporting for this data, by file stem: the boundary or the confusion matrix."""
        targets: dict[str, Any] = {}
        if dataset is not None and BoundaryView.applies_to(dataset):
            targets["boundary"] = self.boundary.graphics  # with its colour bar and class legend
        if is_image_classification(dataset):
            targets["confusion"] = self.images.confusion.plot
        elif is_classification(dataset):
            targets["confusion"] = self.confusion.plot
        return targets
