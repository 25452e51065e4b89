"""Make models/ (export_exact_field) and models/tests (reference) importable from the tests."""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
