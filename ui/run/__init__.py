"""The training run: its worker thread, the runner the window talks to, and the archive of past runs."""
