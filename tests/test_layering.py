"""The library reads without the paper wing: nothing outside qbcircuit/paper imports it."""

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "qbcircuit"

#: Imports every library module with ``qbcircuit.paper`` made unimportable.
_PROBE = """
import importlib, pkgutil, sys

class NoPaper:
    def find_spec(self, name, path=None, target=None):
        if name == "qbcircuit.paper" or name.startswith("qbcircuit.paper."):
            raise ImportError("the paper wing is blocked")

sys.meta_path.insert(0, NoPaper())
import qbcircuit
names = [m.name for m in pkgutil.walk_packages(qbcircuit.__path__, "qbcircuit.")
         if not m.name.startswith("qbcircuit.paper") and not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def test_every_library_module_imports_without_the_paper():
    proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout) > 20


def test_only_the_cli_commands_import_the_paper():
    pattern = re.compile(r"^\s*(from|import)\s+(qbcircuit\.paper|\.paper|\.\s+import\s+paper)",
                         re.M)
    users = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                   if "paper" not in p.relative_to(PACKAGE).parts
                   and pattern.search(p.read_text()))
    assert users == ["cli.py"]
