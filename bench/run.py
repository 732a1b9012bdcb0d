"""``make bench``: run every ``bench/bench_*.py`` (or those named on the command line).

Each benchmark module has ``main(argv: list[str]) -> None`` and prints its own figures.
Options: ``--db sqlite|postgresql|both`` (default both, when PostgreSQL is up).
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    names = [a for a in sys.argv[1:] if not a.startswith("-")]
    flags = [a for a in sys.argv[1:] if a.startswith("-")]
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if any(n in m for n in names)]
    for name in modules:
        started = time.monotonic()
        importlib.import_module(name).main(flags)
        print(f"[{name} took {time.monotonic() - started:.0f} s]", flush=True)


if __name__ == "__main__":
    main()
