"""Performance benchmarks: `python -m benchmarks [NAME…] [ARGS…]` (or `make bench`).

Each `bench_<name>.py` module has a `main(argv)` and may be run alone with
`python -m benchmarks.bench_<name>`. Results land in `benchmarks/results/`.
"""
