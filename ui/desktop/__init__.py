"""Desktop integration: the app icon, menu entry and MIME type, single instance, About and diagnostics."""
