"""mkdocs hooks: pages generated from the repository, so the site repeats nothing by hand.

* ``index.md`` from README.md, ``changelog.md`` from CHANGELOG.md, ``benchmarks.md`` (and its
  images) from benchmarks/README.md (the notebooks are ``docs/notebooks``, a link to
  ``notebooks/``, rendered with their stored outputs by mkdocs-jupyter);
* ``api/<module>.md``: one mkdocstrings page per public module of ``qbcircuit`` (found by
  walking the package, so a new or moved module gets its page without editing mkdocs.yml);
* ``cli.md``: the ``--help`` of every command, from the parser itself;
* the notebooks' ``$...$`` and ``$$...$$`` as MathML (latex2mathml; browsers draw it natively),
  so that no MathJax and no network is needed.

Links in README.md that point into the repository are rewritten to the site's pages.
"""

from __future__ import annotations

import html
import pkgutil
import re
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
#: Repository paths linked from README.md (and, with ``../``, from docs/*.md) -> the site's page.
LINKS = {"docs/": "", "CHANGELOG.md": "changelog.md", "benchmarks/README.md": "benchmarks.md",
         "README.md": "index.md", "notebooks/": "notebooks/", "LICENSE": "repository/LICENSE"}
#: The guide's pages (docs/*.md) in reading order; others follow alphabetically.
GUIDE = ("conventions.md", "reproduce.md", "engines.md", "sweeps.md")


def _modules() -> list[str]:
    """Public modules of qbcircuit (no leading underscore anywhere in the dotted name)."""
    import qbcircuit

    names = ["qbcircuit"]
    for info in pkgutil.walk_packages(qbcircuit.__path__, "qbcircuit."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def rewrite_links(text: str, prefix: str = "") -> str:
    """Markdown links to repository files (``prefix`` + path) as links to the site's pages.

    >>> rewrite_links("[e](docs/engines.md#x), [b](benchmarks/README.md), [w](https://a.b)")
    '[e](engines.md#x), [b](benchmarks.md), [w](https://a.b)'
    >>> rewrite_links("[c](../CHANGELOG.md)", prefix="../")
    '[c](changelog.md)'
    """
    def fix(match):
        target = match.group(2)
        if target.startswith(prefix):
            path = target[len(prefix):]
            for repo, page in LINKS.items():
                if path == repo or (repo.endswith("/") and path.startswith(repo)) or \
                        path.startswith(repo + "#"):
                    target = page + path[len(repo):]
                    break
        return f"{match.group(1)}({target})"

    return re.sub(r"(\]\s*)\(([^)\s]+)\)", fix, text)


def on_config(config):
    """The navigation, with the generated pages in a fixed order."""
    config.nav = [
        {"Home": "index.md"},
        {"Guide": _guide()},
        {"Notebooks": [f"notebooks/{nb.name}" for nb in _notebooks()]},
        {"Command line": "cli.md"},
        {"API reference": [{name: f"api/{name}.md"} for name in _modules()]},
        {"Benchmarks": "benchmarks.md"},
        {"Changelog": "changelog.md"},
    ]
    return config


def _guide() -> list[str]:
    pages = sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    return [p for p in GUIDE if p in pages] + [p for p in pages if p not in GUIDE]


def on_page_markdown(markdown, page, config, files):
    """docs/*.md link to the repository as ``../path``: those links go to the site's pages."""
    if not page.file.generated_by:
        return rewrite_links(markdown, prefix="../")
    return markdown


def _cli_page() -> str:
    import argparse

    from qbcircuit.cli import build_parser

    parser = build_parser()
    parts = ["# Command line\n", "`qbcircuit --help` and `qbcircuit COMMAND --help`, as printed.\n",
             "```text", parser.format_help().rstrip(), "```\n"]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        parts += [f"## {name}\n", "```text", p.format_help().rstrip(), "```\n"]
    return "\n".join(parts)


def on_files(files, config):
    """Add the generated pages and the repository files they show."""
    def add(uri: str, content: str | None = None, path: Path | None = None) -> None:
        if files.get_file_from_path(uri) is not None:
            files.remove(files.get_file_from_path(uri))
        if content is not None:
            files.append(File.generated(config, uri, content=content))
        else:
            files.append(File.generated(config, uri, abs_src_path=str(path)))

    add("index.md", rewrite_links((ROOT / "README.md").read_text()))
    add("changelog.md", (ROOT / "CHANGELOG.md").read_text())
    add("benchmarks.md", (ROOT / "benchmarks" / "README.md").read_text())
    for image in (ROOT / "benchmarks").glob("*.png"):
        add(image.name, path=image)
    add("repository/LICENSE", path=ROOT / "LICENSE")
    add("cli.md", _cli_page())
    for name in _modules():
        add(f"api/{name}.md", f"# `{name}`\n\n::: {name}\n")
    return files


_PRE = re.compile(r"(<(pre|code|script|style|textarea)\b.*?</\2>)", re.S)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?![\s$])([^$]+?)(?<!\s)\$")


def _mathml(latex: str, display: str) -> str:
    from latex2mathml.converter import convert

    return convert(html.unescape(latex).strip(), display=display)


def math_as_mathml(page_html: str) -> str:
    """``$$x$$`` and ``$x$`` outside code, scripts and styles, as MathML.

    >>> math_as_mathml("<p>$a$ and <code>$b$</code></p>").count("<math")
    1
    """
    def convert(text: str) -> str:
        text = _DISPLAY.sub(lambda m: _mathml(m.group(1), "block"), text)
        return _INLINE.sub(lambda m: _mathml(m.group(1), "inline"), text)

    out, start = [], 0
    for block in _PRE.finditer(page_html):  # code, scripts and styles stay as they are
        out += [convert(page_html[start:block.start()]), block.group(0)]
        start = block.end()
    out.append(convert(page_html[start:]))
    return "".join(out)


def on_page_content(html_text, page, config, files):
    """Notebook pages: their markdown cells' math as MathML."""
    if page.file.src_uri.endswith(".ipynb"):
        return math_as_mathml(html_text)
    return html_text
