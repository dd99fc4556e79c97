"""The engine's own errors: each one carries a message a user can act on."""


class PlaygroundError(Exception):
    """Base class for every error the engine raises on purpose (bad input, not bugs)."""


class SpecError(PlaygroundError):
    """An experiment spec is invalid; `path` names the field, e.g. ``layers[2].units``."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class DataError(PlaygroundError):
    """A dataset could not be generated or loaded (bad file, bad column, bad counts)."""


class ModelError(PlaygroundError):
    """The layer stack cannot be built for the data (shape mismatch, too large)."""

    def __init__(self, message: str, layer: int | None = None):
        self.layer = layer
        super().__init__(message)


class CheckpointError(PlaygroundError):
    """A weights or checkpoint file is unreadable, tampered with or does not match the model."""
