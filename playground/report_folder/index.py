"""The report's ``index.html``: the run in a table, every figure with its PNG, SVG and PDF, and every file.

Every user string (experiment name, description, layer names, file names, messages) goes through
``html.escape``: an experiment called ``<script>`` is shown, never run.
"""

from __future__ import annotations

import html
import json
from typing import Any, Sequence

from playground.figures import FIGURE_KINDS

from .contents import FIGURES, ReportContents
from .placement import GENERATOR_TAG

FILE_NOTES = {
    "metrics.csv": "every reported point of the run",
    "model.pt": "the trained weights (state_dict): model.load_state_dict(torch.load('model.pt'))",
    "model.pt2": "the trained network as a torch.export program: torch.export.load('model.pt2').module()",
    "train_pytorch.py": "reproduces this run on its own: python train_pytorch.py",
    "model_keras.py": "the same experiment written with Keras, to read and compare",
    "experiment.json": "the experiment: open it in nn-playground or run python -m playground train experiment.json",
    "provenance.json": "seed, device, final metrics, package versions, nn-playground version and commit",
    "window.png": "the window after training",
}


def metric_rows(spec: Any, history: Sequence[Any], device: str) -> list[tuple[str, str]]:
    """(label, plain text) rows describing the run; the caller escapes them."""
    from playground.metrics import last_epoch_report

    last = last_epoch_report(history)
    final = history[-1] if history else None
    rows = [("Dataset", spec.data.dataset), ("Layers", " → ".join(_layer_text(layer) for layer in spec.layers)),
            ("Loss / optimizer", f"{spec.loss} / {spec.optimizer.name}, learning rate {spec.optimizer.lr:g}"),
            ("Batch size / epochs", f"{spec.batch_size} / {spec.epochs}"), ("Seed", str(spec.seed)),
            ("Device", device)]
    if final is not None:
        rows.append(("Steps trained", f"{final.step:,} in {final.seconds:.1f} s"))
        rows.append(("Final train loss", f"{final.train_loss:.4g}"))
        if final.status == "diverged":
            rows.append(("Status", final.message))
    if last is not None and last.test_loss is not None:
        rows.append(("Final test loss", f"{last.test_loss:.4g}"))
    if last is not None and last.test_accuracy is not None:
        rows.append(("Final test accuracy", f"{last.test_accuracy:.1%}"))
    return rows


def _layer_text(layer: Any) -> str:
    params = ", ".join(f"{v}" for v in layer.params().values() if v is not None)
    act = "" if layer.activation == "linear" else f" {layer.activation}"
    return f"{layer.type}({params}){act}" if params else f"{layer.type}{act}"


def figure_html(kind: str) -> str:
    """One figure: the PNG shown, captioned with its title, description and links to all three formats."""
    esc = html.escape
    entry = FIGURE_KINDS.entry(kind)
    title, base = entry.value.title, f"{FIGURES}/{kind}"
    links = " · ".join(f'<a href="{esc(base)}.{fmt}">{fmt.upper()}</a>' for fmt in ("png", "svg", "pdf"))
    return (f'<figure id="{esc(kind)}"><img src="{esc(base)}.png" alt="{esc(title)}">'
            f"<figcaption><b>{esc(title)}</b>: {esc(entry.description)} {links} · "
            f'<a href="{esc(base)}.png.json">provenance</a></figcaption></figure>')


def index_html(spec: Any, history: Sequence[Any], device: str, contents: ReportContents,
               extra_files: Sequence[str] = ()) -> str:
    """A self-contained page showing every figure and linking every file."""
    esc = html.escape
    rows = "\n".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in metric_rows(spec, history, device))
    figures = "\n".join(figure_html(kind) for kind in contents.figures) or "<p>No figure: the run has no history.</p>"
    names = list(contents.files) + [n for n in extra_files if n not in contents.files]
    files = "\n".join(f'<li><a href="{esc(name)}">{esc(name)}</a>'
                      f"{' — ' + esc(FILE_NOTES[name]) if name in FILE_NOTES else ''}</li>" for name in names)
    if contents.data.copied:
        files += f'\n<li><a href="{esc(contents.data.copied)}">{esc(contents.data.copied)}</a> — the data</li>'
    notes = "".join(f"<li>{esc(note)}</li>" for note in contents.notes)
    window = ('<h2>The app</h2>\n<figure><img src="window.png" alt="nn-playground window">'
              "<figcaption>The window after training.</figcaption></figure>" if "window.png" in extra_files else "")
    description = f"<p>{esc(spec.description)}</p>" if spec.description else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{GENERATOR_TAG}<title>{esc(spec.name)} — nn-playground report</title>
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
<p>Each figure is here as PNG (300 DPI by default), SVG and PDF (vector, real text), with its provenance
beside it (<code>&lt;figure&gt;.json</code>: the experiment, seed, device, final metrics and versions).</p>
{figures}
{window}
<h2>Files</h2>
<ul>
{files}
</ul>
<p>{esc(contents.data.note)}</p>
{f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""}
<h2>Experiment</h2>
<pre>{esc(json.dumps(spec.to_dict(), indent=2, ensure_ascii=False))}</pre>
</body></html>
"""
