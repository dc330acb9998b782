import os
import sys

from .server import main

code = main()
sys.stderr.flush()
# os._exit: the stdin reader is a daemon thread blocked in read(); normal interpreter shutdown can
# deadlock on stdin's buffer lock, and nothing is left to clean up (protocol lines are flushed per line).
os._exit(code)
