"""glassnet.plotting: every figure maker draws something that saves as a real PNG, and bad
input is refused with a clear ValueError."""
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from glassnet import plotting  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _assert_png(fig, path):
    import matplotlib.pyplot as plt
    fig.savefig(path, dpi=60)
    plt.close(fig)
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 1000  # more than an empty canvas (a blank one is ~ 300 bytes)


def test_plot_history_from_dict_and_history_object(tmp_path):
    logs = {"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.7], "accuracy": [0.5, 0.7, 0.8],
            "val_accuracy": [0.4, 0.6, 0.7]}
    fig = plotting.plot_history(logs, title="run")
    assert len(fig.axes) == 2
    _assert_png(fig, tmp_path / "h.png")

    class FakeHistory:
        history = logs
    fig = plotting.plot_history(FakeHistory(), metrics=["accuracy"])
    assert len(fig.axes) == 1
    _assert_png(fig, tmp_path / "h2.png")


def test_plot_history_into_given_axes_draws_first_metric(tmp_path):
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2)
    out = plotting.plot_history({"loss": [1.0, 0.5], "accuracy": [0.2, 0.9]}, ax=b)
    assert out is fig
    assert b.get_ylabel() == "loss" and not a.lines
    _assert_png(fig, tmp_path / "h3.png")


def test_plot_history_unknown_metric():
    with pytest.raises(ValueError, match="no metric"):
        plotting.plot_history({"loss": [1.0]}, metrics=["accuracy"])
    with pytest.raises(ValueError):
        plotting.plot_history({})


def test_plot_curves(tmp_path):
    fig = plotting.plot_curves({"a": [1.0, 0.5, 0.2], "b": (np.array([0, 10, 20]), [1.0, 0.3, 0.1])},
                               ylabel="loss", title="two runs", logy=True)
    assert fig.axes[0].get_yscale() == "log"
    _assert_png(fig, tmp_path / "c.png")
    with pytest.raises(ValueError, match="x values"):
        plotting.plot_curves({"a": ([0, 1], [1.0, 2.0, 3.0])})


def test_plot_decision_boundary_binary_and_multiclass(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    seen = {}

    def prob(p):
        seen["dtype"] = p.dtype
        return 1 / (1 + np.exp(-(p[:, 0] + p[:, 1])))[:, None]
    fig = plotting.plot_decision_boundary(prob, x, y, title="binary", resolution=50)
    assert seen["dtype"] == np.float32
    _assert_png(fig, tmp_path / "d.png")

    y3 = np.digitize(x[:, 0], [-0.5, 0.5])
    fig = plotting.plot_decision_boundary(lambda p: np.stack([-p[:, 0], -np.abs(p[:, 0]) + 0.5, p[:, 0]], 1),
                                          x, y3, resolution=40)
    _assert_png(fig, tmp_path / "d3.png")


def test_plot_decision_boundary_rejects_bad_points():
    x3 = np.zeros((5, 3), dtype=np.float32)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plotting.plot_decision_boundary(lambda p: p[:, 0], x3, np.zeros(5))
    with pytest.raises(ValueError, match="labels"):
        plotting.plot_decision_boundary(lambda p: p[:, 0], np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="predict returned"):
        plotting.plot_decision_boundary(lambda p: p[:3, 0], np.zeros((5, 2)), np.zeros(5))


def test_plot_confusion_matrix(tmp_path):
    cm = np.array([[50, 0, 0], [0, 48, 2], [0, 0, 50]])
    fig = plotting.plot_confusion_matrix(cm, class_names=["setosa", "versicolor", "virginica"], title="iris")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "48" in texts and "2" in texts
    _assert_png(fig, tmp_path / "cm.png")
    _assert_png(plotting.plot_confusion_matrix(cm, normalize=True), tmp_path / "cmn.png")
    with pytest.raises(ValueError, match="square"):
        plotting.plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="class names"):
        plotting.plot_confusion_matrix(cm, class_names=["a", "b"])


def test_plot_images_marks_wrong_predictions_red(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.random((6, 28, 28, 1)).astype(np.float32)
    fig = plotting.plot_images(images, labels=[0, 1, 2, 3, 4, 5], predictions=[0, 1, 2, 3, 4, 9], ncols=3,
                               title="digits")
    titled = [a for a in fig.axes if a.get_title()]
    assert [a.get_title() for a in titled][-1] == "5/9"
    assert matplotlib.colors.same_color(titled[-1].title.get_color(), "red")
    assert matplotlib.colors.same_color(titled[0].title.get_color(), "black")
    _assert_png(fig, tmp_path / "im.png")
    fig = plotting.plot_images(rng.random((3, 8, 8, 3)), labels=np.eye(3), class_names=["a", "b", "c"])
    assert fig.axes[1].get_title() == "b"
    _assert_png(fig, tmp_path / "im3.png")
    with pytest.raises(ValueError, match="labels"):
        plotting.plot_images(images, labels=[1, 2])


def test_plot_filters_and_feature_maps(tmp_path):
    rng = np.random.default_rng(0)
    _assert_png(plotting.plot_filters(rng.normal(size=(3, 3, 1, 8)), title="filters"), tmp_path / "f.png")
    _assert_png(plotting.plot_filters(rng.normal(size=(5, 5, 3, 4)), ncols=2), tmp_path / "f3.png")
    _assert_png(plotting.plot_feature_maps(rng.random((12, 12, 6)), ncols=3, title="maps"), tmp_path / "m.png")
    with pytest.raises(ValueError, match="kh, kw, in, out"):
        plotting.plot_filters(np.zeros((3, 3, 8)))
    with pytest.raises(ValueError, match=r"\(h, w, c\)"):
        plotting.plot_feature_maps(np.zeros((12, 12)))


def test_import_glassnet_does_not_import_matplotlib():
    code = "import sys, glassnet, glassnet.plotting; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
