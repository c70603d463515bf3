"""The retrieval pipeline, one job per module, each stage a plain function over typed records and
the settings (qa/settings.py):

  snapshot.py  one generation of the index in memory: meta, BM25 weights, vectors, passage ids
  request.py   requested: a request's lead-in left unsearched ("tell me about X": X)
  spelling.py  spell: the question's slips corrected against the index's words, its names' spellings
  candidates.py  retrieve: both rankings' top lists, each candidate scored by both (Candidates)
  fusion.py    fuse: share x BM25 / best BM25 + (1 - share) x cosine, a pure function
  rerank.py    word weights within the article, best sentence per passage, re-rank by it
  verdict.py   decide whether the best passage answers the question (Verdict)
  quoted.py    quoted_first: the candidates saying a quoted phrase first
  pasted.py    widen_pasted: sentences pasted as the query highlighted together
  cite.py      citation rows -> Hit records
  pipeline.py  the stages after retrieval composed over a PassageSource (sqlite or memory)
  retriever.py Retriever: the stages over an index folder, reloaded when a reindex commits
  local_index.py LocalIndexReader: today's engine behind qa.interfaces.IndexReader (sqlite + segments)

and what the stages use: speller.py (the index's vocabulary as a speller), highlight.py (a
passage's best sentence and its score), answer_types.py (the kind of phrase a question asks for),
context.py (a follow-up question's topic), records.py, filters.py, duplicates.py, support.py.

qa/search.py keeps the public names (Searcher, Hit, Answer, display_path).
"""
