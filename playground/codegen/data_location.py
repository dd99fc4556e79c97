"""Where a generated script finds its data file or folder: ``--data PATH``, else the file's name beside the script.

Both listings (PyTorch and Keras) share this code, so the rule is written once. A script must still run
when it is copied to another machine with its data beside it, so the path of the machine that made
it is never the default: it is only tried second, when there is no copy beside the script (which
keeps an export working where it was made). All user text goes into the script through ``repr``, so
any file name (quotes, newlines, NUL bytes, non-ASCII, lone surrogates) stays valid Python.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

IMPORTS = ("from pathlib import Path",)

# The argparse help is constant text: argparse %-formats help strings, so a file name with "%" in it
# would break --help if it were pasted in.
ARGUMENT = ('    parser.add_argument("--data", metavar="PATH", help="the data file or folder (default: DATA_NAME '
            'beside this script)")\n')

_FIND = '''\
def exists(path):
    """Whether PATH names an existing file or folder (False for a name no file system accepts)."""
    try:
        return path.exists()
    except (OSError, ValueError):  # a NUL byte, or text the file system cannot encode
        return False


def find_data(path=None, must_exist=True):
    """The data to read: PATH as given (--data PATH), else DATA_NAME beside this script, else MADE_FROM."""
    tried = [Path(path).expanduser()] if path else list(dict.fromkeys([HERE / DATA_NAME, Path(MADE_FROM)]))
    found = next((candidate for candidate in tried if exists(candidate)), None)
    if found is None and must_exist:
        places = ", then ".join(repr(str(candidate)) for candidate in tried)
        advice = ("check the path given to --data" if path else
                  f"copy {DATA_NAME!r} next to this script, or pass --data PATH to read it from elsewhere")
        raise SystemExit(f"The data was not found (tried {places}): {advice}.")
    return str(found or tried[0])


DATA_PATH = find_data(must_exist=False)  # load_data's default when it is called without a path'''


def made_from(constants: list[str]) -> tuple[str | None, list[str]]:
    """The ``DATA_PATH`` value a dataset's ``ScriptCode.constants`` wrote, and its other constant lines."""
    path, rest = None, []
    for line in constants:
        node = ast.parse(line).body[0] if line.startswith("DATA_PATH") else None
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["DATA_PATH"]:
            path = ast.literal_eval(node.value)
        else:
            rest.append(line)
    return path, rest


def data_name(path: str) -> str:
    """The name a script looks for beside itself: the data's own file or folder name, links followed
    (the report folder copies the data under this name)."""
    try:
        return Path(path).expanduser().resolve().name or "data"
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a link loop: the name as written
        return os.path.basename(os.path.abspath(os.path.expanduser(path)).rstrip(os.sep)) or "data"


def location_lines(path: str, what: str) -> list[str]:
    """Constants naming the data: its file name (looked for beside the script) and where it was read."""
    absolute = os.path.abspath(os.path.expanduser(path))
    name = data_name(path)
    return [
        "# The folder this script is in (a notebook has no __file__: then the current folder).",
        'HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()',
        f"DATA_NAME = {name!r}  # {what}: read from beside this script unless --data names another",
        f"MADE_FROM = {absolute!r}  # where nn-playground read it; tried when there is no copy beside this script",
    ]


def find_code() -> str:
    """``find_data(path)`` and the ``DATA_PATH`` default that the loaders' ``load_data(seed, path=DATA_PATH)`` use."""
    return _FIND


def load_call(has_path: bool) -> str:
    """The call a script's main makes to read its data (``args`` holds the parsed command line)."""
    return "load_data(SEED, find_data(args.data))" if has_path else "load_data(SEED)"
