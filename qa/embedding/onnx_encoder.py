"""Questions encoded without torch: the model exported once to ONNX and run with onnxruntime.

Importing sentence-transformers (and with it torch) costs ~4 s, most of `qa ask`'s start-up.
onnxruntime and tokenizers import in ~0.2 s. The first time a model is loaded with torch (by
`qa index`, or a `qa ask` that found no export), its transformer is exported to a per-user cache
with its tokenizer and pooling; later questions are encoded from that export.

An export is kept only if it reproduces the torch model's vectors on a set of probe texts
(cosine ≥ 0.99999), so a passage's vector never depends on which path encoded it; questions go
through its int8 copy (INT8: near the model's vectors, at about half the CPU). Its manifest keeps
the size, modification time and crc32 of its files and the model's vector of the first probe; every
load compares the files' stats (a file whose stat moved has its crc32 checked: ~0.08 s for 90 MB)
and encodes that probe again (~5 ms). The graph kept is the one onnxruntime's transformer optimizer
fuses (attention, LayerNorm and GELU each one kernel: 46 nodes instead of ~700 for MiniLM), when its
vectors pass the same probes; else the plain export. A cache damaged since (random bytes in `model.onnx` load fine
and give NaN, or wrong vectors for some words only) is deleted and made again from the model. Models whose
sentence-transformers pipeline is anything but transformer → mean/CLS/max pooling → optional
normalization (or that need a prompt) are not exported and keep the torch path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from qa.embedding.encoder import Encoder
from qa.embedding.sentences import pool_spans
from qa.settings import DEFAULT_ENCODE, EncodeSettings

#: bump when the files written here change meaning, so old exports are not read (2: model.onnx
#: is the graph with onnxruntime's transformer fusions when they keep the model's vectors)
EXPORT_FORMAT = 2
MANIFEST = "encoder.json"
#: the fused graph while it is checked (qa/embedding/onnx_encoder.py _keep_fused)
FUSED = "fused.onnx"
#: the question side's int8 copy of model.onnx (EncodeSettings.int8), made beside it at the first
#: load that asks for it; a note named INT8 + ".failed" when the copy's vectors were too far off
INT8 = "question-int8.onnx"
#: a temporary export folder older than this is left by a killed run even if its pid was reused
STALE_EXPORT_SECONDS = 6 * 3600
_POOLINGS = ("mean", "cls", "max")
#: texts the export must reproduce: short and long (truncated), accents, digits, odd spacing
_PROBES = (
    "Who heads Ansar al-Sharia in Derna?",
    "When did the Denver Broncos last win the Super Bowl?",
    "Zürich, São Paulo and Kraków: 1,024 km² — ¿qué?",
    "a",
    " ".join(["The council met on Tuesday to discuss the budget for 2005 and beyond."] * 40),
)


def cache_root() -> Path:
    """Where exports live: the per-user cache (qa/locations.py)."""
    from qa.locations import cache_dir

    return cache_dir()


def export_dir(model_path: str) -> Path | None:
    """The cache folder for the model at model_path, named by its files (path, names, sizes,
    modification times), so replacing the model's files means a new export. None when the model
    is not a local folder (e.g. a hub name): such models keep the torch path."""
    root = Path(model_path)
    if not root.is_dir():
        return None
    digest = hashlib.sha256(f"{EXPORT_FORMAT}\0{root.resolve()}".encode())
    for path in sorted(root.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest.update(f"\0{path.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return cache_root() / "encoders" / digest.hexdigest()[:24]


def cores() -> int:
    """Cores this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def quiet(max_load: float) -> bool:
    """True when the 1-minute load average per core this process may use is below max_load
    (unknown, as on Windows: False)."""
    try:
        return os.getloadavg()[0] / cores() < max_load
    except (AttributeError, OSError):
        return False


def file_print(path: Path, known: dict[str, int] | None = None) -> dict[str, int]:
    """A file's size, modification time and crc32; the crc32 is taken from `known` when the
    size and time are the same (reading 90 MB of weights at every start would cost ~0.08 s)."""
    st = path.stat()
    out = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    if known is not None and all(known.get(k) == v for k, v in out.items()):
        return {**out, "crc32": known.get("crc32")}
    with open(path, "rb") as handle:
        crc = 0
        while chunk := handle.read(1 << 22):
            crc = zlib.crc32(chunk, crc)
    return {**out, "crc32": crc}


#: guards the start of an encoder's worker thread (encode_soon)
_WORKER_LOCK = threading.Lock()


class DamagedExport(ValueError):
    """The export loads but does not give the model's vectors (its files changed since)."""


class OnnxEncoder:
    """An export run with onnxruntime, a qa.embedding.encoder.Encoder as qa.embedding.embedder.Embedder is, for
    questions and passages alike."""

    def __init__(self, folder: Path, settings: EncodeSettings = DEFAULT_ENCODE, graph: Path | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        spec = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if spec.get("format") != EXPORT_FORMAT or spec.get("pooling") not in _POOLINGS:
            raise ValueError(f"unknown export format in {folder}")
        self.model_name: str = spec["model"]
        self.dim = int(spec["dim"])
        self.settings = settings
        self.threads = settings.threads or cores()
        self._pooling: str = spec["pooling"]
        self._normalize = bool(spec["normalize"])
        self._lower = bool(spec["lower_case"])
        self._inputs: list[str] = list(spec["inputs"])
        self._pad_id = int(spec["pad_id"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(int(spec["max_length"]))
        self._tokenizer.no_padding()  # each batch is padded to its own longest text, below
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # busy-waiting only within a call, and only where the settings ask for it (questions, on a
        # quiet machine): the UI and other jobs share the cores
        self.spinning = settings.spin and (not settings.spin_max_load or quiet(settings.spin_max_load))
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if self.spinning else "0")
        if self.spinning:
            options.add_session_config_entry("session.force_spinning_stop", "1")
            if settings.spin_us:
                options.add_session_config_entry("session.intra_op.spin_duration_us", str(settings.spin_us))
        self.int8 = settings.int8
        graph = graph or folder / (INT8 if settings.int8 else "model.onnx")
        self._session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self._probe = spec.get("probe")  # the model's vector of _PROBES[0] (exports before it: none)
        self._files: dict[str, dict[str, int]] = spec.get("files") or {}
        self._folder = folder
        self._calls = None  # encode_soon's worker thread, started at its first call

    def check(self) -> None:
        """DamagedExport unless the export still gives the model's vector of the first probe
        (or, for an export without one, numbers: never NaN or infinity)."""
        for name, want_file in self._files.items():
            got_file = file_print(self._folder / name, want_file)
            if (got_file["size"], got_file["crc32"]) != (want_file.get("size"), want_file.get("crc32")):
                raise DamagedExport(f"the model cache's {name} changed since it was written")
        got = self.encode([_PROBES[0]])[0]
        if not np.isfinite(got).all():
            raise DamagedExport("the model cache gives vectors that are not numbers")
        if self._probe is not None:
            want = np.asarray(self._probe, dtype=np.float32)
            cosine = float(got @ want / max(float(np.linalg.norm(got) * np.linalg.norm(want)), 1e-12))
            if not cosine >= (self.settings.min_int8_cosine if self.int8 else self.settings.min_probe_cosine):
                raise DamagedExport(f"the model cache's vectors differ from the model's (cosine {cosine:.6f})")

    def encode(self, texts: Sequence[str], batch_size: int | None = None,
               on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """L2-normalized float32 vectors for texts, in order (as Embedder.encode). The texts are
        encoded in batches of similar token counts, so little of each batch is padding."""
        size = 1 if self.int8 else batch_size or self.settings.batch_size  # int8: scales per call
        if self._lower:
            texts = [t.lower() for t in texts]
        encodings = self._tokenized(texts)
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(encodings), self.dim), dtype=np.float32)
        for start in range(0, len(order), size):
            batch = order[start:start + size]
            out[batch] = self._run([encodings[i] for i in batch])
            if on_batch is not None:
                on_batch(len(batch))
        return out

    def encode_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                     batch_size: int | None = None, on_batch: Callable[[int], None] | None = None
                     ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """`encode(texts)`, and per text its token embeddings pooled over each of its `spans`
        (qa.embedding.encoder.SpanEncoder; qa/embedding/sentences.py pool_spans): the same pass,
        the pooling numpy over what it computed anyway."""
        size = batch_size or self.settings.batch_size
        if self._lower:  # the same length but for a few letters (a span then shifts by as many)
            texts = [t.lower() for t in texts]
        encodings = self._tokenizer.encode_batch(list(texts)) if len(texts) else []
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(encodings), self.dim), dtype=np.float32)
        pooled: list[np.ndarray | None] = [None] * len(encodings)
        for start in range(0, len(order), size):
            batch = order[start:start + size]
            tokens, mask = self._token_embeddings([encodings[i] for i in batch])
            out[batch] = self._pooled(tokens, mask)
            for row, i in enumerate(batch):
                e = encodings[i]
                pooled[i] = pool_spans(tokens[row, :len(e.ids)], e.offsets, e.special_tokens_mask, spans[i])
            if on_batch is not None:
                on_batch(len(batch))
        return out, pooled

    def encode_soon(self, text: str) -> Callable[[], np.ndarray] | None:
        """`encode([text])[0]` (qa.embedding.encoder.SoonEncoder), its model call run on this
        encoder's worker thread while the caller goes on: a question's keyword search is done
        meanwhile (qa/retrieval/retriever.py). The text is tokenized here; the returned call waits
        for the model and pools its output. Returns once the worker has started the call: a
        thread waiting for the GIL would wait for the caller's Python work (up to the
        interpreter's 5 ms switch interval) before its model call even began. None: not started
        (EncodeSettings.overlap off, or only while spinning and this encoder does not spin)."""
        if not self.settings.overlap or (self.settings.overlap_spinning_only and not self.spinning):
            return None  # the caller encodes when it needs the vector: one step after the other
        if self._lower:
            text = text.lower()
        feeds, mask = self._feeds(self._tokenized([text]))
        started = threading.Event()

        def call() -> np.ndarray:
            started.set()
            return self._session.run(None, feeds)[0]  # onnxruntime lets the GIL go for the model's work

        running = self._worker().submit(call)
        started.wait()
        return lambda: self._pooled(running.result(), mask)[0]

    def _worker(self):  # -> concurrent.futures.ThreadPoolExecutor
        """The one thread encode_soon's model calls run on, started at the first (a later call
        waits for the one before: one question at a time is what the UI and `qa ask` ask)."""
        with _WORKER_LOCK:
            if self._calls is None:
                from concurrent.futures import ThreadPoolExecutor

                self._calls = ThreadPoolExecutor(1, thread_name_prefix="qa-encoder")
            return self._calls

    def _tokenized(self, texts: Sequence[str]) -> list:
        """The texts' encodings; one text (a question) through the tokenizer's single `encode`:
        the same encoding as `encode_batch` gives it, without the batch's hand-over to its thread
        pool (~0.04 against ~0.18 ms; 5,807 dev questions and probes compared, BENCHMARKS.md speed23m)."""
        if len(texts) == 1:
            return [self._tokenizer.encode(texts[0])]
        return self._tokenizer.encode_batch(list(texts)) if len(texts) else []

    def _run(self, encodings: list) -> np.ndarray:
        """Pooled vectors of one batch of tokenized texts, padded to the longest."""
        return self._pooled(*self._token_embeddings(encodings))

    def _token_embeddings(self, encodings: list) -> tuple[np.ndarray, np.ndarray]:
        """The graph's token embeddings of one batch, padded to the longest, and its mask."""
        feeds, mask = self._feeds(encodings)
        return self._session.run(None, feeds)[0], mask

    def _feeds(self, encodings: list) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The graph's inputs for one batch of tokenized texts, padded to the longest, and its mask."""
        if len(encodings) == 1:  # a question: nothing to pad (the same arrays, made in one step each)
            ids = np.array([encodings[0].ids], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                     "token_type_ids": np.array([encodings[0].type_ids], dtype=np.int64)}
            return {name: feeds[name] for name in self._inputs}, feeds["attention_mask"]
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, :len(e.ids)] = e.ids
            types[row, :len(e.ids)] = e.type_ids
            mask[row, :len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return {name: feeds[name] for name in self._inputs}, mask

    def _pooled(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self._pooling == "cls":
            pooled = tokens[:, 0]
        elif self._pooling == "max":
            pooled = np.where(mask[..., None] > 0, tokens, -1e9).max(axis=1)
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        if self._normalize:
            pooled = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled.astype(np.float32)


def load(model_path: str, settings: EncodeSettings = DEFAULT_ENCODE) -> OnnxEncoder | None:
    """The export of the model at model_path, or None (none yet, onnxruntime missing, unreadable).
    An export that cannot be read, or whose probe vector is not the model's (OnnxEncoder.check),
    is deleted, so that the next torch load makes a new one."""
    folder = export_dir(model_path)
    if folder is None or not (folder / MANIFEST).is_file():
        return None
    if settings.int8:
        quick = _int8_encoder(folder, settings)
        if quick is not None:
            return quick
        settings = replace(settings, int8=False)
    try:
        encoder = OnnxEncoder(folder, settings)
        encoder.check()
        return encoder
    except ImportError:  # onnxruntime or tokenizers not installed: the export may be fine
        return None
    except Exception:  # damaged, or written by another version: the torch path still works
        shutil.rmtree(folder, ignore_errors=True)
        return None


def _int8_encoder(folder: Path, settings: EncodeSettings) -> OnnxEncoder | None:
    """The export's int8 copy, made first if missing (quantise); None when it cannot be made or
    read (the float32 graph then encodes). A copy that fails its probe is deleted, to be made again."""
    path = folder / INT8
    if not path.is_file() and not quantise(folder, settings):
        return None
    try:
        encoder = OnnxEncoder(folder, settings)
        encoder.check()
        return encoder
    except ImportError:
        return None
    except Exception:  # damaged since, or the float32 files changed: load() checks the float32 graph
        path.unlink(missing_ok=True)
        return None


def quantise(folder: Path, settings: EncodeSettings) -> bool:
    """Write folder/INT8: model.onnx with its weights in 8 bits (onnxruntime's dynamic quantisation,
    per channel, 7-bit range: AVX2 without VNNI saturates a full 8-bit product), kept when every
    probe's vector, each encoded alone, has a cosine of at least settings.min_int8_cosine to the
    float32 graph's. True when the copy is there; a failed copy leaves a note and is not tried again."""
    failed = folder / (INT8 + ".failed")
    if failed.exists() or not os.access(folder, os.W_OK):  # unwritable: not ~3 s at every start
        return False
    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        return False
    for left in folder.glob(f".{INT8}.*"):  # a killed run's (its copy is missing, so this runs next)
        if not (left.suffix[1:].isdigit() and _alive(int(left.suffix[1:]))):
            left.unlink(missing_ok=True)
    work = folder / f".{INT8}.{os.getpid()}"
    try:
        _quietly(lambda: quantize_dynamic(str(folder / "model.onnx"), str(work), weight_type=QuantType.QInt8,
                                          per_channel=True, reduce_range=True,
                                          extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT}))
        quick, exact = OnnxEncoder(folder, settings, graph=work), OnnxEncoder(folder, replace(settings, int8=False))
        got, want = np.vstack([quick.encode([p]) for p in _PROBES]), np.vstack([exact.encode([p]) for p in _PROBES])
        norms = np.maximum(np.linalg.norm(got, axis=1) * np.linalg.norm(want, axis=1), 1e-12)
        cosine = float(((got * want).sum(axis=1) / norms).min())
        if not cosine >= settings.min_int8_cosine:  # NaN too
            _note_failure(failed, f"the int8 copy's vectors differ from the export's (cosine {cosine:.4f})")
            return False
        os.replace(work, folder / INT8)
        return True
    except OSError:  # a cache that cannot be written: the float32 graph encodes
        return (folder / INT8).is_file()
    except Exception as exc:  # the quantiser fails in many ways on unusual graphs
        _note_failure(failed, f"{type(exc).__name__}: {exc}")
        return False
    finally:
        work.unlink(missing_ok=True)


def _quietly(step: Callable[[], object]) -> None:
    """Run step with the root logger's warnings held back (the quantiser advises on stderr)."""
    import logging

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        step()
    finally:
        root.setLevel(level)


class CacheUnwritable(OSError):
    """The export cache cannot be written: every question load pays for torch until it can."""


def remove_stale_exports(parent: Path) -> list[Path]:
    """Delete temporary export folders (`.export-<pid>-*`) that a killed run left behind: those
    whose process is gone, or older than STALE_EXPORT_SECONDS. Returns what was removed."""
    import time

    removed = []
    try:
        candidates = list(parent.glob(".export-*"))
    except OSError:
        return removed
    for work in candidates:
        pid_text = work.name.split("-")[1] if work.name.count("-") >= 2 else ""
        try:
            old = time.time() - work.stat().st_mtime > STALE_EXPORT_SECONDS
        except OSError:
            continue
        if old or not (pid_text.isdigit() and _alive(int(pid_text))):
            shutil.rmtree(work, ignore_errors=True)
            removed.append(work)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def export(embedder: Encoder, model_path: str) -> Path | None:
    """Export a loaded qa.embedding.embedder.Embedder's model to the cache, once; best effort.

    Returns the export's folder, or None when the model cannot be exported faithfully (its
    pipeline has other steps, the export's vectors differ, no onnx/onnxruntime, cache not
    writable: raises CacheUnwritable then, so the caller can say so). Written to a temporary
    folder named by this process and renamed into place, so a reader never sees half; temporaries
    of killed runs are removed first. A failed attempt leaves a `.failed` note beside it, so it is
    not paid for again on every run.
    """
    folder = export_dir(model_path)
    if folder is None:
        return None
    if (folder / MANIFEST).is_file():
        return folder
    failed = folder.with_name(folder.name + ".failed")
    spec = _pipeline_spec(embedder)
    if spec is None or failed.exists() or not all(importlib.util.find_spec(m) for m in ("onnx", "onnxruntime")):
        return None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_exports(folder.parent)
        work = Path(tempfile.mkdtemp(prefix=f".export-{os.getpid()}-", dir=folder.parent))
    except OSError as exc:
        raise CacheUnwritable(f"cannot write the model cache {folder.parent} ({exc.strerror or exc})") from exc
    try:
        _write(embedder, spec, work)
        want = embedder.encode(list(_PROBES))
        spec["fused"] = _keep_fused(work, want)
        cosine = _probe_cosine(work, want)
        if not cosine >= DEFAULT_ENCODE.min_probe_cosine:  # NaN too
            _note_failure(failed, f"the export's vectors differ from the model's (cosine {cosine:.6f})")
            return None
        spec["probe"] = [float(x) for x in want[0]]  # checked at every load (OnnxEncoder.check)
        spec["files"] = {name: file_print(work / name) for name in ("model.onnx", "tokenizer.json")}
        (work / MANIFEST).write_text(json.dumps(spec, indent=1), encoding="utf-8")
        os.replace(work, folder)
        return folder
    except OSError:
        return folder if (folder / MANIFEST).is_file() else None  # another process won the rename
    except Exception as exc:  # the exporter can fail in many ways on unusual models: keep the torch path
        _note_failure(failed, f"{type(exc).__name__}: {exc}")
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _probe_cosine(work: Path, want: np.ndarray) -> float:
    """The lowest cosine between the model's vectors of the probes (`want`) and the export's in
    `work`: the probes as one padded batch, and the first and the last alone."""
    fast = OnnxEncoder(work)
    got = np.vstack([fast.encode(list(_PROBES)), fast.encode([_PROBES[0]]), fast.encode([_PROBES[-1]])])
    want = np.vstack([want, want[:1], want[-1:]])
    return float((want * got).sum(axis=1).min())


def _keep_fused(work: Path, want: np.ndarray) -> bool:
    """Make work/model.onnx the fused graph (_fuse) if its vectors are the model's; True when it
    is. Otherwise the plain export stays, as it was written."""
    plain = work / "model.onnx"
    fused = work / FUSED
    try:
        if not _fuse(plain, fused, json.loads((work / MANIFEST).read_text(encoding="utf-8"))):
            return False
        os.replace(plain, work / "plain.onnx")
        os.replace(fused, plain)
        if _probe_cosine(work, want) >= DEFAULT_ENCODE.min_probe_cosine:
            (work / "plain.onnx").unlink()
            return True
        os.replace(work / "plain.onnx", plain)
    except Exception:  # the optimizer fails in many ways on unusual graphs: the plain export is checked as before
        if (work / "plain.onnx").exists():
            os.replace(work / "plain.onnx", plain)
    fused.unlink(missing_ok=True)
    return False


def _fuse(plain: Path, fused: Path, spec: dict[str, object]) -> bool:
    """Write `fused`: `plain` through onnxruntime's transformer optimizer (BERT-family fusions:
    embeddings + LayerNorm, attention, skip + LayerNorm, bias + GELU; fewer, larger kernels, so one
    short question costs fewer operator launches and thread hand-offs). False when the optimizer is
    not installed or the model's heads are unknown."""
    try:
        from onnxruntime.transformers.optimizer import optimize_model
    except ImportError:
        return False
    heads, hidden = int(spec.get("heads") or 0), int(spec.get("hidden") or 0)
    if heads <= 0 or hidden <= 0:
        return False
    import logging

    quiet = logging.getLogger("onnxruntime.transformers")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        optimize_model(str(plain), model_type="bert", num_heads=heads, hidden_size=hidden).save_model_to_file(str(fused))
    finally:
        quiet.setLevel(level)
    return True


def _note_failure(path: Path, reason: str) -> None:
    try:
        path.write_text(reason + "\n", encoding="utf-8")
    except OSError:
        pass


def _pipeline_spec(embedder: Encoder) -> dict[str, object] | None:
    """What the export must reproduce around the transformer, or None if it cannot."""
    model = getattr(embedder, "_model", None)
    modules = list(model) if model is not None else []
    kinds = [type(m).__name__ for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return None
    if getattr(model, "default_prompt_name", None):
        return None
    pooling = getattr(modules[1], "pooling_mode", None)
    tokenizer = getattr(model, "tokenizer", None)
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if pooling not in _POOLINGS or backend is None or tokenizer.pad_token is None:
        return None
    inputs = [n for n in tokenizer.model_input_names if n in ("input_ids", "attention_mask", "token_type_ids")]
    if "input_ids" not in inputs or "attention_mask" not in inputs:
        return None
    config = getattr(getattr(modules[0], "auto_model", None), "config", None)
    return {"format": EXPORT_FORMAT, "model": embedder.model_name, "dim": int(embedder.dim), "pooling": pooling,
            "heads": int(getattr(config, "num_attention_heads", 0) or 0),
            "hidden": int(getattr(config, "hidden_size", 0) or 0),
            "normalize": len(modules) == 3, "lower_case": bool(getattr(modules[0], "do_lower_case", False)),
            "max_length": int(model.max_seq_length), "inputs": inputs, "pad_id": int(tokenizer.pad_token_id),
            "pad_token": str(tokenizer.pad_token)}


def _write(embedder: Encoder, spec: dict[str, object], work: Path) -> None:
    import warnings

    import torch

    model = embedder._model
    transformer = model[0].auto_model
    names = list(spec["inputs"])

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, *args: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, args))).last_hidden_state

    sample = model.tokenizer(["a question to trace", "a"], padding=True, return_tensors="pt")
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "token_embeddings"]}
    was_training = transformer.training
    transformer.eval()
    attention = _set_attention(transformer, "eager")  # traced as plain ops, which the optimizer fuses
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(TokenEmbeddings(), tuple(sample[n] for n in names), str(work / "model.onnx"),
                              input_names=names, output_names=["token_embeddings"], dynamic_axes=axes,
                              opset_version=17, dynamo=False)
    finally:
        transformer.train(was_training)
        _set_attention(transformer, attention)
    (work / "tokenizer.json").write_text(model.tokenizer.backend_tokenizer.to_str(), encoding="utf-8")
    (work / MANIFEST).write_text(json.dumps(spec, indent=1), encoding="utf-8")


def _set_attention(transformer: object, name: str | None) -> str | None:
    """Switch a transformers model's attention implementation (e.g. "eager": the matmul-softmax-
    matmul pattern onnxruntime's optimizer recognises; torch's fused kernel traces as ops it does
    not); returns the one it had. Best effort: a model without the setting keeps its own."""
    config = getattr(transformer, "config", None)
    before = getattr(config, "_attn_implementation", None)
    if name is None or config is None or name == before:
        return before
    try:
        setter = getattr(transformer, "set_attn_implementation", None)
        if setter is not None:
            setter(name)
        else:
            config._attn_implementation = name
    except Exception:  # an implementation this model does not offer: it keeps its own
        pass
    return before
