"""``newsarchive replay serve`` and ``replay pywb-config``: an archive served to browsers and
tools on 127.0.0.1 (our own server), or opened in pywb as one collection."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from newsarchive.arguments import data_dir, port, timestamp


def add_replay_commands(commands: Any) -> None:
    replay = commands.add_parser("replay", help="serve an archive over HTTP")
    replay_commands = replay.add_subparsers(metavar="COMMAND")
    serve = replay_commands.add_parser(
        "serve", help="serve archived pages on 127.0.0.1: /<timestamp>/<url>, and as an HTTP proxy")
    serve.add_argument("path", type=Path, help="a WARC, a WACZ, or a directory of them")
    serve.add_argument("--port", default="8080", type=port, metavar="N",
                       help="port on 127.0.0.1, 0 for any free one (default: 8080)")
    serve.add_argument("--at", default="", type=timestamp, metavar="TIMESTAMP",
                       help="as a proxy, serve the captures nearest this time (default: latest)")
    serve.add_argument("-v", "--verbose", action="store_true",
                       help="log every request (and every client that hangs up) to stderr")
    serve.set_defaults(func=_serve)

    pywb = replay_commands.add_parser(
        "pywb-config", help="print a pywb config.yaml that opens the data dir as one collection")
    pywb.add_argument("data", type=data_dir, metavar="DATA", help="the data directory")
    pywb.set_defaults(func=_pywb_config)


def _serve(args: argparse.Namespace) -> int:
    import errno

    from archive.reader import Archive
    from archive.records import ArchiveReadError
    from archive.server import ReplayServer

    listen_port: int = args.port
    try:
        archive = Archive.open(args.path)
    except ArchiveReadError as exc:
        print(f"newsarchive: {exc}: expected a WARC, a WACZ, or a directory holding them",
              file=sys.stderr)
        return 2
    try:
        server = ReplayServer(archive, listen_port, args.at or None)
    except OSError as exc:
        why = ("is in use" if exc.errno == errno.EADDRINUSE
               else f"cannot be listened on ({exc.strerror or exc})")
        print(f"newsarchive: --port {listen_port}: 127.0.0.1:{listen_port} {why}; choose another port,"
              " or 0 for any free one", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with server:
        print(f"serving {archive.size} index lines from {args.path} at {server.url}/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def _pywb_config(args: argparse.Namespace) -> int:
    from archive.pywb_config import pywb_config

    if not (args.data / "runs").is_dir():
        print(f"newsarchive: {args.data} has no runs/: expected a data directory", file=sys.stderr)
        return 2
    print(pywb_config(args.data), end="")
    return 0
