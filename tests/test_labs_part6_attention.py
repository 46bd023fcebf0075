"""The attention labs of issue 11 (date-translation, transformer-encoder): their data, the
inference models wired like the training ones, the positional embedding, and quick runs.
(The full settings are in test_labs_full_part6_attention.py.)"""
from __future__ import annotations

import datetime
import re

import numpy as np
import pytest

from glassnet import backend
from glassnet.labs import load_all, run_lab
from glassnet.labs import date_translation as dt
from glassnet.labs import transformer_encoder as te

# how each of the lab's formats reads back with strptime (%d and %m accept "5" as well as "05")
STRPTIME = ["%B %d, %Y", "%d %B %Y", "%b %d, %Y", "%d %b %Y", "%A, %B %d, %Y", "%m/%d/%Y"]


@pytest.fixture(autouse=True)
def _registry():
    load_all()


def quick(name, tmp_path, **overrides):
    lines = []
    result = run_lab(name, quick=True, out=tmp_path, echo=lines.append, overrides=overrides or None)
    for path in result.figures:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    return result, "\n".join(lines)


def note(result, name):
    return next(m.note for m in result.metrics if m.name == name)


# ------------------------------------------------------------------ date-translation: data

def test_dates_read_back_to_their_iso_date_in_every_format():
    texts, isos, kinds = dt.make_dates(3000, np.random.default_rng(5))
    assert sorted(set(kinds.tolist())) == list(range(len(dt.FORMATS))) == list(range(len(STRPTIME)))
    for text, iso, kind in zip(texts, isos, kinds):
        assert datetime.datetime.strptime(text, STRPTIME[kind]).date().isoformat() == iso, text
        assert len(text) <= dt.INPUT_LENGTH and len(iso) == dt.OUTPUT_LENGTH == 10
    years = [int(iso[:4]) for iso in isos]
    assert 1000 <= min(years) < 1500 and 9500 < max(years) <= 9999
    assert dt.FORMATS[4][1](datetime.date(2019, 4, 22)) == "Monday, April 22, 2019"
    assert dt.INPUT_LENGTH == len("Wednesday, September 27, 2000") == 29


def test_held_out_dates_are_never_training_dates():
    rng = np.random.default_rng(0)
    _, train, _ = dt.make_dates(2000, rng)
    _, test, _ = dt.make_dates(500, rng, exclude=train)
    assert not set(train) & set(test) and len(test) == 500
    # the exclusion does something: a range of 4 days drawn often repeats without it
    few = np.random.default_rng(1)
    first = datetime.date.fromordinal(dt.FIRST_DAY).isoformat()
    assert first not in dt.make_dates(50, few, exclude=[first])[1]


def test_encoding_pads_in_front_and_teacher_forcing_shifts_by_one():
    x = dt.encode_inputs(["4/22/2019", "May 1, 1000"])
    assert x.shape == (2, dt.INPUT_LENGTH) and x.dtype == np.int32
    assert (x[0, :-9] == 0).all() and (x[0, -9:] > 0).all()
    assert [dt.INPUT_CHARS[i - 1] for i in x[1, -11:]] == list("May 1, 1000")
    y = dt.encode_outputs(["2019-04-22", "1000-05-01"])
    assert dt.decode_outputs(y) == ["2019-04-22", "1000-05-01"]
    d = dt.teacher_inputs(y)
    assert (d[:, 0] == dt.START).all() and (d[:, 1:] == y[:, :-1]).all()


# ------------------------------------------------------------------ date-translation: models

@pytest.mark.parametrize("attention", [False, True])
def test_greedy_decoding_agrees_with_the_training_model(attention):
    """The one-step decoder shares the training model's layers: fed its own greedy output under
    teacher forcing, the training model must pick the same character at every step."""
    backend.set_seed(3)
    nets = dt.build(units=16, embed=8, attention=attention)
    rng = np.random.default_rng(3)
    x = dt.encode_inputs(dt.make_dates(64, rng)[0])
    y = dt.encode_outputs(dt.make_dates(64, rng)[1])
    nets["model"].compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    nets["model"].fit([x, dt.teacher_inputs(y)], y, epochs=2, batch_size=16, verbose=0)  # not random weights
    pred, weights = dt.greedy_decode(nets["encoder"], nets["step"], x)
    assert pred.shape == (64, 10) and pred.dtype.kind == "i"
    again = nets["model"].predict([x, dt.teacher_inputs(pred)], verbose=0).argmax(axis=-1)
    np.testing.assert_array_equal(again, pred)
    if not attention:
        assert weights is None
        return
    assert weights.shape == (64, 10, dt.INPUT_LENGTH)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-5)
    assert nets["model"].get_layer("attention") in nets["step"].layers


@pytest.mark.parametrize("attention", [False, True])
def test_inference_models_have_no_weights_of_their_own(attention):
    nets = dt.build(units=8, embed=4, attention=attention)
    trained = {id(w) for w in nets["model"].weights}
    for part in ("encoder", "step"):
        assert nets[part].weights and {id(w) for w in nets[part].weights} <= trained, part


def test_date_translation_quick_run(tmp_path):
    result, out = quick("date-translation", tmp_path)
    assert [p.name for p in result.figures] == ["date_translation_curves.png", "date_translation_attention.png"]
    for fmt, example in [("Month D, YYYY", "April 22, 2019"), ("Weekday, Month D, YYYY", "Monday, April 22, 2019"),
                         ("M/D/YYYY", "4/22/2019")]:
        assert re.search(rf"^{re.escape(fmt)}\s+{re.escape(example)}\s+2019-04-22$", out, flags=re.M)
    for label in ("no attention", "attention"):
        exact = result.metric(f"{label}: exact match")
        right, total = map(int, re.fullmatch(r"(\d+) of (\d+) .*", note(result, f"{label}: exact match")).groups())
        assert total == 200 and exact == right / total
    # a quick run trains too little to translate; the table of each epoch is still printed
    assert re.search(r"^2\s+\d\.\d{4}\s+\d\.\d{4}$", out, flags=re.M)
    assert 0.0 < result.metric("attention weight on the padding") < 1.0


# ------------------------------------------------------------------ transformer-encoder

def test_positional_embedding_adds_a_position_row_to_each_token_row():
    backend.set_seed(0)
    layer = te.PositionalEmbedding(6, 10, 4)
    x = np.array([[3, 3, 0, 9], [1, 2, 3, 4]], np.int32)
    out = np.asarray(layer(x).data)
    tokens, positions = (np.asarray(w.data) for w in layer.weights)
    assert out.shape == (2, 4, 4) and [w.shape for w in layer.weights] == [(10, 4), (6, 4)]
    np.testing.assert_allclose(out, tokens[x] + positions[None, :4], rtol=1e-6)
    assert not np.allclose(out[0, 0], out[0, 1])          # the same token at two positions differs
    assert layer.get_config()["sequence_length"] == 6
    with pytest.raises(ValueError, match="at most 6 steps"):
        layer(np.zeros((1, 7), np.int32))


def test_without_positions_self_attention_cannot_tell_where_a_digit_is():
    """Without the position embedding the encoder is permutation-equivariant: permuting the
    input permutes the output, so it cannot reverse. With it, it is not."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 10, (5, 8)).astype(np.int32)
    perm = rng.permutation(8)
    for kind, equivariant in [("no positions", True), ("transformer", False)]:
        backend.set_seed(1)
        model, _ = te.build(8, 16, 2, 32, 2, kind)
        out, out_perm = model.predict(x, verbose=0), model.predict(x[:, perm], verbose=0)
        assert np.allclose(out_perm, out[:, perm], atol=1e-5) == equivariant, kind


def test_the_baseline_has_no_path_between_positions():
    backend.set_seed(2)
    model, weights_model = te.build(8, 16, 2, 32, 2, "no attention")
    assert weights_model is None
    x = np.random.default_rng(2).integers(0, 10, (4, 8)).astype(np.int32)
    changed = x.copy()
    changed[:, 3] = (changed[:, 3] + 5) % 10
    a, b = model.predict(x, verbose=0), model.predict(changed, verbose=0)
    others = [i for i in range(8) if i != 3]
    np.testing.assert_allclose(a[:, others], b[:, others], atol=1e-6)
    assert not np.allclose(a[:, 3], b[:, 3])


def test_attention_weights_model_gives_every_block_and_head():
    backend.set_seed(4)
    model, weights_model = te.build(8, 16, 2, 32, 3, "transformer")
    x = np.random.default_rng(4).integers(0, 10, (3, 8)).astype(np.int32)
    maps = weights_model.predict(x, verbose=0)
    assert len(maps) == 3 and all(m.shape == (3, 2, 8, 8) for m in maps)
    np.testing.assert_allclose(np.sum(maps, axis=-1), 1.0, atol=1e-5)
    assert model.count_params() == te.build(8, 16, 2, 32, 3, "no positions")[0].count_params() + 8 * 16


def test_transformer_quick_run_reverses_and_the_baseline_cannot(tmp_path):
    result, out = quick("transformer-encoder", tmp_path)
    assert len(result.figures) == 3
    # quick settings (2,000 sequences, 2 epochs at rate 0.005), seeds 0-2: reverse 1.0, 1.0, 1.0; its
    # baseline 0.09-0.10; sort 0.91-0.96 against 0.37-0.38; mirror weight 0.93-0.99
    assert result.metric("reverse: transformer accuracy per position") > 0.9
    assert result.metric("reverse: no attention accuracy per position") < 0.2      # chance: 0.1
    assert result.metric("sort: transformer accuracy per position") > result.metric(
        "sort: no attention accuracy per position") + 0.2
    assert result.metric("reverse: weight on the mirror position") > 0.5
    assert re.search(r"^reverse\s+no attention\s+\d+\s+0\.\d{4}\s+0\.0000", out, flags=re.M)


def test_transformer_lab_refuses_unknown_tasks(tmp_path):
    with pytest.raises(ValueError, match="tasks"):
        run_lab("transformer-encoder", quick=True, out=tmp_path, echo=lambda *a: None,
                overrides={"tasks": "reverse,shuffle"})
