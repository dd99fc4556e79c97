"""Trained state on disk: weights files, checkpoints and model export, for the CLI, the GUI and the report.

Every torch file is written by ``write_torch_file`` (``torch.save`` into memory, then an atomic
replace, so a crash never leaves half a file) and read with ``torch.load(weights_only=True)``,
which only rebuilds tensors and plain containers, so a tampered file cannot run code. Callers hand
over CPU state dicts; nothing here keeps a reference to a training model.
"""

from __future__ import annotations

import io
import os
from typing import Any, Sequence

import torch

from .errors import CheckpointError, PlaygroundError
from .files import FileRefused, atomic_write_bytes, check_regular_file, shown
from .history_codec import history_from_rows, history_rows
from .spec import Experiment, from_dict, to_dict
from .reports import Report

CHECKPOINT_FORMAT = "nn-playground-checkpoint"
MAX_WEIGHTS_BYTES = 4_000_000_000  # checked from the file size before torch reads anything


def read_torch_file(path: str | os.PathLike) -> Any:
    """``torch.load`` with ``weights_only=True``: tensors and plain containers only, never code."""
    try:  # a FIFO, device or folder is refused before torch opens it (it would hang or fail oddly)
        check_regular_file(path, MAX_WEIGHTS_BYTES, "weights file")
    except FileRefused as exc:
        raise CheckpointError(str(exc)) from None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{shown(path)}: no such file") from None
    except Exception as exc:  # torch raises many kinds for corrupt or unsafe files
        # The whole reason: torch's explanation of a refused pickle (and its warning about running
        # code) is what the user needs to decide whether to trust the file.
        text = " ".join(str(exc).split()) or type(exc).__name__  # one line, nothing cut
        raise CheckpointError(f"{shown(path)} is not a readable weights file; it may be damaged, or not made by "
                              f"nn-playground or torch.save(state_dict). {text}") from None


def write_torch_file(path: str | os.PathLike, payload: Any) -> None:
    """``torch.save`` the payload into memory, then replace ``path`` atomically (never half a file)."""
    buf = io.BytesIO()
    torch.save(payload, buf)
    atomic_write_bytes(path, buf.getvalue())


def is_state_dict(value: Any) -> bool:
    """True for a mapping of names to tensors (what a weights file must hold before it is applied)."""
    import torch

    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                           for k, v in value.items())


def state_dict_copy(model: Any) -> dict[str, Any]:
    """The model's weights as CPU tensors that later training cannot change."""
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


def cpu_tensors(state: dict[str, Any]) -> dict[str, Any]:
    """A state dict's tensors detached and on the CPU (copies only what is not there already)."""
    return {k: v.detach().cpu() for k, v in state.items()}


def cpu_copy(value: Any) -> Any:
    """Tensors cloned to the CPU through dicts, lists and tuples (an optimizer's state_dict); the rest as is."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, dict):
        return {k: cpu_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(cpu_copy(v) for v in value)
    return value


def save_state(state: dict[str, Any], path: str | os.PathLike) -> None:
    """Write a state_dict (a plain ``torch.save`` file any PyTorch script can load)."""
    write_torch_file(path, cpu_tensors(state))


def save_weights(model: Any, path: str | os.PathLike) -> None:
    """Write the model's state_dict (a plain ``torch.save`` file any PyTorch script can load)."""
    save_state(model.state_dict(), path)


def apply_state_dict(model: Any, state: Any, source: str) -> None:
    """Load a state_dict into the model, explaining any mismatch in plain words."""
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{source} does not hold a state_dict (a mapping of names to tensors)")
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    extra = [k for k in state if k not in own]
    if missing or extra:
        raise CheckpointError(f"{source} was made for a different network: missing {missing[:3]}, "
                              f"unexpected {extra[:3]}; open it with the experiment it was saved with")
    for key, value in own.items():
        if state[key].shape != value.shape:
            raise CheckpointError(f"{source} does not match this network: {key} has shape "
                                  f"{tuple(state[key].shape)} in the file but {tuple(value.shape)} here")
    model.load_state_dict(state)


def read_state_dict(path: str | os.PathLike) -> dict[str, Any]:
    """The state_dict in a weights file or in our checkpoint; CheckpointError when there is none."""
    data = read_torch_file(path)
    if isinstance(data, dict) and data.get("format") == CHECKPOINT_FORMAT:
        data = data.get("state_dict")
    if not isinstance(data, dict) or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise CheckpointError(f"{os.path.basename(path)} does not hold a state_dict (a mapping of names to tensors)")
    return data


def load_weights(model: Any, path: str | os.PathLike) -> None:
    """Load a weights file (state_dict or our checkpoint) into ``model``."""
    data = read_torch_file(path)
    if isinstance(data, dict) and data.get("format") == CHECKPOINT_FORMAT:
        data = data.get("state_dict")
    apply_state_dict(model, data, str(path))


def export_model(fmt: str, layers: Sequence[Any], input_shape: Sequence[int], state: dict[str, Any],
                 path: str | os.PathLike) -> None:
    """Build the network, load the trained ``state`` into it, and write it in export format ``fmt``.

    The GUI holds only CPU weights and the spec; this rebuilds the model for the export, so no
    training model ever leaves the worker thread.
    """
    from .model import build_model
    from .model_export import EXPORT_FORMATS

    entry = EXPORT_FORMATS.get(fmt)
    model = build_model(layers, input_shape)
    apply_state_dict(model, state, "the trained weights")
    entry.write(model, input_shape, path)


def save_checkpoint(path: str | os.PathLike, experiment: Experiment, model: Any | None,
                    history: list[Report] | tuple[Report, ...] = (), training: dict[str, Any] | None = None) -> None:
    """Write spec, optional weights, run history and training state (``Trainer.training_state()``) in one file."""
    payload: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "version": 1,
        "spec": to_dict(experiment),
        "history": history_rows(history),
    }
    if model is not None:
        payload["state_dict"] = cpu_tensors(model.state_dict())
    if training is not None:
        payload["training"] = training
    write_torch_file(path, payload)


def load_checkpoint(path: str | os.PathLike) -> tuple[Experiment, dict[str, Any] | None, list[Report]]:
    """Read a checkpoint: (experiment, state_dict or None, history)."""
    experiment, state, history, _ = load_checkpoint_with_training(path)
    return experiment, state, history


def load_checkpoint_with_training(path: str | os.PathLike
                                  ) -> tuple[Experiment, dict[str, Any] | None, list[Report], dict[str, Any] | None]:
    """Read a checkpoint: (experiment, state_dict or None, history, training state or None).

    Hand the last three to ``Trainer.restore`` to continue the run exactly where it stopped."""
    data = read_torch_file(path)
    if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path} is not an nn-playground checkpoint (it may be a plain weights file: "
                              "open the experiment, then load the weights into it)")
    try:
        experiment = from_dict(data.get("spec"))
    except PlaygroundError as exc:
        raise CheckpointError(f"{path} holds an invalid experiment: {exc}") from None
    history = list(history_from_rows(data.get("history", []), f"the run history in {path}"))
    state = data.get("state_dict")
    training = data.get("training")
    if training is not None and not isinstance(training, dict):
        raise CheckpointError(f"{shown(path)} holds a damaged training state")
    return experiment, state, history, training
