"""Root pytest configuration.

The notebooks run in a separate kernel process started in ``book/``; setting
``sys.path`` here would not reach it, so the repository root goes on
``PYTHONPATH`` in the environment the kernel inherits.
"""

import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
