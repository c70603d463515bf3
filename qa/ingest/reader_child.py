"""The reader child of qa/ingest/read_worker.py: limits its own address space (RLIMIT_AS), then reads
the files it is sent with documents.read_pdf_here / read_html_here until its input ends."""

from __future__ import annotations

import json
import resource
import sys

from qa.ingest.read_worker import HEADER, KINDS


def _serve(memory_bytes: int) -> None:
    """The child: limit the address space, then answer requests until stdin closes."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from qa.ingest.documents import Unreadable, read_html_here, read_pdf_here

    readers = {KINDS["pdf"]: read_pdf_here, KINDS["html"]: read_html_here}
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while kind := stdin.read(4):
        data = stdin.read(int.from_bytes(stdin.read(HEADER), "big"))
        try:
            reply = readers[kind](data)
        except Unreadable as exc:
            reply = {"error": str(exc)}
        del data
        body = json.dumps(reply).encode()
        stdout.write(len(body).to_bytes(HEADER, "big") + body)
        stdout.flush()


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
