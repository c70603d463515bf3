"""The model's ONNX export made once per test session, however many tests export into a cache of
their own (tests/test_onnx_encoder.py, tests/test_passage_encoder.py), and its int8 copy
likewise (onnxruntime's `quantize_dynamic`, ~2-3 s a call, four calls in test_onnx_encoder.py).

Those tests are about what `onnx_encoder.export` decides around the graph (a damaged manifest, a
fused graph that differs, an unwritable cache, Ctrl-C, a cache made again...), not about torch's
tracer or onnxruntime's optimizer, which make the same graph from the same model every time and
cost ~4 s each per export. `ExportMemo.installed()` wraps `onnx_encoder._write` and `_fuse`: the
first call (the session's own export, conftest `fast_model`) runs the real step and keeps its
files; later calls with the same input copy them.
Everything else in an export (the probes, the fused-or-plain choice, the manifest, the rename
into place, the `.failed` notes) runs as shipped, and so does everything in `quantise` around the
quantiser (the probes, the cosine check, the note, the rename). A test that patches `_write`,
`_fuse` or `quantize_dynamic` itself replaces the wrapper, as before.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qa.embedding import onnx_encoder


def _digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ExportMemo:
    """The files of the real `_write` and `_fuse` steps, by what they were made from."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.real_write, self.real_fuse = onnx_encoder._write, onnx_encoder._fuse
        self.fused: dict[tuple, bool] = {}
        from onnxruntime import quantization

        self.real_quantize = quantization.quantize_dynamic

    @contextmanager
    def installed(self) -> Iterator[None]:
        """The three steps remembered until the block ends (a patch of its own, so a test's
        `monkeypatch.undo()` leaves it in place)."""
        from onnxruntime import quantization

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(onnx_encoder, "_write", self.write)
            patch.setattr(onnx_encoder, "_fuse", self.fuse)
            patch.setattr(quantization, "quantize_dynamic", self.quantize)
            yield

    def write(self, embedder, spec: dict[str, object], work: Path) -> None:
        """`_write`: the traced graph and the tokenizer depend on the model and its inputs only;
        the manifest is this call's spec (a test may change it)."""
        kept = self.folder / "write" / hashlib.sha1(json.dumps(
            [embedder.model_name, spec["inputs"], spec["max_length"]]).encode()).hexdigest()
        if not (kept / "model.onnx").is_file():
            self.real_write(embedder, spec, work)
            kept.mkdir(parents=True, exist_ok=True)
            for path in work.iterdir():
                if path.name != onnx_encoder.MANIFEST:
                    shutil.copy2(path, kept / path.name)
            return
        for path in kept.iterdir():
            shutil.copy2(path, work / path.name)
        (work / onnx_encoder.MANIFEST).write_text(json.dumps(spec, indent=1), encoding="utf-8")

    def fuse(self, plain: Path, fused: Path, spec: dict[str, object]) -> bool:
        """`_fuse`: the optimizer's graph depends on the plain graph's bytes and the model's shape."""
        key = (_digest(plain), spec.get("heads"), spec.get("hidden"))
        kept = self.folder / "fuse" / hashlib.sha1(repr(key).encode()).hexdigest() / "fused.onnx"
        if key not in self.fused:
            self.fused[key] = self.real_fuse(plain, fused, spec)
            if self.fused[key]:
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(fused, kept)
            return self.fused[key]
        if self.fused[key]:
            shutil.copy2(kept, fused)
        return self.fused[key]

    def quantize(self, model_input: str, model_output: str, **options) -> None:
        """`quantize_dynamic`: its graph depends on the input graph's bytes and the options only."""
        key = hashlib.sha1(repr((_digest(Path(model_input)), sorted(options.items()))).encode()).hexdigest()
        kept = self.folder / "quantize" / key / "int8.onnx"
        if not kept.is_file():
            self.real_quantize(model_input, model_output, **options)
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(model_output, kept)
            return
        shutil.copy2(kept, model_output)
