"""Names -> objects: the one rule and the one error behind the six ``get()`` functions."""
from __future__ import annotations

import doctest

import pytest

from glassnet import activations, initializers, losses, metrics, optimizers, regularizers
from glassnet.utils import lookup
from glassnet.utils.lookup import Lookup

GETS = {"activation": activations.get, "initializer": initializers.get, "regularizer": regularizers.get,
        "loss": losses.get, "metric": metrics.get, "optimizer": optimizers.get}


@pytest.mark.parametrize("kind", sorted(GETS))
def test_an_unknown_name_raises_the_same_value_error_in_every_kind(kind):
    with pytest.raises(ValueError, match=rf"^Unknown {kind}: 'no_such_thing'\. Expected one of: '[a-z_0-9]+', .*\.$"):
        GETS[kind]("no_such_thing")


@pytest.mark.parametrize("kind", sorted(GETS))
def test_an_identifier_of_the_wrong_type_raises_value_error_in_every_kind(kind):
    with pytest.raises(ValueError, match=rf"^Could not interpret {kind} identifier: 3\.5\. Expected a name[ ,].*\.$"):
        GETS[kind](3.5)


@pytest.mark.parametrize("get, spellings, cls", [
    (losses.get, ["mse", "MSE", "mean_squared_error", "Mean_Squared_Error", "MeanSquaredError",
                  "meansquarederror"], losses.MeanSquaredError),
    (metrics.get, ["mae", "MAE", "mean_absolute_error", "MeanAbsoluteError", "meanabsoluteerror"],
     metrics.MeanAbsoluteError),
    (initializers.get, ["he_normal", "HE_NORMAL", "HeNormal", "henormal"], initializers.HeNormal),
    (optimizers.get, ["adam", "Adam", "ADAM"], optimizers.Adam),
    (regularizers.get, ["l2", "L2"], regularizers.L2),
])
def test_names_and_class_names_are_found_ignoring_case(get, spellings, cls):
    for spelling in spellings:
        assert type(get(spelling)) is cls, spelling
    assert activations.get("ReLU") is activations.get("relu") is activations.relu


def test_a_config_dict_names_its_class_exactly_first():
    # "accuracy" means AutoAccuracy (the kind decided later); the saved class Accuracy stays itself
    assert type(metrics.get("accuracy")) is metrics.AutoAccuracy
    assert type(metrics.get(metrics.serialize(metrics.Accuracy()))) is metrics.Accuracy
    # the name "l1_l2" means 0.01 of each penalty; a saved L1L2 keeps its own factors
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.01, "l2": 0.01}
    assert regularizers.get({"class_name": "L1L2", "config": {"l1": 0.5}}).get_config() == {"l1": 0.5, "l2": 0.0}
    assert type(optimizers.get({"class_name": "adam", "config": {}})) is optimizers.Adam  # then as a name
    with pytest.raises(ValueError, match=r"^Unknown loss: 'Nope'\."):
        losses.get({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match=r"^loss config: expected a dict with 'class_name'"):
        losses.get({"config": {}})


def test_custom_objects_come_first_and_match_exactly():
    def mse(y_true, y_pred):
        return losses.mean_absolute_error(y_true, y_pred)

    assert losses.get("mse", custom_objects={"mse": mse}).fn is mse
    assert type(losses.get("MSE", custom_objects={"mse": mse})) is losses.MeanSquaredError
    config = losses.serialize(losses.LossFunctionWrapper(mse, name="custom"))
    assert losses.get(config, custom_objects={"mse": mse}).fn is mse


def test_the_lookup_helper():
    table = Lookup("widget", names={"round_widget": dict, "rw": dict}, classes=[list])
    assert table.find("RW") is dict and table.find("List") is list and table.find_class("list") is list
    assert table.find("x", custom_objects={"x": set}) is set
    assert table.is_class_name("list") and not table.is_class_name("rw")
    assert str(table.unknown("nope")) == "Unknown widget: 'nope'. Expected one of: 'round_widget', 'rw'; " \
                                         "or a class name: 'list'."
    assert table.config_parts({"class_name": "list"}) == ("list", {})
    failures, tries = doctest.testmod(lookup, optionflags=doctest.ELLIPSIS)
    assert tries > 0 and failures == 0
