"""``nn-playground``: start the desktop app, or take a headless screenshot of it.

The window is shown before torch is imported, so it paints in well under a second.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # annotations only: the window module imports Qt, which waits until after argument parsing
    from .main_window import MainWindow

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nn-playground", description="A desktop neural-network playground.")
    parser.add_argument("experiment", nargs="?", help="experiment JSON file to open (default: the built-in one)")
    parser.add_argument("--train-epochs", type=int, default=0, metavar="N",
                        help="train N epochs before the screenshot (with --screenshot)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="open the window offscreen, optionally train, save a PNG of the window, and exit")
    parser.add_argument("--size", default="1500x940", metavar="WxH", help="window size for --screenshot")
    parser.add_argument("--view", metavar="NAME", help="with --screenshot: show this view tab (boundary, images, "
                                                       "health, explain, runs)")
    return parser


def build_report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nn-playground report",
                                     description="Train an experiment headless and write a report folder with "
                                                 "figures, metrics, the model, code and an index.html.")
    parser.add_argument("experiment", help="experiment JSON file")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the report into")
    parser.add_argument("--epochs", type=int, help="override the number of epochs")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("train", "example"):
        from playground.cli import main as engine_main

        return engine_main(argv)
    report = bool(argv) and argv[0] == "report"
    if report:
        rargs = build_report_parser().parse_args(argv[1:])
        args = argparse.Namespace(experiment=rargs.experiment, screenshot=None, size="1500x940",
                                  train_epochs=rargs.epochs, view=None)
    else:
        args = build_parser().parse_args(argv)
    if args.screenshot or report:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from playground.errors import PlaygroundError
    from playground.spec import load

    experiment = None
    if args.experiment:
        try:
            experiment = load(args.experiment)
        except PlaygroundError as exc:
            print(f"nn-playground: error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("nn-playground")
    QCoreApplication.setApplicationName("nn-playground")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from .main_window import MainWindow

    # A screenshot shows the default layout, whatever the user's saved window state is.
    window = MainWindow(experiment, args.experiment, restore_settings=not args.screenshot)
    if args.screenshot or report:
        from .export.headless import HeadlessSession, save_screenshot

        width, height = (int(v) for v in args.size.lower().split("x"))
        window.resize(width, height)
        if report:
            epochs = args.train_epochs if args.train_epochs is not None else window.session.spec.epochs
            capture = lambda: _report(window, rargs.out)  # noqa: E731 (runs on the GUI thread)
        else:
            epochs = args.train_epochs
            if args.view and not window.views_panel.select_view(args.view):
                print(f"nn-playground: no view called {args.view!r} for this data", file=sys.stderr)
            capture = lambda: save_screenshot(window, args.screenshot)  # noqa: E731
        session = HeadlessSession(window, epochs, capture)
        window.show()
        QTimer.singleShot(0, session.start)
        app.exec()
        return session.exit_code
    window.show()
    app.processEvents()  # paint the window now: finish_startup imports torch, about a second
    QTimer.singleShot(0, window.finish_startup)
    QTimer.singleShot(0, window.files.offer_restore)
    return app.exec()


def _report(window: "MainWindow", out: str) -> int:
    from pathlib import Path

    from playground.errors import PlaygroundError

    from .export.report import write_report

    try:
        files = write_report(window.session, window.exports.figures(), window, Path(out))
    except (PlaygroundError, OSError) as exc:
        print(f"nn-playground report: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {len(files)} files to {out} (open {Path(out) / 'index.html'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
