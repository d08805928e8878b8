import os
import sys

import matplotlib

matplotlib.use("Agg")

# Make tests/qutip_reference.py importable as a plain module (pytest uses importlib mode).
sys.path.insert(0, os.path.dirname(__file__))
