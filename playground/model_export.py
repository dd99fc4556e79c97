"""Trained-model export for use outside nn-playground: a state_dict, a torch.export program (.pt2), or ONNX.

TorchScript is gone: torch 2.14 deprecates ``torch.jit.trace`` and ``torch.jit.load`` with a FutureWarning
("Please switch to torch.export"); ``torch.export`` is its successor and loads with ``torch.export.load``.

``EXPORT_FORMATS`` lists them for the GUI's export menu. Each writer takes
``(model, input_shape, path)``, works on a CPU copy of the model in eval mode (the caller's
model is left as it was), and writes atomically, so a failed export never leaves half a file.
"""

from __future__ import annotations

import copy
import inspect
import io
import os
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import torch

from .checkpoint import save_weights
from .errors import PlaygroundError
from .files import atomic_write_bytes
from .registry import Registry

ONNX_MISSING = "ONNX export needs the optional onnx package: pip install 'nn-playground[onnx]'"


def export_state_dict(model: Any, path: str | os.PathLike) -> None:
    """Write the weights as a plain state_dict; load with ``model.load_state_dict(torch.load(path))``."""
    save_weights(model, path)


def _frozen_copy(model: Any, input_shape: Sequence[int]) -> tuple[Any, torch.Tensor]:
    """A CPU copy of the model in eval mode (dropout off, batchnorm on its running statistics) and a dummy batch."""
    frozen = copy.deepcopy(model).cpu().eval()
    return frozen, torch.zeros(1, *(int(d) for d in input_shape))


def export_program(model: Any, input_shape: Sequence[int], path: str | os.PathLike) -> None:
    """Write a torch.export program (.pt2) that runs without this code, for any batch size:
    ``torch.export.load(path).module()(x)``.

    The batch dimension is dynamic; the example batch has two samples because torch.export
    specializes a size of 1 to a constant.
    """
    frozen, _ = _frozen_copy(model, input_shape)
    example = torch.zeros(2, *(int(d) for d in input_shape))
    buffer = io.BytesIO()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # nn.RNN/LSTM/GRU re-point their cached weight list (_flat_weights) in forward; torch.export puts
            # the module back after tracing and only warns about it (pytorch PR 163809): nothing for the user.
            warnings.filterwarnings("ignore", message="The tensor attributes .*_flat_weights", category=UserWarning)
            program = torch.export.export(frozen, (example,), dynamic_shapes=({0: torch.export.Dim("batch")},))
        torch.export.save(program, buffer)
    except Exception as exc:  # the exporter raises many kinds; the user needs the reason, not a traceback
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PlaygroundError(f"torch.export failed in this PyTorch {torch.__version__}: {reason}") from None
    atomic_write_bytes(path, buffer.getvalue())


def export_onnx(model: Any, input_shape: Sequence[int], path: str | os.PathLike) -> None:
    """Write an ONNX file (for ONNX Runtime, Netron, other frameworks) with a variable batch size."""
    try:
        import onnx  # noqa: F401  (torch's exporter needs it; checked first for a clear message)
    except ImportError:
        raise PlaygroundError(ONNX_MISSING) from None
    frozen, example = _frozen_copy(model, input_shape)
    buffer = io.BytesIO()
    options: dict[str, Any] = {"input_names": ["input"], "output_names": ["output"],
                               "dynamic_axes": {"input": {0: "batch"}, "output": {0: "batch"}}}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        # The TorchScript-based exporter needs only onnx (dynamo also needs onnxscript). torch 2.14 marks it
        # deprecated, and warns that a recurrent layer with a variable batch "can cause an error"; measured
        # with ONNX Runtime, LSTM, GRU and RNN nets give PyTorch's outputs (to 1e-7) at batch 1 and 5.
        options["dynamo"] = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(frozen, (example,), buffer, **options)
    except Exception as exc:  # the exporter raises many kinds; the user needs the reason, not a traceback
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PlaygroundError(f"ONNX export failed: {reason}") from None
    atomic_write_bytes(path, buffer.getvalue())


@dataclass(frozen=True)
class ExportFormat:
    """One model export: its file suffix and ``write(model, input_shape, path)``."""

    suffix: str
    write: Callable[[Any, Sequence[int], "str | os.PathLike"], None]


EXPORT_FORMATS: Registry[ExportFormat] = Registry("export format")
EXPORT_FORMATS.add("state_dict", "PyTorch weights (state_dict): load into the same network with load_state_dict.",
                   ExportFormat(".pt", lambda model, input_shape, path: export_state_dict(model, path)),
                   label="PyTorch weights (state_dict, .pt)…")
EXPORT_FORMATS.add("torch_export", "torch.export program (.pt2): the network and its weights in one file; "
                   "run it with torch.export.load(path).module().", ExportFormat(".pt2", export_program),
                   label="torch.export program (.pt2)…")
EXPORT_FORMATS.add("onnx", "ONNX: for ONNX Runtime, Netron and other frameworks (needs the onnx package).",
                   ExportFormat(".onnx", export_onnx), label="ONNX (.onnx)…")
