"""nn-playground's headless engine: experiment specs, datasets, models, training and exports.

It never imports Qt or pyqtgraph; the desktop app in ``ui/`` and the CLI both drive it.
"""

__version__ = "0.1.0"
