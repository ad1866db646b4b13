"""Benchmarks for snsreceiver; run with ``python -m bench [name]`` or ``make bench``."""
