"""Ensembles: combination rules on hand-made probabilities, and a small trained ensemble."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.ensemble import Ensemble, combine_predictions, predicted_classes

# three members, four samples, three classes
P1 = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.4, 0.35, 0.25], [0.3, 0.3, 0.4]], np.float32)
P2 = np.array([[0.1, 0.8, 0.1], [0.2, 0.5, 0.3], [0.4, 0.5, 0.1], [0.2, 0.6, 0.2]], np.float32)
P3 = np.array([[0.6, 0.2, 0.2], [0.3, 0.3, 0.4], [0.1, 0.6, 0.3], [0.1, 0.1, 0.8]], np.float32)


def test_average_is_the_mean_probability():
    avg = combine_predictions([P1, P2, P3], "average")
    np.testing.assert_allclose(avg, (P1 + P2 + P3) / 3, rtol=1e-6)
    assert avg.dtype == np.float32
    # sample 0: means 0.4, 0.433, 0.2 -> class 1 (while two of the three members vote 0)
    np.testing.assert_array_equal(predicted_classes([P1, P2, P3], "average"), [1, 2, 1, 2])


def test_vote_is_the_majority_class_and_ties_go_to_the_higher_mean_probability():
    votes = combine_predictions([P1, P2, P3], "vote")
    # member classes: sample 0 -> 0, 1, 0; sample 1 -> 2, 1, 2; sample 2 -> 0, 1, 1; sample 3 -> 2, 1, 2
    np.testing.assert_allclose(votes, np.array([[2, 1, 0], [0, 1, 2], [1, 2, 0], [0, 1, 2]]) / 3, rtol=1e-6)
    np.testing.assert_array_equal(predicted_classes([P1, P2, P3], "vote"), [0, 2, 1, 2])
    # where vote and average disagree: two members mildly for class 0, one strongly for class 1
    a, b, c = np.array([[0.55, 0.45]]), np.array([[0.52, 0.48]]), np.array([[0.01, 0.99]])
    assert predicted_classes([a, b, c], "vote")[0] == 0
    assert predicted_classes([a, b, c], "average")[0] == 1
    # a 1-1 tie between two members: the class with the higher mean probability wins
    assert predicted_classes([np.array([[0.6, 0.4]]), np.array([[0.1, 0.9]])], "vote")[0] == 1
    assert predicted_classes([np.array([[0.9, 0.1]]), np.array([[0.4, 0.6]])], "vote")[0] == 0


def test_sigmoid_outputs():
    a, b, c = np.array([[0.9], [0.4]]), np.array([[0.6], [0.45]]), np.array([[0.2], [0.99]])
    np.testing.assert_allclose(combine_predictions([a, b, c], "vote"), [[2 / 3], [1 / 3]], rtol=1e-6)
    np.testing.assert_array_equal(predicted_classes([a, b, c], "vote"), [1, 0])
    np.testing.assert_array_equal(predicted_classes([a, b, c], "average"), [1, 1])


def test_combine_validation():
    with pytest.raises(ValueError, match="combine.*'median'"):
        combine_predictions([P1], "median")
    with pytest.raises(ValueError, match="share one shape"):
        combine_predictions([P1, P1[:2]])


# ---------------------------------------------------------------------- trained ensemble
def circle_data():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((600, 2)).astype(np.float32)
    y = ((x[:, 0] ** 2 + x[:, 1] ** 2) > 1.2).astype(np.int64)
    flip = rng.random(600) < 0.1
    y[flip] = 1 - y[flip]
    return (x[:200], y[:200]), (x[200:], y[200:])


def build():
    model = gn.Sequential([layers.Input((2,)), layers.Dense(16, activation="tanh"),
                           layers.Dense(2, activation="softmax")])
    model.compile(optimizer=gn.optimizers.Adam(0.03), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_ensemble_beats_its_average_member():
    (x, y), (x_test, y_test) = circle_data()
    ens = Ensemble(build, n_members=5, seed=3, combine="average")
    histories = ens.fit(x, y, epochs=15, batch_size=16, verbose=0, validation_data=(x_test[:50], y_test[:50]))
    assert len(histories) == 5 and all(len(h.history["val_loss"]) == 15 for h in histories)
    result = ens.evaluate(x_test, y_test)
    accuracies = [m["accuracy"] for m in result["members"]]
    assert len(set(accuracies)) > 1  # the members differ
    assert result["ensemble"]["accuracy"] >= np.mean(accuracies) == pytest.approx(result["mean_member_accuracy"])
    # cross-entropy is convex: the averaged prediction's loss is at most the members' mean loss
    assert result["ensemble"]["loss"] <= np.mean([m["loss"] for m in result["members"]]) + 1e-6
    # a member's entry matches its own evaluate
    loss0, acc0 = ens.members[0].evaluate(x_test, y_test, verbose=0)
    assert result["members"][0]["accuracy"] == pytest.approx(acc0)
    assert result["members"][0]["loss"] == pytest.approx(loss0, rel=1e-5)
    # predict / predict_classes agree with the combination functions
    preds = ens.member_predictions(x_test)
    np.testing.assert_allclose(ens.predict(x_test), combine_predictions(preds), rtol=1e-6)
    np.testing.assert_array_equal(ens.predict_classes(x_test), predicted_classes(preds))
    # hard voting on the same members
    ens.combine = "vote"
    voted = ens.evaluate(x_test, y_test)
    assert voted["ensemble"]["loss"] is None
    assert voted["ensemble"]["accuracy"] >= voted["mean_member_accuracy"]


def test_members_differ_in_initial_weights_and_shuffling_and_seeds_reproduce():
    a = Ensemble(build, n_members=3, seed=0)
    assert a.seeds == [0, 1, 2]
    assert not np.array_equal(a.members[0].get_weights()[0], a.members[1].get_weights()[0])
    b = Ensemble(build, n_members=3, seed=0)
    for m, n in zip(a.members, b.members):
        np.testing.assert_array_equal(m.get_weights()[0], n.get_weights()[0])

    # build_fn may take the member's seed; here every member starts from the same weights, so
    # only the shuffling (seeded per member) can make them differ
    seeds_seen = []

    def same_start(seed):
        seeds_seen.append(seed)
        model = gn.Sequential([layers.Input((2,)), layers.Dense(
            2, activation="softmax", kernel_initializer=gn.initializers.GlorotUniform(seed=7))])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    (x, y), _ = circle_data()
    ens = Ensemble(same_start, n_members=2, seed=10)
    assert seeds_seen == [10, 11]
    np.testing.assert_array_equal(ens.members[0].get_weights()[0], ens.members[1].get_weights()[0])
    ens.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.array_equal(ens.members[0].get_weights()[0], ens.members[1].get_weights()[0])


def test_ensemble_argument_checks(capsys):
    def uncompiled():
        return gn.Sequential([layers.Input((2,)), layers.Dense(2)])

    with pytest.raises(ValueError, match="compiled"):
        Ensemble(uncompiled, n_members=2)
    with pytest.raises(ValueError, match="n_members.*received 0"):
        Ensemble(build, n_members=0)
    ens = Ensemble(build, n_members=2, seed=0)
    (x, y), _ = circle_data()
    with pytest.raises(TypeError, match="seed"):
        ens.fit(x, y, epochs=1, seed=3)
    ens.fit(x[:20], y[:20], epochs=1, verbose=2)
    out = capsys.readouterr().out
    assert "Member 1/2" in out and "Member 2/2" in out and "Epoch 1/1" in out
