# Its presence puts native-models/ on sys.path under pytest (rootdir conftest), so `musedance_models` imports
# when the suite runs from the repository root: /usr/bin/python3 -m pytest native-models
