"""rk45_table.py's match rule and sample_via_server.py's RK45 options (no server needed)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import rk45_table  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def row(model, steps, nfe, fd, conf=0.4, **extra):
    return {"model": model, "steps": steps, "nfe": nfe, "fd": fd, "confident_ge_0.9": conf, **extra}


def test_the_cheapest_rk45_cell_within_the_slack_is_the_match():
    q = {"rows": [row("m", 18, 35, 60.0),
                  row("m@rk45-1e-1", 0, 38.0, 70.0),   # 16.7 % worse: no
                  row("m@rk45-1e-2", 0, 50.0, 62.9),   # 4.8 % worse: within 5 %
                  row("m@rk45-1e-3", 0, 62.0, 55.0)]}
    md = rk45_table.table(q, ["m"], 18, 0.05)
    assert md.splitlines()[0].split(" | ")[3:6] == [
        "RK45 rtol 1e-1: NFE / FD / conf", "RK45 rtol 1e-2: NFE / FD / conf", "RK45 rtol 1e-3: NFE / FD / conf"]
    assert md.splitlines()[-1].endswith("| **50** |")
    strict = rk45_table.table(q, ["m"], 18, 0.0).splitlines()[-1]
    assert strict.endswith("| **62** |")  # only rtol 1e-3 beats 60.0 outright


def test_far_off_samples_are_left_out_of_the_compared_fd():
    q = {"rows": [row("d1", 18, 35, 1e6, fd_in_range=64.0, off_data_share=0.05),
                  row("d1@rk45-1e-1", 0, 44.0, 2e6, fd_in_range=90.0, off_data_share=0.05)]}
    last = rk45_table.table(q, ["d1"], 18, 0.05).splitlines()[-1]
    assert "64.0 / 0.40 (5.0 % off)" in last and last.endswith("| not reached |")


def test_the_sampler_refuses_tolerances_out_of_range_or_without_rk45():
    def run(*args):
        return subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "sample_via_server.py"), "--model", "m",
                               "--out", "/nonexistent/x.npy", *args], capture_output=True, text=True)
    r = run("--solver", "heun", "--rtol", "1e-2")
    assert r.returncode == 2 and "--rtol/--atol apply to --solver rk45 only" in r.stderr
    r = run("--solver", "rk45", "--rtol", "2")
    assert r.returncode == 2 and "--rtol must be in [1e-06, 1.0], was 2.0" in r.stderr
    r = run("--solver", "rk45", "--atol", "1e-9")
    assert r.returncode == 2 and "--atol must be in [1e-08, 1.0]" in r.stderr


def test_quality_table_scores_rk45_files_with_the_servers_nfe(tmp_path):
    import json

    import numpy as np

    from test_pipeline import score_with_quality_table

    samples = tmp_path / "samples"
    samples.mkdir()
    x = np.random.default_rng(0).uniform(-1, 1, (6, 1, 28, 28)).astype(np.float32)
    for name in ("m-s18", "m@rk45-1e-2", "m@rk45-1e-3.npy.tmp"):  # the last: an unfinished draw
        np.save(samples / f"{name}.npy", x)
    (samples / "m@rk45-1e-2.json").write_text(json.dumps({"nfe": 50.5}))
    rows = score_with_quality_table(tmp_path, samples)
    assert set(rows) == {"m", "m@rk45-1e-2"}
    assert (rows["m"]["steps"], rows["m"]["nfe"]) == (18, 35)
    assert (rows["m@rk45-1e-2"]["steps"], rows["m@rk45-1e-2"]["nfe"]) == (0, 50.5)
    assert rows["m"]["fd"] == rows["m@rk45-1e-2"]["fd"]  # the same samples, scored alike


def test_the_robustness_plot_labels_narrow_and_wide_ranges():
    import math

    import robustness_table

    narrow = robustness_table.ticks(math.log10(12.2), math.log10(16.2))  # the noise panel: no 1-2-5 tick inside
    assert len(narrow) >= 3 and all(12.2 <= v <= 16.2 for v in narrow)
    assert robustness_table.ticks(1, 3) == [10, 20, 50, 100, 200, 500, 1000]
