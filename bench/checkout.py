"""The benchmarks measure this checkout's code, or say they cannot.

`python bench/x.py` puts bench/ first on the import path, not the repository: formkit, scanner and outputs come
from wherever the virtual environment has them. A plain `pip install .` leaves a copy there that goes on being
imported after the code has changed, and its figures would look like this checkout's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import formkit
import outputs
import scanner

HERE = Path(__file__).resolve().parent.parent


def measured_code_is_this_checkout() -> None:
    """Exit with a message when a package is imported from outside this checkout."""
    for pkg in (formkit, scanner, outputs):
        where = Path(pkg.__file__).resolve().parent
        if where.parent != HERE:
            sys.exit(f"bench: {pkg.__name__} is imported from {where}, not from {HERE}: run scripts/bootstrap.sh "
                     "(it installs this checkout editable) and run the bench again")
