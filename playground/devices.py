"""Which compute devices torch can see, and how a requested device falls back."""

from __future__ import annotations

import torch


def available_devices() -> list[str]:
    """Devices usable here, best first: cuda:N..., mps, cpu."""
    names = [f"cuda:{i}" if torch.cuda.device_count() > 1 else "cuda" for i in range(torch.cuda.device_count())]
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        names.append("mps")
    names.append("cpu")
    return names


def device_label(name: str) -> str:
    """A human label such as 'cuda (NVIDIA H200)'."""
    if name.startswith("cuda") and torch.cuda.is_available():
        index = int(name.split(":")[1]) if ":" in name else 0
        return f"{name} ({torch.cuda.get_device_name(index)})"
    return name


def resolve_device(requested: str) -> tuple[torch.device, str | None]:
    """The device to train on, and a notice when the request could not be met.

    "auto" picks cuda, then mps, then cpu. A device that is absent (a file saved on a GPU
    machine opened on a laptop) falls back to the CPU with a notice instead of failing.
    """
    available = available_devices()
    if requested == "auto":
        return torch.device(available[0]), None
    if requested == "cpu":
        return torch.device("cpu"), None
    if requested.startswith("cuda"):
        index = int(requested.split(":")[1]) if ":" in requested else 0
        if torch.cuda.is_available() and index < torch.cuda.device_count():
            return torch.device("cuda", index), None
    elif requested in available:
        return torch.device(requested), None
    return torch.device("cpu"), f"{requested} is not available on this machine, so training runs on the CPU"


def torch_summary() -> str:
    """torch's version and CUDA facts in one line, or why torch cannot be imported (for diagnostics)."""
    try:
        import torch

        cuda = torch.version.cuda or "none"
        return f"{torch.__version__} (CUDA build {cuda}, CUDA available: {torch.cuda.is_available()})"
    except Exception as exc:  # a broken torch install is exactly what a problem report should show
        return f"cannot import: {type(exc).__name__}: {exc}"
