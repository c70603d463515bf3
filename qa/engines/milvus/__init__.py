"""The Milvus engine: the index folder stays the catalogue (sources, documents, passages, hashes,
stories, term statistics); a Milvus collection holds each passage's vector, BM25 term weights and
citation row, and answers the candidate searches and citation reads.

  rows.py        a passage as a collection row, and back (no pymilvus)
  collection.py  the connection, the collection's schema, searches, reads, inserts and deletes
  publish.py     bring the collection to the catalogue's committed generation (readers see one)
  reader.py      MilvusIndexReader (qa.interfaces.IndexReader)
  writer.py      MilvusIndexWriter (qa.interfaces.IndexWriter): the local sync, then a publish
  server.py      a Milvus Lite gRPC server for many processes (`make milvus-server`)

pymilvus is imported here only (an import-linter contract), so the local engine never loads it.
"""
