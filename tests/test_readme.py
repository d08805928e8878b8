"""Every Python block of README.md and docs/*.md runs as written (each in a fresh namespace)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [(page.relative_to(ROOT).as_posix(), code) for page in PAGES
          for code in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)]


def test_the_readme_has_python_examples():
    assert any(page == "README.md" for page, _ in BLOCKS)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("index", range(len(BLOCKS)),
                         ids=[f"{page}-{i}" for i, (page, _) in enumerate(BLOCKS)])
def test_readme_python_block_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # blocks may write files (e.g. battery.csv)
    page, code = BLOCKS[index]
    if "array_library=\"jax\"" in code:
        pytest.importorskip("jax")
    if "Dynamics(" in code or "\"dynamics\"" in code:
        pytest.importorskip("qiskit_dynamics", exc_type=ImportError)
    exec(compile(code, f"{page} python block {index}", "exec"), {"__name__": "readme"})
