"""Every tuned number of retrieval, in one frozen record.

The defaults are what ships; each names the BENCHMARKS.md row (section "Retrieval quality") or
sweep that chose it. A benchmark sweep varies them with `dataclasses.replace(DEFAULT_SETTINGS, ...)`
and runs the shipped stages (qa/retrieval/) with the result, so what is measured is what runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class BM25Params(NamedTuple):
    """What a BM25 index is built with (qa/index/bm25.py): its weights depend on them."""

    k1: float
    b: float
    epsilon: float


@dataclass(frozen=True)
class RetrievalSettings:
    """The retrieval policy: BM25, fusion, sentence re-ranking, the answered rule, the score cue."""

    # -- BM25 (qa/index/bm25.py) --
    k1: float = 0.9  # "What was tried": "+ BM25 k1 0.9, b 0.4" (`--sweeps bm25`)
    b: float = 0.4  # the same row: Anserini's passage values, best of the k1 x b grid
    epsilon: float = 0.25  # rank-bm25's floor for negative IDF (kept so scores equal BM25Okapi's)
    # -- candidates and fusion (qa/retrieval/fusion.py) --
    candidates: int = 100  # "As shipped": both top-100 lists (`--sweeps fusion`, depth rows)
    bm25_share: float = 0.3  # "+ word weights within the article ... fusion BM25 share 0.3" (`--sweeps article`)
    # -- sentence re-ranking and highlight (qa/retrieval/rerank.py, qa/retrieval/highlight.py) --
    rerank_depth: int = 10  # "+ sentence re-ranking: top 10 fused" (top 20/30 change nothing, `--sweeps sentences`)
    sentence_weight: float = 0.4  # "+ word weights within the article ... sentence weight 0.4" (`--sweeps article`)
    bigram_weight: float = 0.4  # "+ word pairs: ... + 0.4 x share of the question's adjacent term pairs" (`--sweeps sentences`)
    article_share: float = 0.5  # "+ word weights within the article: ... article factor (share 0.5)" (`--sweeps article`)
    answer_type_weight: float = 0.2  # a sentence holding a phrase of the type asked for (qa/retrieval/answer_types.py): BENCHMARKS.md "The sentence that answers", row "answer_type_weight 0" (+0.4 highlight, +0.2 hit@1; `--sweeps answers`)
    role_holder_weight: float = 0.4  # beside answer_type_weight: a sentence naming someone by the role a "who" question asks who holds ("IMF boss Rodrigo Rato" for "who heads the imf"; qa/retrieval/role_verbs.py): BENCHMARKS.md "Who runs it" (0 / 0.2 / 0.4: heads2 14 / 19 / 21 of 26 marked; dev rows unchanged)
    answer_proximity: float = 0.3  # the answer phrase: a question word's nearness beside sharing its clause (qa/retrieval/highlight.py): BENCHMARKS.md "The answer phrase chosen by clause"
    context_weight: float = 0.5  # the question's weight a sentence lacks that the sentence before or the title holds: the same table, row "context_weight 0" (+0.7 highlight)
    anaphor_context_weight: float = 0.6  # context_weight of a sentence opening by referring back ("It was later renamed ...", qa/retrieval/highlight.py _REFERS), whose context is also what the sentence before read as its own when it referred back too: BENCHMARKS.md "The wrong sentence of the right passage, eighth session, after24" (tuning highlight 0.7316 -> 0.7330 at 0.6 with the carried context; 0.5 / 0.55 / 0.65 / 0.7 / 0.75: 0.7323 / 0.7323 / 0.7333 / 0.7333 / 0.7337, hit@1 lower from 0.65)
    # the sentence choice's learned terms (qa/retrieval/highlight.py Choice; the choice only, not the score the
    # re-rank reads): a conditional logit over the sentences of the tuning half's right first passages, the
    # shipped score as an offset (benchmarks/learn_sentence.py: fits 0.166, first -0.045, heading -0.410):
    # BENCHMARKS.md "The sentence choice learned (sentence24)"
    choice_answer: float = 0.0  # added for a phrase of the asked type that is of what the question counts: 0.17 (the fit) gained 9 highlights of 5,397 (held-out 2) but marked 24 more wrong phrases (quality's phrase 0.6571 -> 0.6518) and looked up 18% more phrases
    choice_first: float = -0.05  # added for the passage's first sentence (offline held-out 0.8811 -> 0.8830 with choice_heading; -0.1: 0.8797, -0.15: 0.8740): the stages' highlight 4011 -> 4017 (held-out 1864 -> 1868), quality.py highlight 0.7432 -> 0.7443, every row within 0.002
    choice_heading: float = -0.4  # added for a headline (a line no stop ends): the card's title says it already
    follow_sentences: int = 1  # a lead (paragraph's first sentence) without a phrase of the type asked for yields to the next sentence that holds one: the same table, row "follow_sentences 0" (-0.1 on SQuAD; kept for the news lead pattern the issue measured)
    follow_share: float = 0.5  # ... if that one scores at least this share of the lead (the "How much extra tax relief" case needs <= 0.54)
    follow_up_context: float = 0.1  # a follow-up's borrowed words (qa/retrieval/context.py) weigh this x theirs in the sentence choice and the re-rank: they find the story, the question's own words the sentence (at 1 "who is her lawyer" highlighted the previous answer's "real name" sentence again); BENCHMARKS.md "trial24b" (dev set: no follow-ups, unchanged)
    follow_up_share: float = 0.35  # a short question (qa/retrieval/context.py) stands alone when no passage holds its own words and the previous topic's together, each at this share of its best passage: BENCHMARKS.md "A reporter's questions on the BBC articles, third round", "Short new questions" (46 pairs, decisions right at 0.3 / 0.35 / 0.4: 39 / 42 / 40; 21 held out: 20 / 21 / 21)
    follow_up_kin: int = 6  # ... a word of the short question counts with the index's stems that start as it does (all but its last two letters, at least this many): "when was the diagnosis" after a question about someone diagnosed (BENCHMARKS.md "Follow-ups still lost")
    next_passage: bool = True  # the first passage ends on a lead without the answer phrase: the next passage of its article cites the answer that starts past the boundary (qa/retrieval/boundary.py): BENCHMARKS.md "The sentence that answers", row "next_passage off" (fires 5 times in 5,397 on SQuAD, whose answers rarely cross a passage boundary: +3 hit@1 questions, highlight +-0; the wire-story pattern)
    next_passage_reach: int = 2  # ... its chosen sentence one of its first this many new ones, its first scored with the lead's words as context (0: without, the first only): BENCHMARKS.md "The lead restates the question ... (lead24)" (trial24c highlight 89 / 90 / 91 at 0 / 1 / 2, one more with the amount rule; dev set: 1 lost at 1 and 2 alike)
    support_weight: float = 0.1  # + this x (other stories whose highlighted sentence holds the answer phrase, at most support_cap) / support_cap (qa/retrieval/support.py): the same table, rows "support_weight 0 / 0.3" (0.1: +-0 on SQuAD, 0.3: -0.3 hit@1)
    keyword_rerank_scale: float = 2.0  # keyword search (`--mode bm25`, the UI's first question while the model loads) re-ranks its head as hybrid does, sentence_weight and support_weight x this (qa/retrieval/pipeline.py keyword_rerank): BENCHMARKS.md "Keyword search re-ranked" (bm25 rows: none 0.7617 hit@1, 1.0 0.7886, 2.0 0.7995, 3.3 0.7953)
    support_cap: int = 3  # stories beyond this many add nothing more
    sentence_vector_weight: float = 0.75  # + this x the question's cosine with each sentence's centred late-chunked vector, in the choice and the re-rank (qa/retrieval/sentence_vectors.py; an index built with them only): BENCHMARKS.md "Third pass: sentence-level dense evidence", row "late-centered, both" (w 0.75 best on tuning; held-out highlight +1.45, hit@1 +0.45) and "Sentence vectors shipped" (all 5,397: highlight 0.7141 -> 0.7313, hit@1 0.8269 -> 0.8327)
    rerank_by_answer: bool = True  # re-rank passages by the chosen sentence's score with that evidence (False: the plain word match): the same table, row "re-rank by the plain word match" (+0.1 hit@1)
    # the re-rank's own weight of each part of the sentence evidence (qa/retrieval/rerank.py evidence; the parts are
    # those the sentence choice adds, highlight.Parts): a linear model fitted on the tuning half's re-ranked heads
    # (softmax over each question's 10, l2 1e-3; benchmarks/learn_rank.py), rounded; BENCHMARKS.md "The re-rank's
    # weights learned". The parts all 1 and the rest 0: the chosen sentence's score, as before
    rerank_match: float = 0.6  # x the chosen sentence's word match
    rerank_best_match: float = 0.5  # x the passage's best word match in any sentence (SentenceScore.match)
    rerank_context: float = 1.25  # x the context the choice added (context_weight x the share the sentence before / title hold)
    rerank_title: float = 0.4  # x the share of the question's weight only the title holds (not the sentence nor the one before)
    rerank_dense: float = 0.75  # x the sentence-vector score the choice added (sentence_vector_weight x cosine)
    rerank_answer_type: float = 0.5  # x the type bonus the choice added (answer_type_weight)
    rerank_story: float = 0.25  # x the share of the question's weight the passage's story holds, a term in two or more of its passages whole, in one half (rerank.story_shares): the story on the question's words before a round-up or passing mention that names them in one sentence; BENCHMARKS.md "Another story on the same subject first (story24b)" (dev hit@1 0.8386 -> 0.8414 at 0.25, 0.8421 at 0.5 with phrase -0.0026; the BBC sets' right story first +3 at 0.25, +5 / -2 at 0.5)
    rerank_bm25: float = -0.45  # x BM25 / best: the fused score's BM25 share counted less in the head, whose sentence match counts the words again
    # -- the answered rule (qa/retrieval/verdict.py) --
    coverage_weight: float = 0.5  # answer-agreement table: "cosine + 0.5 x coverage + 0.4 x sentence + 0.1 x agreement" (`--sweeps answer`)
    sentence_answer_weight: float = 0.4  # the same row
    agreement_weight: float = 0.1  # the same row
    min_answer_score: float = 0.895  # "The shipped rule along its threshold: 0.895 -> 0.904 / 0.954" (`--sweeps answer`); kept with missing_name_weight 0.1 (0.875 cost v2 "false", `benchmarks/typos.py --sweep`)
    missing_word_rarity: bool = True  # a question word no passage holds, not a name, weighs by its English rarity, not as the rarest (qa/retrieval/rarity.py; with a vector only): BENCHMARKS.md "Not found on a small index" (verdict24), hybrid in-corpus "true" 0.9524 -> 0.9531, held-out "false" 0.9164 -> 0.9160
    missing_name_weight: float = 0.1  # minus this x share of the question's names absent from the best passage and its title: "Questions as people type them", the verdict sweep (`benchmarks/typos.py --sweep`)
    min_keyword_coverage: float = 0.6  # answer-rule table "coverage >= 0.6" (keyword-only mode; `--sweeps operating-points`)
    # -- spelling (qa/retrieval/spelling.py): slips corrected against the index's vocabulary --
    spelling: bool = True  # BENCHMARKS.md "Questions as people type them" (`benchmarks/typos.py`)
    min_name_correction_length: int = 4  # a shorter unknown capitalised word is corrected by its vowels only (`benchmarks/typos.py`, name rows)
    min_real_word_count: int = 100_000  # an unknown word this frequent in symspellpy's English list is no slip: left as typed (0: never; BENCHMARKS.md "The slipped words", `benchmarks/typos.py --words`)
    context_terms: int = 4  # a correction is chosen by the question's rarest known words, this many (the commonest cost most to look up at 100k passages and tell least)
    uncased_names: bool = True  # a question typed all in lower case: a word the index holds and the English list lacks is a name (BENCHMARKS.md "Questions typed in lower case", `benchmarks/typos.py --lower`)
    max_name_variants: int = 3  # other spellings of a name searched besides it
    name_variant_weight: float = 0.5  # their BM25 weight, relative to the name's own
    # -- dense search (qa/index/vectors.py): exact below approximate_above passages, an IVF index above --
    approximate_above: int = 8_000  # BENCHMARKS.md "Sixth session (speed23f, 2026-12-07)": the quality benchmark's 9,764-passage segment as IVF (152 lists, 32 searched, recall@100 ~0.91) keeps every hybrid row within 0.0003 of exact, and its scan costs ~0.3 ms, not ~1.0 (`benchmarks/quality.py --modes hybrid`); was 100_000 ("How it scales, re-measured": at 100k exact 9.0 ms, IVF 2.0 ms at recall@100 0.9995; at 1M exact 83 ms, IVF 6.3 ms, `benchmarks/scale.py`)
    lists_per_sqrt: float = 2.0  # the IVF's lists: this x sqrt(passages) (2,000 at 1M), trained on TRAIN_PER_LIST vectors a list
    nprobe: int = 128  # lists searched a question: recall@100 against exact 0.9998 on 10k distinct passages (32: 0.938, 64: 0.986), 0.995 at 1M (`benchmarks/scale.py`)
    probe_share: float = 0.21  # but at most this share of an index's lists: 32 of a 10k segment's 152 (the row cited at approximate_above); 128 still from 610 lists up (~93k passages), so 100k and 1M search as before
    retrain_growth: float = 2.0  # trained centroids are kept on updates until the lists the rule wants are this x those trained
    # -- the UI's score cue (qa/ui/widgets.py score_level), on the ranking score's scale --
    cue_floor: float = 0.23  # operating-points percentiles: held-out questions' first passage 0.45-0.58 -> 1-2 bars; 0.40 before the re-rank's weights were fitted, which lower the first passage's score by 0.15-0.18 at every percentile (BM25 counted less in the head): 0.23 keeps each of the 15 percentiles at its number of bars (BENCHMARKS.md "The re-rank's weights learned"; 0.35 -> 0.40 with the sentence vectors, "Sentence vectors shipped")
    cue_step: float = 0.15  # the same: in-corpus right answers' median 0.99 -> 4 bars

    @property
    def bm25_params(self) -> BM25Params:
        return BM25Params(self.k1, self.b, self.epsilon)


#: the shipped settings
DEFAULT_SETTINGS = RetrievalSettings()


@dataclass(frozen=True)
class IndexingSettings:
    """How the index keeps its segments (qa/index/segments.py): an update writes one small segment and
    marks deleted passages; merges keep the number of segments and deleted rows bounded, the way
    Lucene's log merge policy does (adjacent segments of one size level are merged, so a passage
    is rewritten about once per level: O(log n) times)."""

    #: segments of one size level merged together (a level spans a factor of merge_factor passages)
    merge_factor: int = 8
    #: live passages below which every segment counts as the smallest level (tiny merges are cheap)
    min_merge_passages: int = 2000
    #: more segments than this: the two adjacent ones holding the fewest passages are merged
    max_segments: int = 16
    #: a segment more than this share of whose passages are deleted is rewritten without them
    max_deleted_share: float = 0.3
    #: segment files up to this size have their crc32 checked at every open; larger ones (written
    #: once, checked when written and by `qa index --check`) only their size: a crc32 of 1.5 GB
    #: costs ~1.5 s, more than opening the rest of the index
    open_crc_max_bytes: int = 64 << 20
    #: a sync adding and removing more than this share of the passages, and more than
    #: regroup_all_min of them, regroups every story (qa/index/story_index.py); fewer: only around the
    #: passages that changed (the same groups either way: this only chooses the cheaper)
    regroup_all_share: float = 0.1
    regroup_all_min: int = 1000
    #: a stored vector whose norm is further than this from 1 is damaged (qa/index/inspection.py): every
    #: embedding is stored as a unit vector, float32 rounding keeps it within ~1e-6, and damaged
    #: bytes read as floats land far off
    vector_norm_tolerance: float = 1e-3
    #: files read and analysed ahead of the embedding, in a thread (qa/index/sync_overlap.py), e.g.
    #: 32: enough to keep the model fed, few enough that memory stays bounded. 0 (shipped): the stages
    #: run one after another; overlapped measured ~7% slower on 2 shared cores, BBC text, PDF and
    #: HTML alike (BENCHMARKS.md, "Indexing: reading and analysing while the model embeds")
    read_ahead_files: int = 0
    #: with reading ahead, the first group embedded as soon as it holds this many passages (later
    #: ones: the checkpoint's 512), so the model starts while the next files are read
    first_group_passages: int = 64
    #: a sync stopped (Ctrl-C, an error) waits this long for the file the read-ahead is reading
    read_ahead_stop_seconds: float = 5.0
    #: the read-ahead thread's nice value (Linux): it reads in the gaps the model's threads leave
    #: rather than taking a core from them (onnxruntime waits for its slowest thread)
    read_ahead_nice: int = 10
    #: passages analysed a transaction when an older index's stored analyses are filled in after a
    #: commit (~115 us each: ~0.6 s a batch): memory stays bounded at any size, and a run stopped
    #: meanwhile keeps the batches done
    analyse_batch: int = 5000

    def __post_init__(self) -> None:
        if self.merge_factor < 2 or self.max_segments < 1 or not 0 < self.max_deleted_share <= 1:
            raise ValueError("merge_factor must be at least 2, max_segments at least 1, "
                             "max_deleted_share in (0, 1]")


#: the shipped indexing settings
DEFAULT_INDEXING = IndexingSettings()


@dataclass(frozen=True)
class ReaderSettings:
    """What reading one file may cost (qa/ingest/documents.py, qa/ingest/read_worker.py). A file over a budget
    is skipped with the reason and not read again until its size, modification time or inode
    changes (the skip records its stat fingerprint). PDF and HTML are read in a child process
    under these limits: PDFium's memory is not bounded by the file (a 611 KB PDF whose content
    stream inflates to 200 MB took it to 23 GB), nor trafilatura's time (an 8 MB page: 78 s).
    Text and Markdown (front matter included) are read in process, bounded by their input: the
    file size limit (documents.MAX_FILE_BYTES, 8 MB: read in 0.1-0.2 s, ~55 MB peak) and the front
    matter's (frontmatter.MAX_FRONT_MATTER_CHARS, 16 KB). BENCHMARKS.md "Reliability" has what a
    normal file costs and the cases that chose these numbers."""

    #: the reader child's address space (RLIMIT_AS): reading a normal PDF or page stays under
    #: ~300 MB of it; a flate bomb stops here instead of at the machine's memory
    memory_bytes: int = 1 << 30
    #: one PDF's wall-clock time in the reader before it is stopped (a normal PDF: milliseconds)
    pdf_seconds: float = 30.0
    #: one HTML page's (a normal page: ~0.1 s; 8 MB of paragraphs: 78 s)
    html_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.memory_bytes < 256 << 20 or self.pdf_seconds <= 0 or self.html_seconds <= 0:
            raise ValueError("memory_bytes must be at least 256 MB and the seconds positive")

    def seconds(self, kind: str) -> float:
        """The time budget of the reader named `kind` ("pdf", "html")."""
        return self.pdf_seconds if kind == "pdf" else self.html_seconds


#: the shipped reader budgets
DEFAULT_READER = ReaderSettings()


@dataclass(frozen=True)
class ProgressSettings:
    """How `qa index` reports progress without a terminal (piped to tee, a log, a CI job)."""

    #: a progress line on stderr at most this often (a run shorter than this prints none)
    line_every_seconds: float = 5.0


#: the shipped progress settings
DEFAULT_PROGRESS = ProgressSettings()


@dataclass(frozen=True)
class EncodeSettings:
    """How a model's ONNX export is run and when it is kept (qa/embedding/onnx_encoder.py). Measured on BBC
    passages (BENCHMARKS.md, "Speed and scale")."""

    #: texts per model call; batches are cut from the texts sorted by token count
    batch_size: int = 16
    #: onnxruntime intra-op threads; 0: one per core this process may run on
    threads: int = 0
    #: the intra-op threads busy-wait for the next operator's work during a model call instead of
    #: sleeping between operators (never after it: onnxruntime's force_spinning_stop, so an idle
    #: UI burns no core); spin_us bounds each wait (0: onnxruntime's own default)
    spin: bool = False
    spin_us: int = 0
    #: ...and only when the machine is quiet as the encoder is loaded: the 1-minute load average
    #: per core of the process below this (0: whatever the load). A spinning thread takes a core
    #: other work is waiting for, and waits itself while descheduled
    spin_max_load: float = 0.0
    #: how close the export's vectors must be to torch's (the cosine of each probe text's) for it
    #: to be kept, and at every load for its first probe: answers never depend on which path
    #: encoded the question (tests/test_passage_encoder.py)
    min_probe_cosine: float = 0.99999
    #: run the export's int8 copy (qa/embedding/onnx_encoder.py INT8: weights in 8 bits per
    #: channel, activations scaled per call; made once from the float32 graph, ~3 s of CPU): about
    #: half the CPU of a short question's encoding (BENCHMARKS.md, "Seventh session (speed23i)").
    #: Questions only (passages keep float32 vectors), one text a call (its scales would otherwise
    #: depend on the texts beside it); kept while its vectors' cosine to the float32 graph's is at
    #: least min_int8_cosine on every probe (0.988-0.995 for MiniLM; 400 dev questions: lowest 0.989, mean 0.993)
    int8: bool = False
    min_int8_cosine: float = 0.98
    #: a question's model call runs on the encoder's worker thread while the question's keyword
    #: ranking is made (qa/retrieval/retriever.py; OnnxEncoder.encode_soon); False: one after the
    #: other. The same vectors and answers either way. Off: near idle (load 0.3-0.9) it was slower
    #: in every setting, 400 questions interleaved (2 threads spinning 7.39 -> 11.73 ms p50, not
    #: spinning 7.15 -> 8.77, 1 thread 8.47 -> 9.28): the caller's keyword work takes a core from
    #: the model's two threads. Under load 4-14 a spinning encoder gained (BENCHMARKS.md, "Tenth
    #: session (speed23m)"; `benchmarks/speed.py --overlap`). overlap_spinning_only: only when the
    #: encoder spins
    overlap: bool = False
    overlap_spinning_only: bool = True


#: the shipped encoder settings: passages (`qa index`) without spinning, the other jobs and the UI
#: sharing the cores through a long run
DEFAULT_ENCODE = EncodeSettings()
#: questions: one short model call at a time, each operator's parallel part a few microseconds,
#: so a thread woken from sleep for each costs more than the work on a quiet machine, and a
#: spinning one costs more than it saves on a busy one (BENCHMARKS.md, "Per question on the 10k
#: index, speed23c", table "Question encoding: threads and spinning": 2 threads p50 4.04 ms
#: without spinning, 3.27 ms spinning, idle (the lead); 9.3-11.9 and 18.8-20.7 ms at load 4-6)
#: The int8 copy stays off (speed23i): the encoding's CPU ~7.1 -> ~3.6 ms a question (2 threads,
#: load ~10), `qa ask -` ~13.0 -> ~10.1 ms CPU a question, but the dev set's hit@1 0.8381 -> 0.8366,
#: highlight 0.7376 -> 0.7363, "which" phrase 0.730 -> 0.694, and a question's answer would depend on
#: which path encoded it (the float32 export answers as the model does): milliseconds no reader
#: sees, bought with answers (BENCHMARKS.md, "Seventh session (speed23i)")
DEFAULT_QUESTION_ENCODE = EncodeSettings(spin=True, spin_max_load=0.5)


@dataclass(frozen=True)
class BusySettings:
    """How a command waits for an index database another process holds (qa/index/store.py
    WaitingConnection): busy is never reported as damage."""

    #: a blocked command says so (who holds it) after this many seconds; also sqlite's own busy
    #: timeout, each statement retried while the wait lasts
    note_after_seconds: float = 1.5
    #: ... and gives up, saying "busy" and who holds it, after this many ($QA_BUSY_WAIT overrides)
    wait_seconds: float = 120.0


#: the shipped busy waits
DEFAULT_BUSY = BusySettings()


@dataclass(frozen=True)
class MilvusSettings:
    """How qa talks to a Milvus engine (qa/engines/milvus/): the collection it creates, its
    indexes, and how much it moves per request."""

    collection: str = "qa_passages"  # the collection's name unless the URI names one (#name)
    #: where BM25 comes from: "analyzer" (sparse vectors of the project's analyzer, qa/index/text.py:
    #: stemmed, the local engine's scores) or "function" (Milvus's BM25 function over title and
    #: text, its standard tokenizer with the project's stop words, no stemmer); BENCHMARKS.md compares them
    bm25: str = "analyzer"
    #: the dense field's index: FLAT is exact (the local engine's answers on Milvus Lite); a
    #: server with millions of passages wants HNSW (README "How it scales")
    dense_index: str = "FLAT"
    dense_index_params: tuple[tuple[str, int], ...] = ()
    #: rows per insert request while publishing (a request stays well under gRPC's 64 MB)
    insert_batch: int = 512
    #: ids per delete or query request (an `id in [...]` expression)
    id_batch: int = 4096
    #: a publish weighs the kept rows' BM25 again (an upsert, no embedding) when the mean passage
    #: length moved more than this share since they were weighed: their scores stay the local engine's
    #: to within about this share
    reweigh_drift: float = 0.02
    #: seconds a connection attempt waits before the URI is reported unreachable
    connect_timeout: float = 5.0
    #: extra candidates asked of each ranking, as a fraction of the depth: rows a publish has not
    #: deleted yet, which the catalogue no longer holds, are dropped after the search
    over_fetch: float = 0.25


#: the shipped Milvus settings
DEFAULT_MILVUS = MilvusSettings()
