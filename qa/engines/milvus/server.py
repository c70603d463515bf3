"""A Milvus Lite gRPC server for many processes (`make milvus-server`, or `python -m
qa.engines.milvus.server`): two `qa ask -` loops and a `qa index --watch` against one archive.
A Lite file (milvus:PATH.db) is held by one process; this server holds the folder and answers
everyone at http://HOST:PORT, as Milvus Standalone would (README "How it scales")."""

from __future__ import annotations

import argparse
import signal

#: where the project's server keeps its data unless told (inside the checkout's index folder)
DEFAULT_DATA = "index/milvus-lite"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.engines.milvus.server",
                                     description="Serve a Milvus Lite folder over gRPC for qa's --engine http://HOST:PORT.")
    parser.add_argument("--data-dir", default=DEFAULT_DATA, help=f"the Milvus Lite folder (default {DEFAULT_DATA})")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=19530, help="port (default 19530, Milvus's)")
    args = parser.parse_args(argv)
    from milvus_lite.adapter.grpc.server import run_server

    # SIGINT and SIGTERM stop it cleanly (requests drained, the folder closed), also when started in
    # the background, where SIGINT is ignored, and by a service manager's SIGTERM
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.default_int_handler)

    run_server(args.data_dir, host=args.host, port=args.port)  # blocks; Ctrl-C stops it cleanly
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
