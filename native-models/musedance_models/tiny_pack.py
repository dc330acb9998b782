"""The tiny pack's recipe moved to native-models/recipes/tiny_pack.py (recipes live outside the library). This
module only forwards the old command line, `python -m musedance_models.tiny_pack <command>`, to it."""
import os
import runpy
import sys

RECIPE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "recipes", "tiny_pack.py")

if __name__ == "__main__":
    sys.argv[0] = RECIPE
    runpy.run_path(RECIPE, run_name="__main__")
