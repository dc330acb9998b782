"""`tiny_pack train` resumes a run folder only for the chain it started (a recipe change must not reuse old runs)."""
import os

import pytest

from musedance_models.tiny_pack import _check_same_init


def test_a_run_folder_resumes_only_from_the_init_it_started_from(md_chain, tmp_path):
    stage2_dir = os.path.dirname(md_chain["stage2"])
    _check_same_init(stage2_dir, md_chain["stage1"])                       # same stage 1: resumes
    _check_same_init(str(tmp_path / "new_run"), md_chain["vae"])          # nothing there yet: starts
    with pytest.raises(SystemExit, match="was started from .*stage1.*checkpoint.pt, not .*vae"):
        _check_same_init(stage2_dir, md_chain["vae"])                      # another init: refused, with the fix
