"""nn-playground's Qt front end. Where things live:

- ``app.py`` (the ``nn-playground`` command) and ``main_window.py`` (a coordinator that wires the rest);
- ``session/``: the open document (``Session``), file commands, autosave, undo of edits;
- ``run/``: the training worker and its thread (``TrainingRunner``), the Train controls, the runs archive;
- ``editors/``: the data, network and training panels that edit the spec;
- ``plots/`` and ``views/``: the curves, and the views over them (network, boundary, images, health, explain);
- ``export/``: figures, the model-export menu, reports and headless screenshots;
- ``code_view.py`` and ``registry_combo.py``: the code window, and combo boxes filled from the engine's registries;
- ``chrome/``: actions and menus, the status bar, dialogs, themes, presentation mode and lessons.

``ui`` imports no torch (a test reads every module's imports); weights reach it as CPU data from the engine.
"""
