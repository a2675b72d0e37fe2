#!/usr/bin/env python3
"""A minimal ElderCare Federation child node that relies only on what docs/PROTOCOL.md and
proto/eldercare_sync.proto specify (nothing is shared with the Swift implementation).

It links to a parent node over ZeroMQ (DEALER -> ROUTER, CurveZMQ), greets it, sends one
statistics cell up, waits for the ACK, then waits for a batch coming down about its community,
acknowledges it and prints one JSON line with what it saw:

    python3 tests/python/child_client.py --endpoint tcp://127.0.0.1:7103 \
        --parent-key="$(cat PARENT/keys/node.public)" --public=PUB --secret=SEC \
        --code 130102001001 --community 130102001001 --count 7

With --forge it instead sends a cell whose origin lies outside its own subtree and expects
ERROR FOREIGN_ORIGIN for that batch (printed as JSON; exit 0).

Pass keys as --public=KEY (with "="): a Z85 key may begin with "-".

Exit codes: 0 done, 1 the parent refused something unexpectedly, 2 timeout, 3 setup problem
(missing protoc / Python packages). Requirements: tests/python/requirements.txt, protoc on PATH.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

PROTOCOL_VERSION = 1
SOFTWARE = "python child_client 0.1"


def fail_setup(message: str) -> None:
    print(json.dumps({"status": "setup_error", "message": message}), flush=True)
    sys.exit(3)


try:
    import zmq
except ImportError:  # pragma: no cover - depends on the machine
    fail_setup("pyzmq is missing: pip install -r tests/python/requirements.txt")


def load_protocol(proto_path: str):
    """Generates the Python module for the .proto into a temporary directory and imports it."""
    protoc = shutil.which("protoc")
    if protoc is None:
        fail_setup("protoc not found: apt-get install -y protobuf-compiler")
    try:
        import google.protobuf  # noqa: F401
    except ImportError:
        fail_setup("protobuf is missing: pip install -r tests/python/requirements.txt")
    out = tempfile.mkdtemp(prefix="eldercare-proto-")
    proto_dir, proto_file = os.path.split(os.path.abspath(proto_path))
    result = subprocess.run(
        [protoc, f"--proto_path={proto_dir}", f"--python_out={out}", proto_file],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        fail_setup(f"protoc failed on {proto_path}: {result.stderr.strip()}")
    sys.path.insert(0, out)
    module = importlib.import_module(os.path.splitext(proto_file)[0] + "_pb2")
    shutil.rmtree(out, ignore_errors=True)  # the module is loaded; the files are no longer needed
    return module


def hlc_now() -> int:
    """A hybrid-logical-clock reading for "now": unix milliseconds << 16 | logical counter (0)."""
    return (int(time.time() * 1000) << 16) | 0


def within(subtree: str, code: str) -> bool:
    """True when `code` lies in the subtree of `subtree` (prefix test on significant digits)."""
    digits = len(subtree.rstrip("0"))
    # Significant digits come in groups 2,2,2,3,3: round up to the end of the group.
    for end in (2, 4, 6, 9, 12):
        if digits <= end:
            digits = end
            break
    return code.startswith(subtree[:digits])


def sibling(code: str) -> str:
    """Another community of the same street: an origin outside `code`'s subtree."""
    last = int(code[9:])
    return code[:9] + "%03d" % (last % 999 + 1)


class Child:
    def __init__(self, pb, args):
        self.pb = pb
        self.args = args
        self.trace = args.trace
        self.feed_epoch = secrets.token_hex(8)  # a new, empty feed every run
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.curve_serverkey = args.parent_key.encode("ascii")
        self.socket.curve_publickey = args.public.encode("ascii")
        self.socket.curve_secretkey = args.secret.encode("ascii")
        self.socket.connect(args.endpoint)
        self.last_sent = 0.0
        # Down direction: our watermark of the parent's feed, and the parent's feed epoch.
        self.down_watermark = 0
        self.parent_epoch = ""
        # In-memory replica of what came down: stat cells by key, record cells by (table, key, column).
        self.stats: dict[tuple, tuple[int, int]] = {}
        self.cells: dict[tuple, tuple[int, str, object]] = {}

    # --- framing -----------------------------------------------------------------------------

    def send(self, **body) -> None:
        envelope = self.pb.Envelope(**body)
        if self.trace:
            self.log("->", envelope)
        self.socket.send(envelope.SerializeToString())
        self.last_sent = time.monotonic()

    def receive(self, timeout_s: float):
        if not self.socket.poll(int(timeout_s * 1000), zmq.POLLIN):
            return None
        frames = self.socket.recv_multipart()
        if len(frames) != 1:
            return None  # the protocol has exactly one frame per message
        envelope = self.pb.Envelope()
        try:
            envelope.ParseFromString(frames[0])
        except Exception as error:  # noqa: BLE001 - any decode failure is MALFORMED
            self.send(error=self.pb.Error(code=self.pb.ERROR_MALFORMED, message=f"cannot decode frame: {error}"))
            return None
        if self.trace:
            self.log("<-", envelope)
        return envelope

    def log(self, arrow: str, envelope) -> None:
        kind = envelope.WhichOneof("body")
        text = str(getattr(envelope, kind)).replace("\n", " ").strip() if kind else "(empty)"
        print(f"{arrow} {kind} {{ {text} }}", file=sys.stderr, flush=True)

    # --- link ----------------------------------------------------------------------------------

    def hello(self) -> None:
        self.send(
            hello=self.pb.Hello(
                node_code=self.args.code,
                protocol_version=PROTOCOL_VERSION,
                received_watermark=self.down_watermark,
                received_epoch=self.parent_epoch,
                software=SOFTWARE,
                feed_epoch=self.feed_epoch,
            )
        )

    def heartbeat_if_due(self, feed_head: int) -> None:
        if time.monotonic() - self.last_sent >= self.args.heartbeat_ms / 1000:
            self.send(heartbeat=self.pb.Heartbeat(sent_at_ms=int(time.time() * 1000), feed_head=feed_head))

    def greet(self, deadline: float):
        """HELLO -> WELCOME. Returns the Welcome, or exits on a refusal or timeout."""
        self.hello()
        while time.monotonic() < deadline:
            envelope = self.receive(0.1)
            if envelope is None:
                continue
            kind = envelope.WhichOneof("body")
            if kind == "welcome":
                welcome = envelope.welcome
                if welcome.protocol_version != PROTOCOL_VERSION:
                    self.finish(1, {"status": "bad_welcome", "welcome": self.welcome_json(welcome)})
                if welcome.feed_epoch != self.parent_epoch:
                    # A different parent feed (new parent, or its database was replaced): start from zero.
                    self.parent_epoch = welcome.feed_epoch
                    self.down_watermark = 0
                return welcome
            if kind == "error":
                self.finish(1, {"status": "refused", "error": self.error_json(envelope.error)})
        self.finish(2, {"status": "timeout", "waiting_for": "WELCOME"})

    def probe_malformed(self, deadline: float) -> dict:
        """Sends a frame that is not an Envelope; the parent answers ERROR MALFORMED and keeps the link."""
        if self.trace:
            print("-> (garbage frame ff ff ff)", file=sys.stderr, flush=True)
        self.socket.send(b"\xff\xff\xff")
        while time.monotonic() < deadline:
            envelope = self.receive(0.1)
            if envelope is not None and envelope.WhichOneof("body") == "error":
                return self.error_json(envelope.error)
        self.finish(2, {"status": "timeout", "waiting_for": "ERROR MALFORMED"})

    def batch_frame(self, batch_id: int, seq_from: int, seq_to: int, batch) -> object:
        cells = sum(len(row.cells) for row in batch.rows) + len(batch.stats)
        return self.pb.BatchFrame(
            batch_id=batch_id,
            seq_from=seq_from,
            seq_to=seq_to,
            compression=self.pb.COMPRESSION_DEFLATE,
            payload=zlib.compress(batch.SerializeToString()),  # zlib (RFC 1950) stream
            cell_count=cells,
        )

    def accept(self, frame) -> dict:
        """Merges one BATCH from the parent, ACKs it (or refuses it) and returns a summary."""
        pb = self.pb
        if frame.seq_from > self.down_watermark:
            self.send(
                error=pb.Error(
                    code=pb.ERROR_OUT_OF_ORDER,
                    message=f"batch {frame.batch_id} starts at {frame.seq_from}, have {self.down_watermark}",
                    batch_id=frame.batch_id,
                )
            )
            return {"batch_id": frame.batch_id, "refused": "ERROR_OUT_OF_ORDER"}
        try:
            if frame.compression == pb.COMPRESSION_DEFLATE:
                raw = zlib.decompress(frame.payload)
            elif frame.compression == pb.COMPRESSION_NONE:
                raw = frame.payload
            else:
                raise ValueError(f"unknown compression {frame.compression}")
            batch = pb.Batch()
            batch.ParseFromString(raw)
            origins = list(batch.origins)
            for row in batch.rows:
                for cell in row.cells:
                    origins[cell.origin]  # noqa: B018 - IndexError -> MALFORMED
            for stat in batch.stats:
                origins[stat.origin]  # noqa: B018
        except Exception as error:  # noqa: BLE001
            self.send(error=pb.Error(code=pb.ERROR_MALFORMED, message=str(error), batch_id=frame.batch_id))
            return {"batch_id": frame.batch_id, "refused": "ERROR_MALFORMED"}

        applied = duplicates = 0
        stats_json = []
        rows_json = []
        for stat in batch.stats:
            origin = origins[stat.origin]
            key = (origin, stat.community, stat.metric, stat.dims, stat.period)
            known = self.stats.get(key)
            if known is None or stat.clock > known[1]:  # a stat cell keeps its greatest clock
                self.stats[key] = (stat.value, stat.clock)
                applied += 1
            else:
                duplicates += 1
            stats_json.append(
                {
                    "origin": origin,
                    "community": stat.community,
                    "metric": stat.metric,
                    "dims": stat.dims,
                    "period": stat.period,
                    "value": stat.value,
                    "clock": stat.clock,
                }
            )
        for row in batch.rows:
            columns = {}
            for cell in row.cells:
                origin = origins[cell.origin]
                kind = cell.value.WhichOneof("kind")
                value = None if kind in (None, "null") else getattr(cell.value, kind)
                key = (row.table, row.key, cell.column)
                known = self.cells.get(key)
                # Per column last writer wins on (clock, origin code).
                if known is None or (cell.clock, origin) > (known[0], known[1]):
                    self.cells[key] = (cell.clock, origin, value)
                    applied += 1
                else:
                    duplicates += 1
                columns[cell.column] = value
            rows_json.append({"table": row.table, "key": row.key, "columns": columns})
        # "Commit" (this client keeps its replica in memory), then acknowledge with the new watermark.
        self.down_watermark = max(self.down_watermark, frame.seq_to)
        self.send(
            ack=pb.Ack(batch_id=frame.batch_id, seq_to=self.down_watermark, applied=applied, duplicates=duplicates)
        )
        return {
            "batch_id": frame.batch_id,
            "seq_from": frame.seq_from,
            "seq_to": frame.seq_to,
            "cell_count": frame.cell_count,
            "compression": pb.Compression.Name(frame.compression),
            "stats": stats_json,
            "rows": rows_json,
            "applied": applied,
            "duplicates": duplicates,
        }

    # --- output ----------------------------------------------------------------------------------

    def welcome_json(self, welcome) -> dict:
        return {
            "node_code": welcome.node_code,
            "protocol_version": welcome.protocol_version,
            "received_watermark": welcome.received_watermark,
            "received_epoch": welcome.received_epoch,
            "feed_epoch": welcome.feed_epoch,
            "max_message_bytes": welcome.max_message_bytes,
            "max_in_flight": welcome.max_in_flight,
        }

    def error_json(self, error) -> dict:
        return {"code": self.pb.ErrorCode.Name(error.code), "message": error.message, "batch_id": error.batch_id}

    def finish(self, status: int, result: dict) -> None:
        print(json.dumps(result, ensure_ascii=False), flush=True)
        self.socket.close(0)
        self.context.term()
        sys.exit(status)

    # --- the scenario ------------------------------------------------------------------------------

    def run(self) -> None:
        args, pb = self.args, self.pb
        deadline = time.monotonic() + args.timeout
        welcome = self.greet(deadline)

        probe = None
        if args.probe_malformed:
            probe = self.probe_malformed(deadline)

        # Our feed (fresh epoch every run) holds one change at sequence 1: the statistics cell.
        origin = sibling(args.code) if args.forge else args.code
        if args.forge and within(args.code, origin):
            self.finish(3, {"status": "setup_error", "message": f"forged origin {origin} lies inside {args.code}"})
        feed_head = 1
        cell = pb.StatCell(
            origin=0, community=args.community, metric="calls", dims="", period=args.period, value=args.count,
            clock=hlc_now(),
        )
        batch = pb.Batch(origins=[origin], stats=[cell])
        up = {"next_id": 1, "in_flight": None, "acknowledged": 0}

        def send_up(welcome) -> None:
            """Sends the feed after the parent's watermark of it (nothing if it already has it all)."""
            if welcome.received_epoch == self.feed_epoch:
                up["acknowledged"] = max(up["acknowledged"], welcome.received_watermark)
            if up["acknowledged"] >= feed_head:
                up["in_flight"] = None
                return
            frame = self.batch_frame(up["next_id"], up["acknowledged"], feed_head, batch)
            if len(pb.Envelope(batch=frame).SerializeToString()) > welcome.max_message_bytes:
                self.finish(3, {"status": "setup_error", "message": "batch exceeds max_message_bytes"})
            up["in_flight"] = frame.batch_id
            up["next_id"] += 1
            self.send(batch=frame)

        # A new epoch: the parent's watermark of it is 0 (WELCOME says so), so this sends (0, 1].
        send_up(welcome)
        result = {
            "status": "ok",
            "code": args.code,
            "feed_epoch": self.feed_epoch,
            "welcome": self.welcome_json(welcome),
            "sent": {"batch_id": up["in_flight"], "seq_from": 0, "seq_to": feed_head, "origin": origin,
                     "community": args.community, "metric": "calls", "period": args.period, "value": args.count},
            "malformed_probe": probe,
            "ack": None,
            "down": [],
            "empty_batches": 0,
            "heartbeats": 0,
        }
        while time.monotonic() < deadline:
            self.heartbeat_if_due(feed_head)
            envelope = self.receive(0.05)
            if envelope is None:
                continue
            kind = envelope.WhichOneof("body")
            if kind == "ack":
                ack = envelope.ack
                if ack.batch_id == up["in_flight"]:  # ACKs for other ids are stale: ignore them
                    up["in_flight"] = None
                    up["acknowledged"] = max(up["acknowledged"], min(ack.seq_to, feed_head))
                    result["ack"] = {"batch_id": ack.batch_id, "seq_to": ack.seq_to, "applied": ack.applied,
                                     "duplicates": ack.duplicates}
                    if args.forge:
                        result["status"] = "forged_batch_accepted"
                        self.finish(1, result)
            elif kind == "error":
                error = envelope.error
                if error.batch_id == 0 and error.code == pb.ERROR_NOT_WELCOMED:
                    # The parent lost our session (it restarted): greet again, resume from its watermark.
                    welcome = self.greet(deadline)
                    send_up(welcome)
                    if up["acknowledged"] >= feed_head and result["ack"] is None:
                        result["ack"] = {"batch_id": 0, "seq_to": up["acknowledged"], "from": "WELCOME"}
                    continue
                if error.batch_id != 0 and error.batch_id != up["in_flight"]:
                    continue  # about a batch we no longer wait for: stale
                if args.forge and error.code == pb.ERROR_FOREIGN_ORIGIN:
                    result["status"] = "refused_as_expected"
                    result["error"] = self.error_json(error)
                    self.finish(0, result)
                if error.code == pb.ERROR_OUT_OF_ORDER:
                    send_up(welcome)  # go-back-N: re-send at once from the last acknowledged position
                    continue
                # Any other refusal would be re-sent after a backoff (0.5 s doubling to 30 s); this
                # one-shot client reports it instead.
                result["status"] = "refused"
                result["error"] = self.error_json(error)
                self.finish(1, result)
            elif kind == "batch":
                summary = self.accept(envelope.batch)
                if "refused" in summary:
                    result.setdefault("refused_down", []).append(summary)
                elif summary["stats"] or summary["rows"]:
                    result["down"].append(summary)
                else:
                    result["empty_batches"] += 1
            elif kind == "heartbeat":
                result["heartbeats"] += 1
            elif kind in ("hello", "welcome"):
                self.send(error=pb.Error(code=pb.ERROR_MALFORMED, message=f"unexpected {kind} on an established link"))
            if (
                not args.forge
                and result["ack"] is not None
                and any(s["community"] == args.community for b in result["down"] for s in b["stats"])
            ):
                result["down_watermark"] = self.down_watermark
                self.finish(0, result)
        result["status"] = "timeout"
        self.finish(2, result)


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="the parent's ROUTER endpoint, tcp://HOST:PORT")
    parser.add_argument("--parent-key", required=True, help="the parent's CURVE public key (Z85, 40 chars)")
    parser.add_argument("--public", required=True, help="this child's CURVE public key (Z85)")
    parser.add_argument("--secret", required=True, help="this child's CURVE secret key (Z85)")
    parser.add_argument("--code", required=True, help="this child's 12-digit node code (trusted at the parent)")
    parser.add_argument("--community", required=True, help="the community the statistics cell is about")
    parser.add_argument("--count", type=int, required=True, help="the cell's value (calls)")
    parser.add_argument("--period", default=time.strftime("%Y-%m-%d"), help="YYYY-MM-DD (default: today)")
    parser.add_argument("--forge", action="store_true", help="send a cell with an origin outside this subtree")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before giving up")
    parser.add_argument("--heartbeat-ms", type=int, default=500, help="heartbeat interval")
    parser.add_argument("--proto", default=os.path.join(here, "..", "..", "proto", "eldercare_sync.proto"))
    parser.add_argument("--probe-malformed", action="store_true",
                        help="after WELCOME, send a garbage frame and expect ERROR MALFORMED (the link stays up)")
    parser.add_argument("--trace", action="store_true", help="log every message to stderr")
    args = parser.parse_args()
    Child(load_protocol(args.proto), args).run()


if __name__ == "__main__":
    main()
