import csv
import importlib.util
import io
import json
import shutil
import subprocess

import numpy as np
import pytest

from qbcircuit import BatteryParams, ParameterError, simulate
from qbcircuit.cli import main
from qbcircuit.paper.crosscheck import engine_deviations
from qbcircuit.paper.figures import CSV_COLUMNS, FIGURES
from qbcircuit.paper.reproduce import output_files, reproduce

HAS_QUTIP = importlib.util.find_spec("qutip") is not None
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SMALL = dict(method="exact", points=11, parametric_points=6, progress=False,
             claims_omega_qs=(1.0, 2.0))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce") / "results"  # made by reproduce
    return reproduce(out, formats=("png", "pdf"), crosschecks=("qutip",), **SMALL)


def _rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_every_file_is_written(run):
    names = sorted(p.name for p in run.folder.iterdir())
    expected = [f"{stem}.{ext}" for stem in FIGURES for ext in ("png", "pdf")]
    expected += ["curves.csv", "run.json", "report.html", "claims.csv"]
    assert names == sorted(expected)  # nothing else: no temporary files left
    assert [p.name for p in run.paths] == output_files(("png", "pdf"))
    assert (run.folder / "fig2_energy.png").read_bytes()[:4] == b"\x89PNG"
    assert (run.folder / "fig2_energy.pdf").read_bytes()[:5] == b"%PDF-"
    assert run.summary.startswith(f"reproduce: {len(run.paths)} files in ")
    assert run.summary.splitlines()[-1].endswith("report.html")


def test_csv_values_equal_simulate(run):
    every = _rows(run.folder / "curves.csv")
    assert list(every[0]) == list(CSV_COLUMNS)
    assert len(every) == 16 * (11 + 6)
    rows = [r for r in every if r["figure_window"] == "main"]
    picked = [r for r in rows if r["curve"] == "b:4" and r["zeta"] == "1.0"]
    assert picked[0]["value"] == "4.0"
    assert picked[0]["parameter"] == "Delta" and picked[0]["model"] == "Eq. (1)"
    ref = simulate(BatteryParams(delta=4, g=1, alpha=2, zeta=1), np.linspace(0, 10, 11),
                   method="exact")
    for name in ("energy", "fluctuation", "concurrence"):
        got = np.array([float(r[name]) for r in picked])
        assert np.max(np.abs(got - getattr(ref, name))) < 1e-12
    assert [float(r["t"]) for r in picked] == list(ref.times)
    # Figure 6: the parametric window, and panel (d) names both varied rates
    rows = [r for r in every if r["figure_window"] == "parametric"]
    picked = [r for r in rows if r["panel"] == "d" and r["value"] == "(0.6, 0.4)"
              and r["zeta"] == "0.0"]
    assert picked[0]["curve"] == "d:open"
    assert picked[0]["parameter"] == "(kappa, gamma)" and float(picked[-1]["t"]) == 1.3
    ref = simulate(BatteryParams(alpha=1, kappa=0.6, gamma=0.4), np.linspace(0, 1.3, 6),
                   method="exact")
    got = np.array([float(r["concurrence"]) for r in picked])
    assert np.max(np.abs(got - ref.concurrence)) < 1e-12


def test_run_json_records_the_run(run):
    meta = json.loads((run.folder / "run.json").read_text())
    assert meta["version"] and meta["method"] == "exact" and meta["omega_q"] == 1.0
    assert meta["variant"] is None and meta["model"] == "Eq. (1)"
    assert meta["wall_time_s"] > 0 and meta["machine"]["cpus"] >= 1
    assert meta["versions"]["qiskit"]
    records = meta["trajectories"]
    assert len(records) == 32 and {r["window"] for r in records} == {"main", "parametric"}
    assert all(r["levels"] >= 2 and r["encoding"] == "binary" for r in records)
    assert meta["truncation"]["levels"]["main"] == [t.levels for t in run.suite.main]
    assert meta["concurrence_bound"]["holds"] is True
    assert meta["files"] == [p.name for p in run.paths]
    assert meta["solver"] == {"exact (eigendecomposition of H)": 28,
                              "exact (Liouvillian, expm_multiply)": 4}
    assert "git_commit" in meta  # the commit when run from a checkout, else None
    rows = meta["first_maximum"]["rows"]
    assert len(rows) == 16 and meta["first_maximum"]["models"] == ["Eq. (1)", "tavis-cummings"]
    if HAS_QUTIP:
        (check,) = meta["crosscheck"]
        assert check["engine"].startswith("qutip") and check["max"] < 1e-6


def test_claims_csv_has_a_verdict_and_numbers_per_row(run):
    from qbcircuit.paper.claims import VERDICTS

    rows = _rows(run.folder / "claims.csv")
    assert len(rows) > 50
    for row in rows:
        assert row["id"] and row["verdict"] in VERDICTS, row
        if row["verdict"] == "too vague to test":
            assert row["note"].strip(), row["id"]  # says why
        else:
            assert row["numbers"].strip(), row["id"]
    meta = json.loads((run.folder / "run.json").read_text())
    assert meta["claims"]["count"] == len(rows)
    assert sum(meta["claims"]["by_verdict"].values()) == len(rows)


def test_report_is_self_contained(run):
    html = (run.folder / "report.html").read_text()
    assert html.count('src="data:image/png;base64,') == 5
    assert "http://" not in html and "https://" not in html  # nothing to fetch
    for section in ("findings", "figures", "claims", "derivation", "crosscheck",
                    "first-maximum", "metadata"):
        assert f'<h2 id="{section}"' in html
    # the report opens with its findings
    assert html.index('<h2 id="findings"') < html.index("<h2", html.index("<h1") + 1) + 1
    assert "the printed system diverges" in html
    for number in range(2, 7):
        assert f"<b>Figure {number}.</b>" in html
    assert "(a) α = 0.5 and 3; Δ = 0, g = 1, κ = γ = 0" in html
    assert "first maxima in [0, 1.3]" in html


def test_engine_deviations_per_panel(run):
    suite = run.suite
    devs = engine_deviations(suite.entries, suite.main, suite.main)
    assert set(devs) == {"a", "b", "c", "d"}
    assert all(v == 0 for d in devs.values() for v in d.values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(points=1), "points must be an integer in \\[2, 1000000\\], got 1"),
        (dict(formats=("png", "gif")), "format must be one of png, pdf, svg"),
        (dict(variant="nope"), "variant must be one of"),
        (dict(omega_q=0.0), "omega_q must be > 0"),
        (dict(dt=0.1), "method 'exact' takes no option 'dt'"),
        (dict(crosschecks=("magic",)), "crosschecks must be among"),
        (dict(trotter_curves=[("a:7", 1.0)]), "trotter_curves must be 'all' or"),
    ],
)
def test_bad_input_fails_before_anything_is_made(tmp_path, kwargs, message):
    target = tmp_path / "never"
    args = {**SMALL, **kwargs}
    with pytest.raises(ParameterError, match=message):
        reproduce(target, **args)
    assert not target.exists()


def test_one_line_per_stage_when_stderr_is_not_a_terminal(tmp_path, capsys):
    res = reproduce(tmp_path / "log", formats=("png",), crosschecks=("trotter",),
                    trotter_curves=[("a:0.5", 1.0)], trotter_points=3,
                    **{**SMALL, "progress": None, "claims_omega_qs": (1.0,)})
    err = capsys.readouterr().err.splitlines()
    assert [line.split(" (at ")[0] for line in err] == [
        "reproduce: paper suite", "reproduce: trotter cross-check", "reproduce: claims",
        "reproduce: figures"]
    (check,) = res.run["crosscheck"]
    assert "a:0.5 (zeta = 1)" in check["grid"] and set(check["panels"]) == {"a"}


def test_an_output_folder_that_is_a_file_fails_first(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ParameterError, match="is not a folder"):
        reproduce(tmp_path / "f", **SMALL)


def test_variant_run_names_the_variant(tmp_path):
    res = reproduce(tmp_path / "tc", variant="tavis-cummings", formats=("png",),
                    crosschecks=(), **{**SMALL, "points": 6, "parametric_points": 4})
    assert res.suite.variant == "tavis-cummings"
    rows = _rows(res.folder / "curves.csv")
    assert {r["model"] for r in rows} == {"tavis-cummings"}
    meta = json.loads((res.folder / "run.json").read_text())
    assert meta["variant"] == "tavis-cummings" and "tavis-cummings" in meta["model"]
    html = (res.folder / "report.html").read_text()
    assert "variant tavis-cummings" in html and "<b>variant tavis-cummings</b>" in html
    assert "variant tavis-cummings" in res.summary
    head = (res.folder / "claims.csv").read_text().splitlines()[0]
    assert "verdict (tavis-cummings)" in head
    assert "under tavis-cummings" in html and "Under the variant tavis-cummings" in html


def test_cli_passes_its_options(monkeypatch, capsys, tmp_path):
    import qbcircuit.paper.reproduce as rep

    seen = {}

    def fake(out, **kwargs):
        seen.update(kwargs, out=out)
        return type("R", (), {"summary": "reproduce: done"})()

    monkeypatch.setattr(rep, "reproduce", fake)
    status = main(["reproduce", "--out", str(tmp_path / "r"), "--method", "dynamics",
                   "--format", "png,svg", "--format", "pdf", "--omega-q", "2", "--rtol", "1e-9",
                   "--variant", "tavis-cummings", "--points", "21", "--no-progress",
                   "--trotter-all"])
    out, err = capsys.readouterr()
    assert status == 0 and out == "reproduce: done\n" and err == ""
    assert seen["formats"] == ["png", "svg", "pdf"] and seen["omega_q"] == 2.0
    assert seen["rtol"] == 1e-9 and seen["variant"] == "tavis-cummings"
    assert seen["progress"] is False and seen["points"] == 21 and seen["method"] == "dynamics"
    assert seen["trotter_curves"] == "all"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--points", "1"], "points must be an integer in [2, 1000000], got 1"),
        (["--format", "gif"], "format must be one of png, pdf, svg"),
        (["--variant", "nope"], "variant must be one of"),
        (["--omega-q", "-1"], "omega_q must be > 0"),
        (["--method", "exact", "--rtol", "1e-9"], "method 'exact' takes no option 'rtol'"),
        (["--omega-q", "x"], "invalid float value"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(capsys, tmp_path, argv, message):
    target = tmp_path / "never"
    status = main(["reproduce", "--out", str(target), "--no-progress", *argv])
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and err.count("\n") == 1 and message in err
    assert not target.exists()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_report_loads_in_a_headless_browser(run, tmp_path):
    page = tmp_path / "page.html"
    probe = ("<script>window.addEventListener('load', function(){var im = "
             "Array.from(document.images); var ok = im.length > 0 && im.every(function(i){"
             "return i.complete && i.naturalWidth > 0;}); document.body.setAttribute("
             "'data-images', (ok ? 'loaded-' : 'broken-') + im.length);});</script>")
    page.write_text((run.folder / "report.html").read_text().replace("</body>",
                                                                       probe + "</body>"))
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-first-run", "--virtual-time-budget=10000",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, check=False, timeout=300)
    assert 'data-images="loaded-5"' in proc.stdout, proc.stderr[-2000:]


@pytest.mark.slow
def test_cli_reproduce_at_reduced_resolution(capsys, tmp_path):
    """The command as the README runs it (every cross-check, the claims), fewer points."""
    out_dir = tmp_path / "results"
    status = main(["reproduce", "--out", str(out_dir), "--points", "51",
                   "--parametric-points", "27", "--no-progress"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert out.startswith("reproduce: ") and out.count("\n") == 1
    written = {p.name for p in out_dir.iterdir()}
    assert written == set(output_files())
    meta = json.loads((out_dir / "run.json").read_text())
    engines = [c["engine"].split()[0] for c in meta["crosscheck"]]
    assert engines[:2] == ["dynamics", "trotter"]
    assert meta["crosscheck"][0]["max"] < 1e-6 and meta["crosscheck"][1]["max"] < 5e-3
