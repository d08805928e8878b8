"""The documentation site builds with warnings as errors and opens in a browser, offline.

``mkdocs build --strict`` into a temporary folder, then every page is loaded in headless
Chromium driven over the DevTools protocol (``--remote-debugging-pipe``, no extra Python
package): the page loads, no request fails, no script throws, every image is decoded, and
every link into the site points at a file that exists. Name resolution is switched off, so a
page that needed the network would fail here. Skipped when mkdocs (extra ``docs``) or Chromium
(``apt-get install chromium``) is missing, except in CI (``CI=true``, set by .ci/run's
caller), where the docs extra and Chromium are installed and a skip would hide a broken step.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-extensions", "--disable-sync", "--no-first-run", "--mute-audio",
    "--disable-component-update", "--disable-default-apps", "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: any network request fails
    "--remote-debugging-pipe",
)
#: What a page must show: (page, a text that only the rendered page has).
EXPECTED = {
    "index.html": "qbcircuit reproduce",
    "cli.html": "usage: qbcircuit",
    "api/qbcircuit.simulate.html": "simulate",
    "changelog.html": "Changelog",
}


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing in CI (.ci/run installs it)")
    pytest.skip(f"{what} is missing")


def _browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


class DevTools:
    """A minimal DevTools-protocol client over Chromium's pipe (JSON messages ended by NUL)."""

    def __init__(self, browser: str, profile: Path):
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4
        self.proc = subprocess.Popen(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=lambda: (os.dup2(to_chrome_r, 3),
                                                  os.dup2(from_chrome_w, 4)))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf, self._id, self.events = b"", 0, []

    def _read(self) -> dict:
        while b"\0" not in self._buf:
            chunk = os.read(self._r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        while True:
            event = self._read()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self):
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError):
            pass
        self.proc.wait()
        os.close(self._r)
        os.close(self._w)


def _notebook_figures(path: Path) -> int:
    cells = json.loads(path.read_text())["cells"]
    return sum("image/png" in o.get("data", {}) for c in cells for o in c.get("outputs", []))


_PAGE_FACTS = """JSON.stringify({
  title: document.title,
  text: document.body ? document.body.innerText : "",
  brokenImages: Array.from(document.images)
      .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
  images: document.images.length,
  links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
})"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import importlib.util

    for module in ("mkdocs", "mkdocstrings", "mkdocs_jupyter", "latex2mathml"):
        if importlib.util.find_spec(module) is None:
            _missing(f"{module} (the docs extra: pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                           "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
                          cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def test_the_site_has_every_page(site):
    for page in EXPECTED:
        assert (site / page).is_file(), page
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.stem for p in (site / "notebooks").glob("*.html")) == notebooks
    assert (site / "api" / "qbcircuit.html").is_file()
    cli = (site / "cli.html").read_text()
    for command in ("simulate", "circuit-stats", "reproduce", "figures", "sweep"):
        assert f"usage: qbcircuit {command}" in cli


def test_every_page_opens_offline_with_its_images_and_links(site, tmp_path):
    browser = _browser()
    if browser is None:
        _missing("chromium (apt-get install chromium)")
    # 404.html links from the server root (it is shown by a web server, not opened as a file)
    pages = sorted(p for p in site.rglob("*.html") if p.name != "404.html")
    devtools = DevTools(browser, tmp_path / "profile")
    try:
        target = devtools.send("Target.createTarget", url="about:blank")["targetId"]
        session = devtools.send("Target.attachToTarget", targetId=target,
                                flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            devtools.send(f"{domain}.enable", session)
        problems = []
        for page in pages:
            rel = page.relative_to(site).as_posix()
            devtools.events.clear()
            devtools.send("Page.navigate", session, url=page.as_uri())
            devtools.wait_for("Page.loadEventFired")
            facts = json.loads(devtools.send("Runtime.evaluate", session,
                                             expression=_PAGE_FACTS,
                                             returnByValue=True)["result"]["value"])
            failed = [e["params"] for e in devtools.events
                      if e.get("method") == "Network.loadingFailed"]
            thrown = [e["params"]["exceptionDetails"].get("text") for e in devtools.events
                      if e.get("method") == "Runtime.exceptionThrown"]
            requested = {e["params"]["requestId"]: e["params"]["request"]["url"]
                         for e in devtools.events
                         if e.get("method") == "Network.requestWillBeSent"}
            for f in failed:
                problems.append(f"{rel}: failed to load {requested.get(f['requestId'])} "
                                f"({f.get('errorText')})")
            problems += [f"{rel}: script error {t}" for t in thrown]
            problems += [f"{rel}: broken image {src}" for src in facts["brokenImages"]]
            for href in facts["links"]:
                url = urlparse(href)
                if url.scheme == "file" and not Path(unquote(url.path)).exists():
                    problems.append(f"{rel}: dead link {href}")
            if not facts["text"].strip():
                problems.append(f"{rel}: empty page")
            if rel in EXPECTED and EXPECTED[rel] not in facts["text"]:
                problems.append(f"{rel}: {EXPECTED[rel]!r} not shown")
            if rel.startswith("notebooks/"):
                shown = _notebook_figures(ROOT / "notebooks" / f"{page.stem}.ipynb")
                if facts["images"] < shown:
                    problems.append(f"{rel}: {facts['images']} images, the notebook has {shown}")
    finally:
        devtools.close()
    assert not problems, "\n".join(problems)


def test_docstring_math_roles_and_examples_become_markdown():
    pytest.importorskip("griffe")
    pytest.importorskip("latex2mathml")
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from griffe_doctests import markdown_docstring
        from mkdocs_hooks import math_as_mathml
    finally:
        sys.path.remove(str(ROOT / "tools"))
    text = markdown_docstring(
        "Solve :math:`H` with :func:`~qbcircuit.simulate`.\n\n.. math::\n\n    E = 1\n\n"
        ">>> [1, 2]\n[1, 2]\n\nArgs:\n    x: a value.")
    assert "`qbcircuit.simulate`" in text and ":func:" not in text
    assert text.count("<math") == 2 and 'display="block"' in text
    assert "```pycon\n>>> [1, 2]\n[1, 2]\n```" in text and text.endswith("x: a value.")
    html = math_as_mathml("<p>$a$, $$b$$</p><pre>$c$</pre><code>$d$</code><script>$</script>")
    assert html.count("<math") == 2 and "<pre>$c$</pre><code>$d$</code><script>$" in html
