"""The index: its database and segment files, BM25 and vectors, the sync that brings it in line
with its sources, its checks and repairs, the library of sources and `--watch`."""
