"""Build assets/digits.npz from scikit-learn's copy of the UCI hand-written digits (run once).

scikit-learn is only needed to run this script: at run time the playground loads the npz with
numpy alone. Usage: ``python scripts/make_digits_asset.py [--source path/to/digits.csv.gz]``.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parents[1] / "assets"


def sklearn_digits_csv() -> Path:
    """Where scikit-learn keeps digits.csv.gz, found without importing scikit-learn itself."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise SystemExit("scikit-learn is not installed: pass --source path/to/digits.csv.gz")
    return Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"


def read_digits(source: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse the 65-column CSV (64 pixels 0..16, then the label) into uint8 images and labels."""
    with gzip.open(source, "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    if table.ndim != 2 or table.shape[1] != 65:
        raise SystemExit(f"{source}: expected 65 columns, got shape {table.shape}")
    pixels, labels = table[:, :64], table[:, 64]
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        raise SystemExit(f"{source}: values out of range (pixels 0..16, labels 0..9 expected)")
    return pixels.reshape(-1, 8, 8).astype(np.uint8), labels.astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None, help="digits.csv.gz (default: scikit-learn's)")
    parser.add_argument("--out", type=Path, default=ASSETS / "digits.npz")
    args = parser.parse_args()
    images, labels = read_digits(args.source or sklearn_digits_csv())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, images=images, labels=labels)
    print(f"wrote {args.out}: {len(images)} images {images.shape[1:]}, classes {np.bincount(labels).tolist()}")


if __name__ == "__main__":
    main()
