"""`python -m imbal_core ...`: the CLI. Guarded, so importing this module (by mistake, or because a file named
it) runs nothing."""

from imbal_core.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
