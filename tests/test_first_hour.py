"""What a newcomer meets in the first hour (issue 13): labs' output folders, tables, summary
line, list width and argument checks; data paths and messages; plots' colour scales and target
lines; model files' extensions and modes. No network: downloads are made to fail at once."""
from __future__ import annotations

import os
import re
import stat
import sys
import unicodedata
from urllib.error import URLError

import numpy as np
import pytest

import glassnet as gn
import glassnet.labs
from glassnet import cli, layers
from glassnet.datasets import DatasetNotFoundError, _files, mnist, stocks
from glassnet.labs import base
from glassnet.labs.base import Lab, Param, format_table, format_value, run_lab


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Tiny(Lab):
    """A lab of a few milliseconds: reports a figure beside the course's and saves one plot."""

    name, title, section, shows, typical_time = "tiny-first-hour", "A tiny lab", "1", "a test", "0 s"
    params = {"epochs": Param(3, quick=1, help="epochs"), "data_dir": Param("", help="data folder")}
    datasets = ("mnist",)

    def run(self, ctx):
        import matplotlib.pyplot as plt
        ctx.report("accuracy", 0.5, course=0.99, note="course target: >= 0.99")
        ctx.report("loss", 0.25)
        fig, ax = plt.subplots()
        ax.plot([0, 1])
        ctx.savefig(fig, "curve")


class _Broken(_Tiny):
    name = "broken-first-hour"

    def run(self, ctx):
        raise RuntimeError("boom")


@pytest.fixture
def tiny_labs(monkeypatch):
    """Only the tiny labs are registered (and ``load_all`` returns just them)."""
    registry = {"tiny-first-hour": _Tiny, "broken-first-hour": _Broken}
    for name, cls in registry.items():
        monkeypatch.setitem(base.REGISTRY, name, cls)
    monkeypatch.setattr(glassnet.labs, "load_all", lambda: dict(registry))
    return registry


@pytest.fixture
def offline(monkeypatch):
    """Every download fails at once, as without a network; the attempts are counted."""
    calls = []

    def refuse(url, *args, **kwargs):
        calls.append(url)
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(_files, "urlopen", refuse)
    return calls


# --------------------------------------------------------------------------- labs

def test_quick_run_writes_elsewhere_and_leaves_a_full_run_untouched(tmp_path, monkeypatch, tiny_labs, capsys):
    monkeypatch.chdir(tmp_path)
    full = tmp_path / "glassnet-out" / "tiny-first-hour" / "curve.png"
    full.parent.mkdir(parents=True)
    full.write_bytes(b"the full run's plot")
    assert cli.main(["labs", "run", "tiny-first-hour", "--quick"]) == 0
    out = capsys.readouterr().out
    assert full.read_bytes() == b"the full run's plot"
    quick = tmp_path / "glassnet-out" / "quick" / "tiny-first-hour" / "curve.png"
    assert quick.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(quick) in out
    # the quick table gives no verdict against the course: the row with a course figure says so
    row = next(line for line in out.splitlines() if line.startswith("accuracy"))
    assert base.QUICK_NOTE in row and "course target" not in row
    assert base.QUICK_NOTE not in next(line for line in out.splitlines() if line.startswith("loss "))


def test_full_run_keeps_the_labs_note_and_default_folder(tmp_path, monkeypatch, tiny_labs):
    monkeypatch.chdir(tmp_path)
    result = run_lab("tiny-first-hour", echo=lambda *a: None)
    assert result.out == tmp_path / "glassnet-out" / "tiny-first-hour"
    assert (result.out / "curve.png").is_file()


def test_all_ends_with_a_summary_line(tmp_path, tiny_labs, capsys):
    assert cli.main(["labs", "run", "--all", "--quick", "--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    last = captured.out.strip().splitlines()[-1]
    assert re.fullmatch(r"1 of 2 labs ran in \d+ s \(quick settings\); failed: broken-first-hour", last), last
    assert "lab broken-first-hour failed: RuntimeError: boom" in captured.err


def test_all_summary_when_every_lab_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(base.REGISTRY, "tiny-first-hour", _Tiny)
    monkeypatch.setattr(glassnet.labs, "load_all", lambda: {"tiny-first-hour": _Tiny})
    assert cli.main(["labs", "run", "--all", "--out", str(tmp_path)]) == 0
    assert re.fullmatch(r"1 of 1 labs ran in \d+ s", capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.parametrize("columns", [50, 80, 200])
def test_labs_list_fits_the_terminal_and_marks_labs_that_need_data(columns, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", str(columns))
    assert cli.main(["labs", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    too_wide = [line for line in lines if _width(line) > columns]
    assert not too_wide, too_wide[:3]
    blocks, name = {}, None
    for line in lines:  # a lab's row and the lines under it
        if line and not line.startswith(" "):
            name = line.split()[0]
        if name:
            blocks[name] = blocks.get(name, "") + " " + line
    assert re.search(r"\bmnist\b", blocks["mnist-cnn"]) and "fashion-mnist" in blocks["binary-image"]
    assert "stocks" in blocks["stock-lstm"] and not re.search(r"\bmnist\b", blocks["linear-regression"])


def test_numbers_print_as_the_data_was_written():
    row = np.array([5.9, 3.2, 4.8, 1.8], dtype=np.float32)
    assert [format_value(v) for v in row.tolist()] == ["5.9", "3.2", "4.8", "1.8"]  # not 5.9000001
    assert format_value(row[0]) == "5.9"
    table = format_table(["a", "b", "c", "d"], [row.tolist()])
    assert "5.9000001" not in table and "5.9  " in table
    assert format_value(1 / 3) == "0.33333333"            # a float64 keeps 8 significant digits
    assert format_value(0.1 + 0.2) == "0.3"                 # 0.30000000000000004
    assert format_value(2_500_000.0) == "2500000.0"


def test_bad_lab_arguments_stop_before_the_lab_starts(capsys):
    assert cli.main(["labs", "run", "iris-softmax", "--epochs", "0"]) == 1
    captured = capsys.readouterr()
    assert "==" not in captured.out   # the lab never started
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "parameter 'epochs': expected a positive int, received 0" in err[0]
    assert cli.main(["labs", "run", "iris-softmax", "--set", "lr=-0.1"]) == 1
    assert "parameter 'lr': expected a positive float, received -0.1" in capsys.readouterr().err
    assert cli.main(["labs", "run", "mnist-cnn", "--set", "train_limit=-5"]) == 1
    assert "parameter 'train_limit': expected 0 or more, received -5" in capsys.readouterr().err


def test_all_checks_every_labs_arguments_before_the_first_starts(tmp_path, tiny_labs, capsys):
    assert cli.main(["labs", "run", "--all", "--quick", "--epochs", "-1", "--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "==" not in captured.out and list(tmp_path.iterdir()) == []
    assert "parameter 'epochs': expected a positive int, received -1" in captured.err


def test_fit_verbosity_follows_the_terminal(monkeypatch, tmp_path):
    class Stream:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

        def write(self, text):
            return len(text)

    ctx = base.LabContext(_Tiny(), {}, 0, tmp_path, quick=False)
    monkeypatch.setattr(sys, "stdout", Stream(True))
    assert ctx.verbose == 1          # a progress bar per step on a terminal
    monkeypatch.setattr(sys, "stdout", Stream(False))
    assert ctx.verbose == 2          # one line per epoch in a log
    assert base.LabContext(_Tiny(), {}, 0, tmp_path, quick=True).verbose == 0


def test_lab_says_where_its_data_comes_from(tmp_path, monkeypatch, tiny_labs):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GLASSNET_DATA", "rel/data")
    lines = []
    run_lab("tiny-first-hour", quick=True, echo=lines.append)
    assert f"data: mnist from {tmp_path / 'rel' / 'data' / 'mnist'} (from GLASSNET_DATA=rel/data)" in lines
    assert "data_dir=(not set)" in lines[1]
    lines.clear()
    run_lab("tiny-first-hour", quick=True, echo=lines.append, overrides={"data_dir": "mine"})
    assert any(line.startswith(f"data: mnist from {tmp_path / 'mine'} (from the path=/data_dir= argument")
               for line in lines)


def test_linear_regression_explains_why_raw_gd_differs_from_the_course():
    lines = []
    result = run_lab("linear-regression", quick=True, echo=lines.append)
    text = "\n".join(lines)
    assert "approaches the minimum from one side and never crosses it" in text
    assert result.metric("raw GD b") > -26.79078617 > -27.1769   # ours on the near side, the course's beyond


# --------------------------------------------------------------------------- data paths

def test_relative_glassnet_data_is_named_absolute_with_its_source(tmp_path, monkeypatch, offline):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GLASSNET_DATA", "../elsewhere/data")
    with pytest.raises(DatasetNotFoundError) as info:
        mnist.load_data()
    message = str(info.value)
    absolute = tmp_path.parent / "elsewhere" / "data"
    assert f"missing from {absolute / 'mnist'}" in message
    assert "came from GLASSNET_DATA=../elsewhere/data" in message
    assert f"GLASSNET_DATA is set to '../elsewhere/data' (that is {absolute}), but that folder does not hold" \
        in message
    assert "or set the GLASSNET_DATA" not in message       # it is set: no advice to set it
    assert "--set data_dir=" in message                    # the command-line route
    assert len(offline) == len(mnist.MIRRORS)
    assert not (tmp_path.parent / "elsewhere").exists()     # the failed download left no folder


def test_failed_load_from_the_cache_leaves_no_empty_folders(tmp_path, monkeypatch, offline):
    monkeypatch.delenv("GLASSNET_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(DatasetNotFoundError, match="came from the user cache") as info:
        mnist.load_data()
    assert "or set the GLASSNET_DATA environment variable" in str(info.value)
    assert offline and list(tmp_path.iterdir()) == []       # no ~/.glassnet/datasets/mnist/


def test_failed_load_from_an_argument_leaves_no_empty_folders(tmp_path, monkeypatch, offline):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DatasetNotFoundError, match="path=/data_dir= argument 'some/where'") as info:
        mnist.load_data("some/where")
    assert str(tmp_path / "some" / "where") in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_stocks_message_names_the_source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GLASSNET_DATA", "rel")
    with pytest.raises(DatasetNotFoundError) as info:
        stocks.load_data("GOOG")
    message = str(info.value)
    assert str(tmp_path / "rel" / "stocks" / "GOOG.csv") in message and "GLASSNET_DATA=rel" in message
    assert "--set data_dir=" in message


# --------------------------------------------------------------------------- plots

def test_filters_and_feature_maps_share_one_colour_scale_with_a_colorbar():
    import matplotlib
    matplotlib.use("Agg")
    from glassnet import plotting
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(3, 3, 1, 6))
    kernel[..., 0] *= 10                                    # one strong filter
    fig = plotting.plot_filters(kernel)
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 6 and len({im.get_clim() for im in images}) == 1
    vmin, vmax = images[0].get_clim()
    assert vmin == -vmax == -np.abs(kernel).max()           # centred on 0: signs readable
    assert any(ax.get_ylabel() == "weight" for ax in fig.axes)  # the colorbar

    maps = rng.random((8, 8, 5)) * np.arange(1, 6)          # channels of different strength
    fig = plotting.plot_feature_maps(maps, image=rng.random((8, 8)), title="maps of test image 0")
    panels = [ax for ax in fig.axes if ax.get_images()]
    assert panels[0].get_title() == "input"
    clims = {ax.get_images()[0].get_clim() for ax in panels[1:]}
    assert clims == {(maps.min(), maps.max())}
    assert any(ax.get_ylabel() == "activation" for ax in fig.axes)


def test_history_plot_has_integer_epochs_and_the_course_target():
    import matplotlib
    matplotlib.use("Agg")
    from glassnet import plotting
    fig = plotting.plot_history({"loss": [1.0, 0.5, 0.3], "accuracy": [0.9, 0.95, 0.98]},
                                targets={"accuracy": 0.99})
    loss_ax, acc_ax = fig.axes
    fig.canvas.draw()
    ticks = [t for t in acc_ax.get_xticks() if acc_ax.get_xlim()[0] <= t <= acc_ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)
    target = [line for line in acc_ax.get_lines() if "target" in line.get_label()]
    assert len(target) == 1 and list(target[0].get_ydata()) == [0.99, 0.99]
    assert not [line for line in loss_ax.get_lines() if "target" in line.get_label()]
    fig = plotting.plot_curves({"a": [1.0, 0.5, 0.4]}, xlabel="epoch")   # x = 0, 1, 2
    fig.canvas.draw()
    ax = fig.axes[0]
    assert all(float(t).is_integer() for t in ax.get_xticks())
    with pytest.raises(ValueError, match="target for \\['f1'\\]"):
        plotting.plot_history({"loss": [1.0]}, targets={"f1": 0.9})


# --------------------------------------------------------------------------- files

def _tiny_model():
    model = gn.Sequential([layers.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("name", ["m.h5", "m.keras", "M.HDF5", "m.weights.h5"])
def test_keras_extensions_are_refused(tmp_path, name):
    model = _tiny_model()
    path = tmp_path / name
    with pytest.raises(ValueError, match=r"(?s)does not read or write Keras's formats.*\.glassnet"):
        model.save(path)
    with pytest.raises(ValueError, match="does not read or write Keras's formats"):
        model.save_weights(path)
    assert list(tmp_path.iterdir()) == []
    model.save(tmp_path / "m.glassnet")
    os.replace(tmp_path / "m.glassnet", path)               # a glassnet file under a Keras name
    with pytest.raises(ValueError, match="load_model: .*extension"):
        gn.load_model(path)
    with pytest.raises(ValueError, match="load_weights: .*extension"):
        model.load_weights(path)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_saved_files_get_the_mode_open_would_give(tmp_path, umask, mode):
    model = _tiny_model()
    old = os.umask(umask)
    try:
        model.save(tmp_path / "m.glassnet")
        model.save_weights(tmp_path / "w.npz")
        from glassnet.callbacks.backup import _atomic_write_bytes
        _atomic_write_bytes(str(tmp_path / "backup.npz"), b"data")
        source = tmp_path / "src.gz"
        source.write_bytes(b"plain")
        _files.download(source.as_uri(), tmp_path / "down" / "f.gz", progress=False)
    finally:
        os.umask(old)
    for path in (tmp_path / "m.glassnet", tmp_path / "w.npz", tmp_path / "backup.npz",
                 tmp_path / "down" / "f.gz"):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
    assert gn.load_model(tmp_path / "m.glassnet").count_params() == model.count_params()
