"""The open document (``Session``) and what saves, restores and undoes it."""
