"""Test set-up shared by every test: Qt runs headless, and nothing may leave a thread running."""

import os

# Before any Qt import: no screen on CI machines.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NN_PLAYGROUND_SETTINGS", "test")
