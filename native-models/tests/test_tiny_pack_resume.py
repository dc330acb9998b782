"""`tiny_pack train` resumes a run folder only for the chain it started (a recipe change must not reuse old runs)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "recipes"))
from tiny_pack import _check_same_init  # noqa: E402  (native-models/recipes/tiny_pack.py)


def test_a_run_folder_resumes_only_from_the_init_it_started_from(md_chain, tmp_path):
    stage2_dir = os.path.dirname(md_chain["stage2"])
    _check_same_init(stage2_dir, md_chain["stage1"])                       # same stage 1: resumes
    _check_same_init(str(tmp_path / "new_run"), md_chain["vae"])          # nothing there yet: starts
    with pytest.raises(SystemExit, match="was started from .*stage1.*checkpoint.pt, not .*vae"):
        _check_same_init(stage2_dir, md_chain["vae"])                      # another init: refused, with the fix


def test_the_recipe_runs_as_a_script_and_through_the_old_module_name():
    """recipes/tiny_pack.py is the recipe; `python -m musedance_models.tiny_pack` still reaches it."""
    import subprocess
    native = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for argv in (["recipes/tiny_pack.py", "--help"], ["-m", "musedance_models.tiny_pack", "--help"]):
        p = subprocess.run([sys.executable, *argv], cwd=native, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0 and "train / export / evaluate the bundled musedance-tiny pack" in p.stdout, p.stderr
