"""Benchmarks: `python -m bench.run` (the suite) and the colleagues' single-purpose scripts."""
