"""The window's chrome: actions and menus, the status bar, dialogs, themes, presentation mode and lessons."""
