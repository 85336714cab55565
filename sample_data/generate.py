"""Rebuild every bundled sample CSV file byte for byte: python sample_data/generate.py [--out DIR]."""

import sys
from pathlib import Path


def run() -> int:
    """Make imbal_core importable from a plain checkout, then run imbal_core.data.samples.main."""
    # Running this file directly puts sample_data/ on sys.path, not the repository root.
    repository_root = str(Path(__file__).resolve().parent.parent)
    if repository_root not in sys.path:
        sys.path.insert(0, repository_root)
    from imbal_core.data.sample_writer import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
