"""The engines an index can answer from: the local one (the index folder's segment files, the
default) or a Milvus collection (qa/engines/milvus/), chosen by the URI the index records.

  uri.py      parse `--engine`, record it in the catalogue (qa.sqlite), read it back; no engine imported
  readers.py  the IndexReader for an index folder: local, or Milvus when it records a Milvus URI
  writers.py  the IndexWriter likewise (the local sync, then a publish to the engine)
  milvus/     the Milvus engine (pymilvus is imported there only, never on the local engine's path)
"""
