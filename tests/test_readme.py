"""Every Python block of README.md runs as written (each in a fresh namespace)."""

import re
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_python_examples():
    assert BLOCKS


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # blocks may write files (e.g. battery.csv)
    code = BLOCKS[index]
    if "array_library=\"jax\"" in code:
        pytest.importorskip("jax")
    if "Dynamics(" in code or "\"dynamics\"" in code:
        pytest.importorskip("qiskit_dynamics", exc_type=ImportError)
    exec(compile(code, f"README.md python block {index}", "exec"), {"__name__": "readme"})
