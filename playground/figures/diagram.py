"""The network as a diagram: inputs, one column per layer, weights as lines (as the window's diagram).

Wide layers show their first MAX_NODES neurons and a "+k more" note; layers without neurons to draw
(convolutions, pooling, flatten, dropout, batch norm) are labelled boxes. Weights come from the
snapshot: blue positive, orange negative, thicker = larger; without a snapshot the lines are grey.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from .style import BLUE, MUTED, ORANGE, TEXT

MAX_NODES = 8
PITCH = 1.0  # vertical distance between neuron centres, in data units
RADIUS = 0.28
BOX_HEIGHT = 4.0
BOX_WIDTH = 2.4  # room for 'conv 3×3' in print-sized type
ELEMENTWISE = ("dropout", "batchnorm")  # layers the next linear layer's weights reach across
POOL_NAMES = {"maxpool2d": "max pool", "avgpool2d": "avg pool"}


def _shapes(spec: Any, dataset: Any) -> tuple[Any, list[Any]]:
    from playground.model import check_network

    if dataset is None:
        return None, [None] * len(spec.layers)
    check = check_network(spec.layers, dataset.input_shape, dataset.task, dataset.num_classes, spec.loss)
    return tuple(dataset.input_shape), [c.output_shape for c in check.layers]


def _feature_label(name: str) -> str:
    """'x1^2' → 'x₁²', from the feature registry's description, as the window labels its inputs."""
    from playground.datasets import FEATURES

    return FEATURES.description(name).split(":")[0] if name in FEATURES else name


def _box_text(layer: Any, shape: Any) -> str:
    params = layer.params()
    if layer.type == "conv2d":
        size = f"{shape[0]}@{shape[1]}×{shape[2]}" if shape is not None else f"{params['filters']} filters"
        return f"conv {params['kernel']}×{params['kernel']}\n{size}\n{layer.activation}"
    if layer.type == "flatten":
        return f"flatten\n→ {shape[0]}" if shape is not None else "flatten"
    if layer.type == "dropout":
        return f"dropout\n{params.get('p')}"
    if layer.type == "batchnorm":
        return "batch\nnorm"
    return f"{POOL_NAMES.get(layer.type, layer.type)}\n{params.get('kernel', '')}".strip()


def draw_diagram(fig: Figure, spec: Any, dataset: Any, snapshot: Any) -> None:
    """Columns of neurons (or boxes) left to right with the weights between them."""
    ax = fig.add_subplot()
    ax.set_axis_off()
    input_shape, shapes = _shapes(spec, dataset)
    columns: list[dict[str, Any]] = []  # each: layer index, units (0 for a box), label lines, box text
    if input_shape is not None and len(input_shape) == 1:
        names = [_feature_label(n) for n in dataset.feature_names]
        columns.append({"layer": -1, "units": input_shape[0], "title": "Input",
                        "names": [names[j] if j < len(names) else f"x{j + 1}" for j in range(input_shape[0])]})
    else:
        text = "image" if input_shape is None else "×".join(str(s) for s in (input_shape[1:] if input_shape[0] == 1
                                                                              else input_shape)) + "\nimage"
        columns.append({"layer": -1, "units": 0, "title": "Input", "box": text})
    for i, layer in enumerate(spec.layers):
        last = i == len(spec.layers) - 1
        title = "Output" if last else f"Layer {i + 1}"
        if layer.type == "linear":
            columns.append({"layer": i, "units": int(layer.params()["units"]), "title": title,
                            "sub": layer.activation})
        else:
            columns.append({"layer": i, "units": 0, "title": title, "box": _box_text(layer, shapes[i])})
    gap = 3.4
    for k, col in enumerate(columns):
        col["x"] = k * gap
        shown = min(col["units"], MAX_NODES)
        slots = shown + (col["units"] > shown)
        col["ys"] = [((slots - 1) / 2 - s) * PITCH for s in range(shown)]
    top = max([abs(y) + RADIUS for c in columns for y in c["ys"]] + [BOX_HEIGHT / 2]) + 0.3
    weights = _linear_weights(snapshot, len(spec.layers))
    drew_weights = False
    in_shapes = [input_shape] + shapes[:-1]
    for k, col in enumerate(columns):
        if k and col["units"] and spec.layers[col["layer"]].type == "linear":
            j = k - 1
            while j > 0 and not columns[j]["units"] and spec.layers[columns[j]["layer"]].type in ELEMENTWISE:
                j -= 1
            source = columns[j]
            fan_in = in_shapes[col["layer"]]
            if source["units"] and fan_in is not None and tuple(fan_in) == (source["units"],):
                _draw_edges(ax, source, col, weights.get(col["layer"]))
                drew_weights = drew_weights or col["layer"] in weights
                continue
        if k:
            _connect(ax, columns[k - 1], col)
    for k, col in enumerate(columns):
        _draw_column(ax, col, top, k == len(columns) - 1, dataset)
    # Equal aspect keeps neurons round; "box" shrinks the axes to the drawing instead of moving the limits.
    ax.set_xlim(-2.4, columns[-1]["x"] + 2.4)
    ax.set_ylim(-top - 0.3, top + 1.3)
    ax.set_aspect("equal", adjustable="box")
    if drew_weights:
        fig.supxlabel("Lines are weights: blue positive, orange negative, thicker = larger.", fontsize="small",
                      color=MUTED)


def _linear_weights(snapshot: Any, n: int) -> dict[int, np.ndarray]:
    if snapshot is None:
        return {}
    return {i: s.weight for i, s in enumerate(snapshot.layers[:n]) if s.type == "linear" and s.weight is not None}


def _draw_edges(ax: Any, source: dict, target: dict, weight: np.ndarray | None) -> None:
    ys_in, ys_out = source["ys"], target["ys"]
    scale = float(np.nanmax(np.abs(weight))) if weight is not None and np.isfinite(weight).any() else 0.0
    for d, y1 in enumerate(ys_out):
        for s, y0 in enumerate(ys_in):
            if weight is None or not scale:
                color, width = "#AAAAAA", 0.6
            else:
                w = float(weight[d, s]) if np.isfinite(weight[d, s]) else 0.0
                color, width = (BLUE if w >= 0 else ORANGE), 0.3 + 2.7 * abs(w) / scale
            ax.plot([source["x"] + RADIUS, target["x"] - RADIUS], [y0, y1], color=color, linewidth=width,
                    solid_capstyle="round", zorder=1)


def _connect(ax: Any, a: dict, b: dict) -> None:
    """Grey lines where data flows without weights to draw (into, out of and between boxes)."""
    starts = a["ys"] or [0.0]
    ends = b["ys"] or [0.0]
    xa = a["x"] + (RADIUS if a["units"] else BOX_WIDTH / 2)
    xb = b["x"] - (RADIUS if b["units"] else BOX_WIDTH / 2)
    for y0 in starts:
        for y1 in ends:
            ax.plot([xa, xb], [y0, y1], color="#999999", linewidth=0.8, zorder=1)


def _draw_column(ax: Any, col: dict, top: float, last: bool, dataset: Any) -> None:
    x = col["x"]
    ax.text(x, top + 0.75, col["title"], ha="center", va="bottom", fontweight="bold")
    if col.get("sub"):
        ax.text(x, top + 0.2, f"{col['units']} {col['sub']}", ha="center", va="bottom", fontsize="small",
                color=MUTED)
    if not col["units"]:
        ax.add_patch(FancyBboxPatch((x - BOX_WIDTH / 2, -BOX_HEIGHT / 2), BOX_WIDTH, BOX_HEIGHT, boxstyle="round,pad=0.05",
                                    facecolor="#EEF3F8", edgecolor="#555555", linewidth=0.8, zorder=2))
        ax.text(x, 0, col["box"], ha="center", va="center", fontsize="small", zorder=3)
        return
    for y in col["ys"]:
        ax.add_patch(Circle((x, y), RADIUS, facecolor="white", edgecolor="#333333", linewidth=1.0, zorder=2))
    hidden = col["units"] - len(col["ys"])
    if hidden > 0:
        ax.text(x, col["ys"][-1] - PITCH, f"+{hidden} more", ha="center", va="center", fontsize="small",
                style="italic", color=MUTED)
    if col["layer"] < 0:
        for name, y in zip(col["names"], col["ys"]):
            ax.text(x - RADIUS - 0.15, y, name, ha="right", va="center", fontsize="small")
    elif last and dataset is not None:
        names = (dataset.class_names if dataset.task != "regression" else ("value",))
        if len(names) == col["units"]:
            for name, y in zip(names, col["ys"]):
                ax.text(x + RADIUS + 0.15, y, name, ha="left", va="center", fontsize="small", color=TEXT)
