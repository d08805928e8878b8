"""A griffe extension for the API site: the docstrings' reStructuredText bits as Markdown.

The package's docstrings are Google style with a few Sphinx habits that Markdown does not
know; as they are loaded, each docstring is rewritten:

* ``:math:`...``` and ``.. math::`` blocks become MathML (latex2mathml), which browsers draw
  natively: the site needs no MathJax and no network;
* ``:func:`x```, ``:class:`x``` and the other roles become code (``x``);
* a top-level block of ``>>>`` examples (they run as doctests) becomes a ``pycon`` code block,
  up to the next blank line (else its output lines read as text, ``['a']`` even as a link).

And a dataclass field declared through a helper, ``alpha: complex = _field(1.0, "help")``, shows
its default (``1.0``), not the helper call.
"""

from __future__ import annotations

import re

from griffe import ExprCall, Extension
from latex2mathml.converter import convert

_MATH_ROLE = re.compile(r":math:`([^`]+)`")
_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|obj|exc):`[~.]?([^`]+)`")


def _math_blocks(lines: list[str]) -> list[str]:
    """``.. math::`` and its indented body as one display-math line between blank lines."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() != ".. math::":
            out.append(line)
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        body: list[str] = []
        i += 1
        while i < len(lines) and (not lines[i].strip()
                                  or len(lines[i]) - len(lines[i].lstrip()) > indent):
            body.append(lines[i].strip())
            i += 1
        latex = " ".join(b for b in body if b)
        out += ["", " " * indent + convert(latex, display="block"), ""]
    return out


def _doctest_fences(lines: list[str]) -> list[str]:
    out, inside = [], False
    for line in lines:
        if not inside and line.startswith(">>>"):
            out.append("```pycon")
            inside = True
        elif inside and not line.strip():
            out.append("```")
            inside = False
        out.append(line)
    if inside:
        out.append("```")
    return out


def markdown_docstring(text: str) -> str:
    """The docstring ``text`` with math as MathML, roles as code, doctests fenced.

    >>> markdown_docstring(":func:`simulate` of :math:`x`").startswith("`simulate` of <math")
    True
    """
    lines = _doctest_fences(_math_blocks(text.splitlines()))
    text = "\n".join(lines)
    text = _MATH_ROLE.sub(lambda m: convert(m.group(1)), text)
    return _ROLE.sub(lambda m: f"`{m.group(1)}`", text)


class DoctestFences(Extension):
    """Rewrite every docstring as it is loaded (see the module docstring)."""

    def on_instance(self, *, obj, **kwargs) -> None:  # noqa: D102
        value = getattr(obj, "value", None) if obj.is_attribute else None
        if (isinstance(value, ExprCall) and str(value.function).lstrip("_") == "field"
                and value.arguments and not str(value.arguments[0]).startswith(("default", "*"))):
            obj.value = value.arguments[0]  # _field(default, help, ...): the default
        if obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj.docstring.value)
