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

from playground.cli import whole_number

from .desktop.app_setup import add_arguments, hand_over, run_desktop_command, serve, setup_application

EXIT_BAD_INPUT = 2
REPORT_SNAPSHOTS = 40  # snapshots a report records over its run (the health figure's points)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nn-playground", description="A desktop neural-network playground.")
    parser.add_argument("experiment", nargs="?", help="experiment JSON file to open (default: the built-in one)")
    parser.add_argument("--train-epochs", type=whole_number, default=0, metavar="N",
                        help="train N epochs before the screenshot (with --screenshot)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="open the window offscreen, optionally train, save a PNG of the window, and exit")
    parser.add_argument("--size", default="1500x940", type=window_size, metavar="WxH",
                        help="window size for --screenshot, e.g. 1280x720")
    parser.add_argument("--presentation", action="store_true",
                        help="start in presentation mode (F5): big text, thick lines, the views fill the screen")
    parser.add_argument("--theme", choices=("light", "dark"), help="colour theme (default: the last one used)")
    parser.add_argument("--view", metavar="NAME", help="with --screenshot: show this view tab (boundary, images, "
                                                       "health, explain, runs)")
    add_arguments(parser)  # --install-desktop, --uninstall-desktop
    return parser


def window_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720), with a message that says what a size looks like."""
    parts = text.lower().replace("×", "x").split("x")
    shown = repr(text[:40]) + ("…" if len(text) > 40 else "")
    if len(parts) != 2 or not all(p.strip().isdigit() and len(p.strip()) <= 6 for p in parts):
        raise argparse.ArgumentTypeError(f"{shown} is not a size; write width x height in pixels, e.g. 1280x720")
    width, height = (int(p) for p in parts)
    if not (320 <= width <= 10000 and 240 <= height <= 10000):
        raise argparse.ArgumentTypeError(f"{shown} is out of range; use 320x240 up to 10000x10000 pixels")
    return width, height


def build_report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nn-playground report",
                                     description="Train an experiment headless and write a report folder with "
                                                 "figures, metrics, the model, code and an index.html.")
    parser.add_argument("experiment", help="experiment JSON file")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder to write the report into (a new one, or an earlier report to replace; never "
                             "the folder holding the experiment)")
    parser.add_argument("--epochs", type=whole_number, help="override the number of epochs")
    parser.add_argument("--size", choices=["page", "slide"], default="page",
                        help="figure size: page (6.4 × 4.8 in) or slide (10 × 5.625 in, 16:9)")
    parser.add_argument("--dpi", type=whole_number, default=300, help="PNG resolution of the figures (default 300)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("train", "example", "code"):
        from playground.cli import main as engine_main

        return engine_main(argv)
    report = bool(argv) and argv[0] == "report"
    if report:
        rargs = build_report_parser().parse_args(argv[1:])
        args = argparse.Namespace(experiment=rargs.experiment, screenshot=None, size=(1500, 940),
                                  train_epochs=rargs.epochs, view=None, presentation=False, theme=None)
    else:
        args = build_parser().parse_args(argv)
        desktop_exit = run_desktop_command(args)
        if desktop_exit is not None:
            return desktop_exit
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
    try:  # outputs and bounds checked before the window is built or a run starts
        from playground.files import check_output_path
        from playground.spec import MAX_EPOCHS

        if getattr(args, "screenshot", None):
            check_output_path(args.screenshot, "screenshot", inputs=(args.experiment,))
        if not 0 <= (getattr(args, "train_epochs", 0) or 0) <= MAX_EPOCHS:
            raise PlaygroundError(f"--train-epochs must be from 0 to {MAX_EPOCHS:,}, got {args.train_epochs:,}")
    except PlaygroundError as exc:
        print(f"nn-playground: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if report:
        from playground.report_folder import check_report_target

        try:  # before training: a refused --out should not cost a training run
            check_report_target(rargs.out, (rargs.experiment,))
            if not 1 <= rargs.dpi <= 2400:
                raise PlaygroundError(f"--dpi must be between 1 and 2400, not {rargs.dpi}")
        except PlaygroundError as exc:
            print(f"nn-playground report: error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication

    from .lean_import import answer_feature_scan_by_package, import_pyqtgraph

    answer_feature_scan_by_package()  # every later import (pyqtgraph, the window, torch) skips PySide's source scan
    QCoreApplication.setOrganizationName("nn-playground")
    QCoreApplication.setApplicationName("nn-playground")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    setup_application(app)  # window and taskbar icon
    if not (args.screenshot or report) and hand_over(args.experiment):
        return 0  # a running window opened the file (e.g. double-clicked in the file manager)
    import_pyqtgraph()  # before the window's modules import it: without its CUDA probe
    from .main_window import MainWindow

    # A screenshot shows the default layout, whatever the user's saved window state is.
    window = MainWindow(experiment, args.experiment, restore_settings=not args.screenshot)
    from .session.exception_hook import install

    install(lambda: window)  # an uncaught exception in any thread is logged and shown, never silent or fatal
    if args.theme:
        window.action(f"view_theme_{args.theme}").setChecked(True)
    if args.screenshot or report:
        from .export.headless import HeadlessSession

        window.resize(*args.size)
        if report:
            epochs = args.train_epochs if args.train_epochs is not None else window.session.spec.epochs
            capture = lambda: _report(window, rargs)  # noqa: E731 (runs on the GUI thread)
        else:
            epochs = args.train_epochs
            capture = lambda: _screenshot(window, args)  # noqa: E731
        # A report's health figure draws the snapshots: record them on fixed steps, however fast the run.
        session = HeadlessSession(window, epochs, capture, snapshots=REPORT_SNAPSHOTS if report else 0)
        window.show()
        if args.presentation:
            window.action("view_presentation").setChecked(True)
        QTimer.singleShot(0, session.start)
        app.exec()
        return session.exit_code
    window.show()
    serve(window, window.files.open_path)  # later starts hand their files to this window
    if args.presentation:
        window.action("view_presentation").setChecked(True)
    app.processEvents()  # paint the window now: finish_startup imports torch, about a second
    QTimer.singleShot(0, window.finish_startup)
    QTimer.singleShot(0, window.files.offer_restore)
    from .run.runner import warm_up_in_background

    QTimer.singleShot(0, warm_up_in_background)  # the first Train press then skips torch's lazy first-time work
    return app.exec()


def _screenshot(window: "MainWindow", args: argparse.Namespace) -> int:
    """Show the asked-for view (after training, which starts on the main one), let it paint, and save."""
    from PySide6.QtWidgets import QApplication

    from .export.headless import save_screenshot

    if args.view and not window.views_panel.select_view(args.view):
        print(f"nn-playground: no view called {args.view!r} for this data", file=sys.stderr)
    for _ in range(3):  # a newly shown tab lays out, then its plots fit their labels to the new size
        QApplication.processEvents()
    return save_screenshot(window, args.screenshot)


def _report(window: "MainWindow", rargs: argparse.Namespace) -> int:
    from playground.errors import PlaygroundError

    from .export.report import write_report

    try:
        folder, contents = write_report(window.exports.report_run(), window, rargs.out, inputs=(rargs.experiment,),
                                        size=rargs.size, dpi=rargs.dpi)
    except (PlaygroundError, OSError) as exc:
        print(f"nn-playground report: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for note in contents.notes:
        print(f"nn-playground report: note: {note}", file=sys.stderr)
    print(f"wrote {len(contents.figures)} figures (PNG, SVG, PDF) and {len(contents.files) + 2} files to {folder} "
          f"(open {folder / 'index.html'}); {contents.data.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
