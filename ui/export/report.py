"""``nn-playground report EXP.json --out DIR``: train headless, then write a report you could hand in.

The real window trains offscreen, so the figures are exactly what the app shows: loss and accuracy
(PNG and SVG), the decision boundary or confusion matrix, a window screenshot, the metrics CSV, the
trained weights, the generated PyTorch and Keras code, and an ``index.html`` tying them together.
Every figure gets a provenance sidecar (spec, seed, versions, device).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from playground.errors import PlaygroundError
from playground.files import atomic_write_text
from ui.session.document import Session

FIGURE_SIZE = (1200, 700)  # pixels at 150 DPI: 8 × 4.7 inches, a page-wide figure
SQUARE_SIZE = (900, 900)  # the boundary and the confusion matrix are square plots


def write_report(session: Session, figures: dict[str, Any], window: QWidget, out: Path) -> list[Path]:
    """Write every report file for the session's finished run into ``out``; returns the files written.

    ``figures`` maps file stems to plot items (the export controller's ``figures()``); ``window`` is
    captured as ``window.png``.
    """
    from playground.checkpoint import save_state
    from playground.codegen import keras_script, pytorch_script
    from playground.metrics import last_epoch_report, write_metrics_csv

    from .figures import export_plot, export_widget_png
    from .provenance import write_provenance

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    spec, history, ds, device = session.spec, session.history, session.dataset, session.device
    for stem, target in figures.items():
        for suffix in (".png", ".svg"):
            width, height = SQUARE_SIZE if stem in ("boundary", "confusion") else FIGURE_SIZE
            path = export_plot(target, out / f"{stem}{suffix}", width=width, height=height, dpi=150)
            written += [path, write_provenance(path, spec, device=device, history_len=len(history))]
    written.append(export_widget_png(window, out / "window.png"))
    metrics = out / "metrics.csv"
    write_metrics_csv(history, metrics)
    written.append(metrics)
    state = session.latest_weights()
    if state is not None:
        save_state(state, out / "model.pt")
        written.append(out / "model.pt")
    for name, make in (("train_pytorch.py", pytorch_script), ("model_keras.py", keras_script)):
        try:
            atomic_write_text(out / name, make(spec, ds))
            written.append(out / name)
        except PlaygroundError as exc:  # e.g. a network the trainer refused: the report says so
            atomic_write_text(out / name, f"# Code could not be generated: {exc}\n")
    atomic_write_text(out / "experiment.json", spec.to_json())
    written.append(out / "experiment.json")
    index = out / "index.html"
    atomic_write_text(index, index_html(spec, history, last_epoch_report(history), device, figures, written, out))
    written.append(index)
    return written


def _metric_rows(spec: Any, history: list, last: Any, device: str) -> list[tuple[str, str]]:
    final = history[-1] if history else None
    rows = [("Dataset", spec.data.dataset), ("Layers", " → ".join(_layer_text(l) for l in spec.layers)),
            ("Loss / optimizer", f"{spec.loss} / {spec.optimizer.name}, learning rate {spec.optimizer.lr:g}"),
            ("Batch size / epochs", f"{spec.batch_size} / {spec.epochs}"), ("Seed", str(spec.seed)),
            ("Device", device)]
    if final is not None:
        rows.append(("Steps trained", f"{final.step:,} in {final.seconds:.1f} s"))
        rows.append(("Final train loss", f"{final.train_loss:.4g}"))
        if final.status == "diverged":
            rows.append(("Status", html.escape(final.message)))
    if last is not None and last.test_loss is not None:
        rows.append(("Final test loss", f"{last.test_loss:.4g}"))
    if last is not None and last.test_accuracy is not None:
        rows.append(("Final test accuracy", f"{last.test_accuracy:.1%}"))
    return rows


def _layer_text(layer: Any) -> str:
    params = ", ".join(f"{v}" for v in layer.params().values() if v is not None)
    act = "" if layer.activation == "linear" else f" {layer.activation}"
    return f"{layer.type}({params}){act}" if params else f"{layer.type}{act}"


def index_html(spec: Any, history: list, last: Any, device: str, figures: dict, written: list[Path],
               out: Path) -> str:
    """A self-contained page showing every figure and linking every file."""
    esc = html.escape
    rows = "\n".join(f"<tr><th>{esc(k)}</th><td>{v if k == 'Status' else esc(v)}</td></tr>"
                     for k, v in _metric_rows(spec, history, last, device))
    titles = {"loss": "Loss", "accuracy": "Accuracy", "boundary": "Decision boundary", "confusion": "Confusion matrix"}
    figs = "\n".join(
        f'<figure><img src="{stem}.png" alt="{esc(titles.get(stem, stem))}"><figcaption>{esc(titles.get(stem, stem))}'
        f' — <a href="{stem}.svg">SVG</a> · <a href="{stem}.png">PNG</a> · <a href="{stem}.png.json">provenance</a>'
        f'</figcaption></figure>' for stem in figures)
    files = "\n".join(f'<li><a href="{esc(p.name)}">{esc(p.name)}</a></li>'
                      for p in written if p.parent == out and not p.name.endswith(".json") or p.name == "experiment.json")
    description = f"<p>{esc(spec.description)}</p>" if spec.description else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(spec.name)} — nn-playground report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; line-height: 1.45; }}
h1 {{ font-size: 1.8em; margin-bottom: 0.2em; }} table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ text-align: left; padding: 4px 14px 4px 0; border-bottom: 1px solid #ddd; vertical-align: top; }}
figure {{ margin: 1.5em 0; }} img {{ max-width: 100%; border: 1px solid #ddd; }}
figcaption {{ color: #555; font-size: 0.95em; }} pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; }}
</style></head><body>
<h1>{esc(spec.name)}</h1>
{description}
<table>{rows}</table>
<h2>Figures</h2>
{figs}
<h2>The app</h2>
<figure><img src="window.png" alt="nn-playground window"><figcaption>The window after training.</figcaption></figure>
<h2>Files</h2>
<ul>
{files}
</ul>
<p><code>train_pytorch.py</code> reproduces this run on its own (<code>python train_pytorch.py</code>);
<code>model.pt</code> is the trained <code>state_dict</code>; <code>metrics.csv</code> holds every reported point.</p>
<h2>Experiment</h2>
<pre>{esc(json.dumps(spec.to_dict(), indent=2, ensure_ascii=False))}</pre>
</body></html>
"""
