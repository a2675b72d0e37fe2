#!/usr/bin/env python3
"""A minimal ElderCare Federation child node that relies only on what docs/PROTOCOL.md and
proto/eldercare_sync.proto specify (nothing is shared with the Swift implementation).

It links to a parent node over ZeroMQ (DEALER -> ROUTER, CurveZMQ), greets it, sends one
statistics cell up, waits for the ACK, then waits for a batch coming down about its community,
acknowledges it and prints one JSON line with what it saw:

    python3 tests/python/child_client.py --endpoint tcp://127.0.0.1:7103 \
        --parent-key="$(cat PARENT/keys/node.public)" --public=PUB --secret=SEC \
        --code 130102001001 --community 130102001001 --count 7

With --forge it instead sends a cell whose origin lies outside its own subtree and expects the
parent to refuse that change and acknowledge the batch: ACK refused >= 1, applied 0 (status
"refused_as_expected"; exit 0).

With --all-tables it sends up, in one batch, a row change of every replicated table (all scoped to
its own community) and a valid statistics cell, plus changes the document says a receiver refuses
(an elder of a sibling community, an undeclared table, an undeclared column, a cell with an unknown
metric, a negative value, a street as subject); it reports the ACK and what it expected.

With --self-test it connects to nothing: it feeds its own receiving side (validation and merge of
batches coming down) crafted batches and reports what it refused.

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
import unicodedata
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


MAX_CLOCK_SKEW_MS = 300_000          # [sync] max_clock_skew_ms default: further ahead refuses the batch
REFUSE_FOR_GOOD_SKEW_MS = 86_400_000  # further ahead than a day: that change is refused for good
MAX_BATCH_CELLS = 250_000
MAX_STAT_VALUE = 1_000_000_000

# "Replicated tables" in docs/PROTOCOL.md: table -> (primary key, scope column, {column: (type, personal)}).
SCHEMA = {
    "elders": ("id", "community", {
        "name": ("text", True), "gender": ("text", False), "birth_date": ("text", True),
        "resident_id": ("text", True), "phone": ("text", True), "address": ("text", True),
        "community": ("text", False), "living": ("text", False), "disability": ("text", False),
        "categories": ("text", False), "tier": ("text", False), "monthly_hours": ("integer", False),
        "monthly_subsidy": ("integer", False), "card_no": ("text", False), "status": ("text", False),
        "status_month": ("text", False), "emergency_contacts": ("text", True), "applied_by": ("text", False),
        "applied_at": ("text", False), "reviewed_by": ("text", False), "reviewed_at": ("text", False),
        "decided_by": ("text", False), "decided_at": ("text", False), "status_note": ("text", False),
    }),
    "providers": ("id", "scope", {
        "name": ("text", False), "contract_status": ("text", False), "contract_start": ("text", False),
        "contract_end": ("text", False), "categories": ("text", False), "phone": ("text", False),
        "scope": ("text", False),
    }),
    "service_items": ("id", "scope", {
        "category": ("text", False), "name_zh": ("text", False), "name_en": ("text", False),
        "unit": ("text", False), "unit_price_fen": ("integer", False), "scope": ("text", False),
    }),
    "subsidy_policy": ("category", "scope", {
        "monthly_subsidy_yuan": ("integer", False), "tier": ("text", False), "monthly_hours": ("integer", False),
        "scope": ("text", False),
    }),
}
ERASED = "_erased"

# "Statistics cells" in docs/PROTOCOL.md: metric -> (required dims, optional dims); a rule is a set of
# allowed values or ("text", max bytes).
CHANNELS = {"hotline", "sos_key", "help_key", "app", "walk_in"}
CALL_TYPES = {"emergency", "service_request", "consultation", "complaint", "companionship", "invalid"}
CATEGORIES = {"medical_care", "emergency_aid", "daily_care", "spiritual_comfort", "legal_aid", "culture_recreation"}
SCORES = {"satisfied", "basically_satisfied", "dissatisfied"}
HOURS = {"%02d" % hour for hour in range(24)}
FLAG = {"0", "1"}
VISIT_DIMS = ({"category": CATEGORIES, "provider": ("text", 256)}, {"item": ("text", 256)})
METRICS = {
    "calls": ({"channel": CHANNELS, "type": CALL_TYPES, "effective": FLAG, "hour": HOURS}, {}),
    "visits": VISIT_DIMS,
    "visit_minutes": VISIT_DIMS,
    "callbacks": ({"score": SCORES, "complaint": FLAG}, {"provider": ("text", 256)}),
}
CALL_DIMS = "channel=hotline;effective=1;hour=09;type=consultation"


def hlc_now(ahead_ms: int = 0) -> int:
    """A hybrid-logical-clock reading for "now": unix milliseconds << 16 | logical counter (0)."""
    return ((int(time.time() * 1000) + ahead_ms) << 16) | 0


def code_level(code: str):
    """The level of a 12-digit code (1 province … 5 community), or None if it is not a valid code."""
    if len(code) != 12 or not code.isascii() or not code.isdigit():
        return None
    groups = [code[0:2], code[2:4], code[4:6], code[6:9], code[9:12]]
    if set(groups[0]) == {"0"}:
        return None
    significant = max(index + 1 for index, group in enumerate(groups) if set(group) != {"0"})
    if any(set(groups[index]) == {"0"} for index in range(1, significant)):
        return None
    return significant


def within(subtree: str, code: str) -> bool:
    """True when `code` lies in the subtree of `subtree` (prefix test on significant digits)."""
    level, inner = code_level(subtree), code_level(code)
    if level is None or inner is None or inner < level:
        return False
    digits = (2, 4, 6, 9, 12)[level - 1]
    return code.startswith(subtree[:digits])


def sibling(code: str) -> str:
    """Another community of the same street: an origin outside `code`'s subtree."""
    last = int(code[9:])
    return code[:9] + "%03d" % (last % 999 + 1)


def is_identifier(text: str) -> bool:
    return bool(text) and "a" <= text[0] <= "z" and all("a" <= c <= "z" or "0" <= c <= "9" or c == "_" for c in text)


def is_day(text: str) -> bool:
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not ("1970-01-01" <= text <= "9998-12-31"):
        return False
    year, month, day = text[0:4], text[5:7], text[8:10]
    if not (year + month + day).isdigit() or not (year + month + day).isascii():
        return False
    year, month, day = int(year), int(month), int(day)
    if not 1 <= month <= 12 or day < 1:
        return False
    leap = year % 4 == 0 and year % 100 != 0 or year % 400 == 0
    days = (29 if leap else 28) if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    return day <= days


class Refused(Exception):
    """A change the receiver leaves out and counts (its code is the reason, as in the receiver's log)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class WholeBatch(Exception):
    """Refuses the whole batch with ERROR `code` (an ErrorCode name)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def check_stat(stat) -> None:
    """Raises Refused("invalid_statistic") unless the cell follows the grammar of docs/PROTOCOL.md."""
    def refuse(reason: str):
        raise Refused("invalid_statistic", f"{stat.metric}/{stat.community}/{stat.period}: {reason}")
    if not 0 <= stat.value <= MAX_STAT_VALUE:
        refuse(f"value {stat.value} is outside 0…{MAX_STAT_VALUE}")
    if code_level(stat.community) != 5:
        refuse(f"subject {stat.community} is not a community")
    if not is_day(stat.period):
        refuse(f"period {stat.period!r} is not a calendar day")
    if len(stat.metric.encode()) > 64 or not is_identifier(stat.metric):
        refuse(f"metric {stat.metric!r} is not lower_snake_case of at most 64 bytes")
    if len(stat.dims.encode()) > 256:
        refuse("dims longer than 256 bytes")
    pairs = []
    for pair in stat.dims.split(";") if stat.dims else []:
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            refuse(f"dimension {pair!r} is not key=value")
        if not is_identifier(key):
            refuse(f"dimension key {key!r} is not lower_snake_case")
        if "=" in value or any(unicodedata.category(c) == "Cc" for c in value):
            refuse(f"dimension value of {key} contains = or a control character")
        if pairs and not pairs[-1][0] < key:
            refuse("dimension keys are not strictly ascending")
        pairs.append((key, value))
    if stat.metric not in METRICS:
        refuse(f"unknown metric {stat.metric!r}")
    required, optional = METRICS[stat.metric]
    for key, value in pairs:
        rule = required.get(key, optional.get(key))
        if rule is None:
            refuse(f"dimension {key!r} is not one of {stat.metric}'s")
        if isinstance(rule, tuple):
            if len(value.encode()) > rule[1]:
                refuse(f"{key} longer than {rule[1]} bytes")
        elif value not in rule:
            refuse(f"{key}={value} is not allowed")
    missing = set(required) - {key for key, _ in pairs}
    if missing:
        refuse(f"missing dimension {sorted(missing)}")


def check_clock(clock: int, now_ms: int) -> bool:
    """Raises Refused for a clock with no time or more than a day ahead; returns True when it is ahead
    by more than the skew bound but at most a day (which refuses the whole batch, to be retried)."""
    physical = clock >> 16
    if physical == 0:
        raise Refused("malformed_clock", f"clock {clock} has no physical time")
    ahead = physical - now_ms
    if ahead > REFUSE_FOR_GOOD_SKEW_MS:
        raise Refused("clock_skew", f"clock {ahead} ms ahead: refused for good")
    return ahead > MAX_CLOCK_SKEW_MS


def check_row(row, now_ms: int) -> bool:
    """Raises Refused for a row change a receiver refuses; returns True if a clock refuses the batch."""
    if row.table not in SCHEMA:
        raise Refused("unknown_table", f"table {row.table!r} is not declared")
    _, _, columns = SCHEMA[row.table]
    if not 1 <= len(row.key.encode()) <= 128:
        raise Refused("invalid_key", f"key of {len(row.key.encode())} bytes")
    skewed = False
    for cell in row.cells:
        kind = cell.value.WhichOneof("kind")
        if cell.column == ERASED:
            if kind != "text":
                raise Refused("type_mismatch", "_erased must carry a text reason")
        elif cell.column not in columns:
            raise Refused("unknown_column", f"column {cell.column!r} is not declared in {row.table}")
        else:
            declared = columns[cell.column][0]
            if kind not in (None, "null") and not (kind == declared or declared == "real" and kind == "integer"):
                raise Refused("type_mismatch", f"{row.table}.{cell.column} is {declared}, got {kind}")
        skewed = check_clock(cell.clock, now_ms) or skewed
    return skewed


def decode_batch(pb, frame):
    """The Batch of a BATCH frame; raises WholeBatch("ERROR_MALFORMED") for a bad payload."""
    try:
        if frame.compression == pb.COMPRESSION_DEFLATE:
            inflater = zlib.decompressobj()
            raw = inflater.decompress(frame.payload, 64 << 20)  # the receiver's inflate cap
            if inflater.unconsumed_tail:
                raise ValueError("payload inflates beyond 64 MiB")
        elif frame.compression == pb.COMPRESSION_NONE:
            raw = frame.payload
        else:
            raise ValueError(f"unknown compression {frame.compression}")
        batch = pb.Batch()
        batch.ParseFromString(raw)
    except Exception as error:  # noqa: BLE001 - any decode failure is MALFORMED
        raise WholeBatch("ERROR_MALFORMED", str(error)) from error
    for origin in batch.origins:
        if code_level(origin) is None:
            raise WholeBatch("ERROR_MALFORMED", f"origin {origin!r} is not a node code")
    for index in [cell.origin for row in batch.rows for cell in row.cells] + [stat.origin for stat in batch.stats]:
        if index >= len(batch.origins):
            raise WholeBatch("ERROR_MALFORMED", f"origin index {index} out of range")
    for stat in batch.stats:
        if code_level(stat.community) is None:
            raise WholeBatch("ERROR_MALFORMED", f"community {stat.community!r} is not a node code")
    return batch


class Replica:
    """What came down from the parent, in memory: statistics cells by key, record cells by
    (table, key, column) with their (clock, origin) version."""

    def __init__(self):
        self.stats: dict[tuple, tuple[int, int]] = {}
        self.cells: dict[tuple, tuple[int, str, object]] = {}

    def merge(self, batch, now_ms: int) -> dict:
        """Judges every change as docs/PROTOCOL.md says a receiver does, then merges the rest.
        Raises WholeBatch for what refuses the whole batch (nothing is merged then)."""
        origins = list(batch.origins)
        cells = sum(len(row.cells) for row in batch.rows) + len(batch.stats)
        if cells > MAX_BATCH_CELLS:
            raise WholeBatch("ERROR_TOO_LARGE", f"{cells} cells")
        refused, by_code, messages = 0, {}, []
        good_rows, good_stats, skewed = [], [], False

        def refuse(error: Refused, count: int) -> None:
            nonlocal refused
            refused += count
            by_code[error.code] = by_code.get(error.code, 0) + count
            messages.append(str(error))

        for row in batch.rows:
            try:
                skewed = check_row(row, now_ms) or skewed
                good_rows.append(row)
            except Refused as error:
                refuse(error, max(1, len(row.cells)))
        for stat in batch.stats:
            try:
                check_stat(stat)
                skewed = check_clock(stat.clock, now_ms) or skewed
                good_stats.append(stat)
            except Refused as error:
                refuse(error, 1)
        if skewed:
            raise WholeBatch("ERROR_CLOCK_SKEW", "a clock is ahead by more than max_clock_skew_ms")
        # A child does not check the origins of what its parent sends, nor who owns a record: only a
        # parent receiving from a child does (docs/PROTOCOL.md, "What a receiver refuses").

        applied = duplicates = 0
        stats_json, rows_json = [], []
        for stat in good_stats:
            origin = origins[stat.origin]
            key = (origin, stat.community, stat.metric, stat.dims, stat.period)
            known = self.stats.get(key)
            if known is None or stat.clock > known[1]:  # a stat cell keeps its greatest clock
                self.stats[key] = (stat.value, stat.clock)
                applied += 1
            else:
                duplicates += 1
            stats_json.append({"origin": origin, "community": stat.community, "metric": stat.metric,
                               "dims": stat.dims, "period": stat.period, "value": stat.value, "clock": stat.clock})
        for row in good_rows:
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
            tombstone = self.cells.get((row.table, row.key, ERASED))
            if tombstone is not None:  # an erasure scrubs every personal column it is newer than
                for column, (_, personal) in SCHEMA[row.table][2].items():
                    stored = self.cells.get((row.table, row.key, column))
                    if personal and stored is not None and stored[:2] <= tombstone[:2]:
                        self.cells[(row.table, row.key, column)] = (tombstone[0], tombstone[1], None)
            rows_json.append({"table": row.table, "key": row.key, "columns": columns})
        return {"applied": applied, "duplicates": duplicates, "refused": refused, "refused_by_code": by_code,
                "refusals": messages[:8], "stats": stats_json, "rows": rows_json}


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
        # In-memory replica of what came down (this client keeps nothing on disk).
        self.replica = Replica()

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
                if envelope.error.code == self.pb.ERROR_NOT_WELCOMED and envelope.error.batch_id == 0:
                    # The answer to a message sent before this HELLO reached the parent (a heartbeat
                    # after the parent dropped a silent session): stale, the WELCOME is still coming.
                    continue
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
        """Judges and merges one BATCH from the parent, then ACKs it (or refuses it whole) and returns a
        summary. A refused change is left out and counted in the ACK's `refused`: never the whole batch."""
        pb = self.pb
        if frame.seq_from > self.down_watermark:
            self.send(
                error=pb.Error(
                    code=pb.ERROR_OUT_OF_ORDER,
                    message=f"batch {frame.batch_id} starts at {frame.seq_from}, have {self.down_watermark}",
                    batch_id=frame.batch_id,
                )
            )
            return {"batch_id": frame.batch_id, "refused_batch": "ERROR_OUT_OF_ORDER"}
        try:
            merged = self.replica.merge(decode_batch(pb, frame), int(time.time() * 1000))
        except WholeBatch as error:
            self.send(error=pb.Error(code=pb.ErrorCode.Value(error.code), message=str(error), batch_id=frame.batch_id))
            return {"batch_id": frame.batch_id, "refused_batch": error.code}
        # "Commit" (this client keeps its replica in memory), then acknowledge with the new watermark.
        self.down_watermark = max(self.down_watermark, frame.seq_to)
        self.send(
            ack=pb.Ack(batch_id=frame.batch_id, seq_to=self.down_watermark, applied=merged["applied"],
                       duplicates=merged["duplicates"], refused=merged["refused"])
        )
        return {
            "batch_id": frame.batch_id,
            "seq_from": frame.seq_from,
            "seq_to": frame.seq_to,
            "cell_count": frame.cell_count,
            "compression": pb.Compression.Name(frame.compression),
            **merged,
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

    def all_tables_batch(self, clock: int):
        """One batch with a row change of every replicated table and a good statistics cell, plus the
        changes docs/PROTOCOL.md says a parent refuses. Returns (batch, the changes with their expected
        outcome)."""
        pb, code, period = self.pb, self.args.code, self.args.period
        tag = self.feed_epoch[:8]

        def text(value):
            return pb.Value(text=value)

        def integer(value):
            return pb.Value(integer=value)

        def row(table, key, columns):
            return pb.RowChange(table=table, key=key, cells=[
                pb.Cell(column=column, value=value, clock=clock, origin=0) for column, value in columns.items()])

        good_rows = [
            row("elders", f"PY-E-{tag}", {"name": text("Python Elder"), "gender": text("female"),
                                          "community": text(code), "living": text("alone"), "status": text("active"),
                                          "monthly_hours": integer(10)}),
            row("providers", f"PY-P-{tag}", {"name": text("Python Care Co."), "contract_status": text("active"),
                                             "categories": text("daily_care"), "scope": text(code)}),
            row("service_items", f"py.{tag}.bathing", {"category": text("daily_care"), "name_zh": text("助浴"),
                                                       "name_en": text("Bathing"), "unit": text("visit"),
                                                       "unit_price_fen": integer(3000), "scope": text(code)}),
            row("subsidy_policy", f"py_{tag}", {"monthly_subsidy_yuan": integer(200), "tier": text("basic"),
                                                "monthly_hours": integer(8), "scope": text(code)}),
        ]
        good_stats = [pb.StatCell(origin=0, community=code, metric="calls", dims=CALL_DIMS, period=period,
                                  value=self.args.count, clock=clock)]
        bad_rows = [
            ("not_owner", row("elders", f"PY-X-{tag}", {"name": text("Not Mine"), "community": text(sibling(code)),
                                                       "status": text("deceased")})),
            ("unknown_table", row("py_unknown_table", f"PY-U-{tag}", {"a": text("1"), "b": text("2")})),
            ("unknown_column", row("elders", f"PY-C-{tag}", {"community": text(code), "py_nickname": text("x")})),
        ]
        bad_stats = [
            ("invalid_statistic", pb.StatCell(origin=0, community=code, metric="py_unknown_metric", dims="",
                                              period=period, value=1, clock=clock)),
            ("invalid_statistic", pb.StatCell(origin=0, community=code, metric="calls", dims=CALL_DIMS.replace("09", "10"),
                                              period=period, value=-5, clock=clock)),
            ("invalid_statistic", pb.StatCell(origin=0, community=code[:9] + "000", metric="calls", dims=CALL_DIMS,
                                              period=period, value=3, clock=clock)),
        ]
        batch = pb.Batch(origins=[code], rows=good_rows + [r for _, r in bad_rows],
                         stats=good_stats + [s for _, s in bad_stats])
        changes = (
            [{"kind": "row", "table": r.table, "key": r.key, "cells": len(r.cells), "expected": "applied"} for r in good_rows]
            + [{"kind": "stat", "metric": s.metric, "community": s.community, "dims": s.dims, "cells": 1,
                "expected": "applied"} for s in good_stats]
            + [{"kind": "row", "table": r.table, "key": r.key, "cells": len(r.cells), "expected": c} for c, r in bad_rows]
            + [{"kind": "stat", "metric": s.metric, "community": s.community, "dims": s.dims, "value": s.value,
                "cells": 1, "expected": c} for c, s in bad_stats]
        )
        return batch, changes

    def run(self) -> None:
        args, pb = self.args, self.pb
        deadline = time.monotonic() + args.timeout
        welcome = self.greet(deadline)

        probe = None
        if args.probe_malformed:
            probe = self.probe_malformed(deadline)

        # Our feed (fresh epoch every run) holds its changes at sequence 1: one statistics cell, or with
        # --all-tables one change of every kind.
        origin = sibling(args.code) if args.forge else args.code
        if args.forge and within(args.code, origin):
            self.finish(3, {"status": "setup_error", "message": f"forged origin {origin} lies inside {args.code}"})
        feed_head = 1
        changes = None
        if args.all_tables:
            batch, changes = self.all_tables_batch(hlc_now())
        else:
            cell = pb.StatCell(
                origin=0, community=args.community, metric="calls", dims=CALL_DIMS, period=args.period,
                value=args.count, clock=hlc_now(),
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
                     "community": args.community, "metric": "calls", "dims": CALL_DIMS, "period": args.period,
                     "value": args.count},
            "malformed_probe": probe,
            "ack": None,
            "down": [],
            "empty_batches": 0,
            "heartbeats": 0,
        }
        if changes is not None:
            result["sent"] = {"batch_id": up["in_flight"], "seq_from": 0, "seq_to": feed_head, "changes": changes}
            result["expected_applied"] = sum(c["cells"] for c in changes if c["expected"] == "applied")
            result["expected_refused"] = sum(c["cells"] for c in changes if c["expected"] != "applied")
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
                                     "duplicates": ack.duplicates, "refused": ack.refused}
                    if args.forge:
                        # The forged change is left out and counted; the batch itself is acknowledged.
                        expected = ack.refused >= 1 and ack.applied == 0
                        result["status"] = "refused_as_expected" if expected else "forged_change_accepted"
                        self.finish(0 if expected else 1, result)
                    if changes is not None:
                        expected = (ack.refused == result["expected_refused"]
                                    and ack.applied == result["expected_applied"])
                        result["status"] = "ok" if expected else "unexpected_ack"
                        self.finish(0 if expected else 1, result)
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
                if error.code == pb.ERROR_OUT_OF_ORDER:
                    send_up(welcome)  # go-back-N: re-send at once from the last acknowledged position
                    continue
                # Any other refusal refuses the whole batch: a real child re-sends it after a backoff
                # (0.5 s doubling to 30 s); this one-shot client reports it instead.
                result["status"] = "refused"
                result["error"] = self.error_json(error)
                self.finish(1, result)
            elif kind == "batch":
                summary = self.accept(envelope.batch)
                if "refused_batch" in summary:
                    result.setdefault("refused_down", []).append(summary)
                elif summary["stats"] or summary["rows"] or summary["refused"]:
                    result["down"].append(summary)
                else:
                    result["empty_batches"] += 1
            elif kind == "heartbeat":
                result["heartbeats"] += 1
            elif kind in ("hello", "welcome"):
                self.send(error=pb.Error(code=pb.ERROR_MALFORMED, message=f"unexpected {kind} on an established link"))
            if (
                not args.forge
                and changes is None
                and result["ack"] is not None
                and any(s["community"] == args.community for b in result["down"] for s in b["stats"])
            ):
                result["down_watermark"] = self.down_watermark
                self.finish(0, result)
        result["status"] = "timeout"
        self.finish(2, result)


def self_test(pb) -> None:
    """Feeds the receiving side batches as a parent could send them down and prints what it did: every
    replicated table is accepted; an undeclared table or column, a bad cell or a clock a day ahead is
    refused and counted alone; a clock minutes ahead refuses the whole batch."""
    parent, community = "130102001000", "130102001001"
    now = int(time.time() * 1000)
    clock = hlc_now()

    def row(table, key, columns, at=clock):
        return pb.RowChange(table=table, key=key, cells=[
            pb.Cell(column=c, value=v, clock=at, origin=0) for c, v in columns.items()])

    def stat(community=community, metric="calls", dims=CALL_DIMS, value=1, at=clock):
        return pb.StatCell(origin=0, community=community, metric=metric, dims=dims, period="2026-01-05",
                           value=value, clock=at)

    text, integer = (lambda v: pb.Value(text=v)), (lambda v: pb.Value(integer=v))
    good = [
        row("elders", "E-1", {"name": text("A"), "community": text(community), "monthly_hours": integer(4)}),
        row("providers", "P-1", {"name": text("Care"), "scope": text("130102000000")}),
        row("service_items", "daily_care.bathing", {"category": text("daily_care"), "unit_price_fen": integer(3000),
                                                    "scope": text("130100000000")}),
        row("subsidy_policy", "low_income", {"monthly_subsidy_yuan": integer(200), "scope": text("130100000000")}),
    ]
    bad = [
        row("future_table", "F-1", {"x": text("1"), "y": text("2")}),              # unknown_table: 2 cells
        row("elders", "E-2", {"community": text(community), "nickname": text("x")}),  # unknown_column: 2 cells
        row("elders", "E-3", {"monthly_hours": text("four")}),                        # type_mismatch: 1 cell
        row("elders", "", {"community": text(community)}),                            # invalid_key: 1 cell
        row("elders", "E-4", {"community": text(community)}, at=5),                   # malformed_clock: 1 cell
    ]
    bad_stats = [
        stat(dims="type=consultation;channel=hotline;effective=1;hour=09"),  # keys not ascending
        stat(value=-5), stat(community="130102001000"), stat(metric="calls_total"),
        stat(dims="channel=hotline;effective=1;hour=24;type=consultation"),
        stat(at=hlc_now(ahead_ms=2 * REFUSE_FOR_GOOD_SKEW_MS)),             # clock_skew for good
    ]
    batch = pb.Batch(origins=[parent], rows=good + bad, stats=[stat()] + bad_stats)
    replica = Replica()
    first = replica.merge(batch, now)
    again = replica.merge(batch, now)  # a re-send: the good cells are duplicates, the bad refused again
    try:
        replica.merge(pb.Batch(origins=[parent], stats=[stat(at=hlc_now(ahead_ms=3_600_000))]), now)
        skew = None
    except WholeBatch as error:
        skew = error.code
    frame = pb.BatchFrame(batch_id=1, seq_from=0, seq_to=1, compression=pb.COMPRESSION_DEFLATE,
                          payload=zlib.compress(pb.Batch(origins=["13"]).SerializeToString()))
    try:
        decode_batch(pb, frame)
        malformed = None
    except WholeBatch as error:
        malformed = error.code
    keep = ("applied", "duplicates", "refused", "refused_by_code")
    print(json.dumps({
        "status": "ok",
        "first": {k: first[k] for k in keep}, "again": {k: again[k] for k in keep},
        "tables": sorted({r["table"] for r in first["rows"]}),
        "clock_minutes_ahead": skew, "bad_origin": malformed,
    }), flush=True)


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
    parser.add_argument("--all-tables", action="store_true",
                        help="send a change of every replicated table plus changes the parent must refuse")
    parser.add_argument("--self-test", action="store_true",
                        help="connect to nothing: check the receiving side on crafted batches")
    parser.add_argument("--trace", action="store_true", help="log every message to stderr")
    if "--self-test" in sys.argv[1:]:
        args, _ = parser.parse_known_args(["--endpoint=-", "--parent-key=-", "--public=-", "--secret=-", "--code=-",
                                           "--community=-", "--count=0"] + sys.argv[1:])
        self_test(load_protocol(args.proto))
        return
    args = parser.parse_args()
    Child(load_protocol(args.proto), args).run()


if __name__ == "__main__":
    main()
