"""The ``glassnet`` command: ``labs list``, ``labs run`` and its errors, and every lab at
``--quick`` settings through the real command line (what a learner types)."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from glassnet import cli
from glassnet.labs import load_all
from helpers import SHARED_DATA



def run_cli(*args, env=None, timeout=600):
    """Run ``python -m glassnet ARGS`` in a fresh process, as a user would."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "glassnet", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout)


def test_labs_list_shows_every_registered_lab(capsys):
    assert cli.main(["labs", "list"]) == 0
    printed = capsys.readouterr().out
    registry = load_all()
    assert registry, "no labs registered"
    for name, lab in registry.items():
        assert name in printed
        assert lab.title and lab.section and lab.shows and lab.typical_time, \
            f"lab {name} lacks a title, section, description or typical time"


def test_unknown_lab_fails_with_one_line(capsys):
    assert cli.main(["labs", "run", "no-such-lab"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no lab named 'no-such-lab'" in err[0]


def test_bad_parameter_override_fails_with_one_line(capsys):
    name = sorted(load_all())[0]
    assert cli.main(["labs", "run", name, "--quick", "--set", "not_a_param=3"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "has no parameter 'not_a_param'" in err[0]


def test_name_and_all_are_exclusive(capsys):
    assert cli.main(["labs", "run"]) == 1
    assert "give one lab NAME, or --all" in capsys.readouterr().err


def test_help_is_available_everywhere():
    for args in (["--help"], ["labs", "--help"], ["labs", "run", "--help"], ["labs", "list", "--help"]):
        with pytest.raises(SystemExit) as exc:
            cli.main(args)
        assert exc.value.code == 0


@pytest.mark.skipif(not (SHARED_DATA / "mnist").is_dir(),
                    reason=f"the MNIST labs need the data folder; none at {SHARED_DATA}")
def test_every_lab_runs_quick_from_the_command_line(tmp_path):
    """``glassnet labs run --all --quick``: exit code 0, every lab reports and saves its figures."""
    result = run_cli("labs", "run", "--all", "--quick", "--out", str(tmp_path),
                     env={"GLASSNET_DATA": str(SHARED_DATA), "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr[-3000:]
    for name in load_all():
        assert f"== {name}:" in result.stdout, f"lab {name} did not start"
        pngs = list((tmp_path / name).glob("*.png"))
        assert pngs, f"lab {name} saved no figure"
        for png in pngs:
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    assert result.stdout.count("done in ") == len(load_all())


def test_parameter_overrides_take_the_type_of_the_default():
    from glassnet.labs.base import _convert
    assert _convert("False", True, "p") is False          # bool("False") would be True
    assert _convert("yes", False, "p") is True
    assert _convert("3", 10, "p") == 3 and _convert("0.5", 0.1, "p") == 0.5
    with pytest.raises(ValueError, match="expected true or false, received 'maybe'"):
        _convert("maybe", True, "p")
    with pytest.raises(ValueError, match="expected int like 10, received 'ten'"):
        _convert("ten", 10, "p")


def test_results_show_quoted_figures_in_full_and_float_noise_rounded():
    from glassnet.labs.base import format_value
    assert format_value(-26.79078617) == "-26.79078617"          # the course's figure, all digits
    assert format_value(np.float32(0.9581)) == "0.9581"            # not 0.95810002
    assert format_value(1 / 3) == "0.33333333"                     # long floats: 8 significant digits
    assert format_value(7) == "7"
