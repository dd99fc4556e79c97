"""Trained-model export for use outside nn-playground: a state_dict, TorchScript, or ONNX.

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


def export_torchscript(model: Any, input_shape: Sequence[int], path: str | os.PathLike) -> None:
    """Write a TorchScript file that runs without this code: ``torch.jit.load(path)(x)``.

    The model is traced on one zero sample; a layer stack has no data-dependent branches, so the
    trace is the whole model and works for any batch size.
    """
    frozen, example = _frozen_copy(model, input_shape)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # PyTorch 2.10+ marks TorchScript deprecated in favour of torch.export, but it still loads everywhere.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            with torch.no_grad():
                traced = torch.jit.trace(frozen, example)
            torch.jit.save(traced, buffer)
        except (AttributeError, RuntimeError) as exc:
            raise PlaygroundError(f"TorchScript export failed in this PyTorch {torch.__version__}: {exc}") from None
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
        options["dynamo"] = False  # the TorchScript-based exporter needs only onnx; dynamo also needs onnxscript
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
                   ExportFormat(".pt", lambda model, input_shape, path: export_state_dict(model, path)))
EXPORT_FORMATS.add("torchscript", "TorchScript: the network and its weights in one file; run it with torch.jit.load.",
                   ExportFormat(".torchscript.pt", export_torchscript))
EXPORT_FORMATS.add("onnx", "ONNX: for ONNX Runtime, Netron and other frameworks (needs the onnx package).",
                   ExportFormat(".onnx", export_onnx))
