"""repapp's benchmark: `python bench/run.py` (see bench/README.md)."""
