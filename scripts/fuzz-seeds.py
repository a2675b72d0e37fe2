#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets, deterministically: fuzz/corpus/csv and fuzz/corpus/wire.

    python3 scripts/fuzz-seeds.py            # needs protoc and the protobuf package for the wire seeds

Real rosters the way Excel and WPS save them: English and Chinese headers, UTF-8 with and without a
byte order mark, GB18030, tab-separated, quoted cells with commas and line breaks, and rows that the
validation refuses (bad check digit, gender or birth date disagreeing with the ID, bad phone, a
community outside the city, hours out of range).

The wire seeds are real messages encoded from proto/eldercare_sync.proto by Python's protobuf (an
independent encoder, like tests/python/child_client.py): every kind of Envelope, batch frames
carrying zlib-compressed roster and statistics batches, and the bare batch payloads, plain and zlib.
"""
import importlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "fuzz", "corpus", "csv")
WIRE = os.path.join(ROOT, "fuzz", "corpus", "wire")
FIELDS = ["id", "resident_id", "name", "gender", "birth_date", "phone", "address", "community", "living",
          "disability", "categories", "tier", "monthly_hours", "monthly_subsidy", "card_no", "status"]
CHINESE = ["编号", "身份证号", "姓名", "性别", "出生日期", "电话", "住址", "社区", "居住状况", "失能等级", "补贴类别",
           "服务等级", "月服务时长", "月补贴", "服务卡号", "状态"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["秀英", "桂兰", "玉珍", "建国", "国华", "淑珍", "凤英", "德明", "志强", "秀兰", "丽华", "振华"]
STREETS = ["中山东路", "建设南大街", "裕华路", "平安北大街", "和平西路"]
COMMUNITIES = ["130102001001", "130102001002", "130102002001", "130104001001"]
LIVING = ["alone", "empty_nest", "with_family", "left_behind"]
DISABILITY = ["none", "mild", "moderate", "severe"]
CATEGORIES = ["three_no", "minimum_living", "near_minimum_living", "extreme_poverty", "nonagenarian", "entitled_group"]
TIERS = ["key_protection", "assisted", "universal"]


def resident_id(rng, male):
    year = rng.randint(1925, 1960)
    body = "130102%04d%02d%02d%02d%d" % (year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 99),
                                         rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8]))
    check = CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]
    return body + check


def elder(rng, index):
    male = rng.random() < 0.45
    rid = resident_id(rng, male)
    return {
        "id": "E130102-%05d" % index, "resident_id": rid,
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "gender": "male" if male else "female",
        "birth_date": "%s-%s-%s" % (rid[6:10], rid[10:12], rid[12:14]),
        "phone": "13%09d" % rng.randint(0, 999_999_999),
        "address": "石家庄市长安区%s%d号%d单元" % (rng.choice(STREETS), rng.randint(1, 300), rng.randint(1, 6)),
        "community": rng.choice(COMMUNITIES), "living": rng.choice(LIVING), "disability": rng.choice(DISABILITY),
        "categories": "、".join(rng.sample(CATEGORIES, rng.randint(0, 2))), "tier": rng.choice(TIERS),
        "monthly_hours": str(rng.choice([0, 10, 20, 30, 45])), "monthly_subsidy": str(rng.choice([0, 100, 300, 600])),
        "card_no": "SJZ%08d" % rng.randint(0, 99_999_999), "status": rng.choice(["applied", "active", "suspended"]),
    }


def quote(cell):
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell


def table(header, rows, fields=FIELDS, sep=",", eol="\r\n"):
    lines = [sep.join(header)] + [sep.join(quote(row.get(f, "")) for f in fields) for row in rows]
    return eol.join(lines) + eol


def main():
    rng = random.Random(20260101)
    rows = [elder(rng, i) for i in range(12)]
    bad = [dict(r) for r in rows[:6]]
    bad[0]["resident_id"] = bad[0]["resident_id"][:17] + ("0" if bad[0]["resident_id"][17] != "0" else "1")
    bad[1]["gender"] = "female" if bad[1]["gender"] == "male" else "male"
    bad[2]["birth_date"] = "1900-02-30"
    bad[3]["phone"] = "12345"
    bad[4]["community"] = "110105001001"
    bad[5]["monthly_hours"] = "745"
    quoted = [dict(r) for r in rows[:3]]
    quoted[0]["address"] = '石家庄市长安区"幸福里"小区, 3号楼2单元'
    quoted[1]["categories"] = "three_no,entitled_group"
    quoted[2]["address"] = "石家庄市长安区中山东路5号\n2单元"  # a line break inside a quoted cell: CSV reads it, the address check refuses it
    chinese_values = [dict(r, gender="女" if r["gender"] == "female" else "男") for r in rows[6:9]]
    seeds = {
        "utf8_english.csv": table(FIELDS, rows[:4]).encode("utf-8"),
        "utf8_bom_chinese.csv": b"\xef\xbb\xbf" + table(CHINESE, rows[4:8]).encode("utf-8"),
        "gb18030_chinese.csv": table(CHINESE, rows[8:12]).encode("gb18030"),
        "gb18030_chinese_values.csv": table(CHINESE, chinese_values).encode("gb18030"),
        "tab_separated.tsv.csv": table(CHINESE, rows[:3], sep="\t", eol="\n").encode("utf-8"),
        "required_only.csv": table(["id", "身份证号", "姓名", "社区"], rows[:3],
                                   fields=["id", "resident_id", "name", "community"], eol="\n").encode("utf-8"),
        "refused_rows.csv": table(FIELDS, bad).encode("utf-8"),
        "quoted_cells.csv": table(FIELDS, quoted).encode("utf-8"),
        "blank_rows.csv": (table(CHINESE, rows[:2]) + ",,,,,,,,,,,,,,,\r\n\r\n").encode("utf-8"),
        "unknown_columns.csv": table(CHINESE[:4] + ["备注"] + CHINESE[4:], rows[:2],
                                     fields=FIELDS[:4] + ["note"] + FIELDS[4:]).encode("utf-8"),
        "missing_columns.csv": table(["姓名", "电话"], rows[:2], fields=["name", "phone"]).encode("utf-8"),
        "xlsx_magic.csv": b"PK\x03\x04\x14\x00\x06\x00" + table(FIELDS, rows[:1]).encode("utf-8"),
    }
    write(OUT, seeds)
    write(WIRE, wire_seeds(rows))


def write(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds), os.path.normpath(directory)))


def protocol():
    """The Python module protoc generates for proto/eldercare_sync.proto."""
    if shutil.which("protoc") is None:
        sys.exit("fuzz-seeds: protoc not found: apt-get install -y protobuf-compiler")
    out = tempfile.mkdtemp(prefix="eldercare-proto-")
    try:
        subprocess.run(["protoc", "--proto_path=" + os.path.join(ROOT, "proto"), "--python_out=" + out,
                        "eldercare_sync.proto"], check=True)
        sys.path.insert(0, out)
        return importlib.import_module("eldercare_sync_pb2")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def wire_seeds(elders):
    pb = protocol()
    clock = lambda i: ((1_767_225_600_000 + i) << 16) | (i % 7)
    origins = ["130102001001", "130102001002", "130102002001"]

    def batch(rows, stats):
        message = pb.Batch(origins=origins)
        for i, elder in enumerate(rows):
            row = message.rows.add(table="elders", key=elder["id"])
            for column in ["name", "resident_id", "address", "community", "status", "tier"]:
                row.cells.add(column=column, value=pb.Value(text=elder[column]), clock=clock(i), origin=i % 3)
            row.cells.add(column="monthly_hours", value=pb.Value(integer=int(elder["monthly_hours"])), clock=clock(i), origin=i % 3)
            row.cells.add(column="subsidy_yuan", value=pb.Value(real=int(elder["monthly_subsidy"]) * 1.5), clock=clock(i), origin=i % 3)
            row.cells.add(column="card_no", value=pb.Value(null=True), clock=clock(i), origin=i % 3)
        for i in range(stats):
            message.stats.add(origin=i % 2, community=origins[i % 2], metric=["calls", "visits", "satisfaction"][i % 3],
                              dims="kind=%d" % (i % 4), period="2026-01-0%d" % (i % 9 + 1), value=i * 3 + 1,
                              clock=clock(i))
        return message

    def cells(message):
        return sum(len(row.cells) for row in message.rows) + len(message.stats)

    seeds = {}
    batches = {"roster": batch(elders, 0), "stats": batch([], 30), "mixed": batch(elders[:3], 5), "empty": pb.Batch()}
    for number, (name, message) in enumerate(batches.items()):
        plain = message.SerializeToString()
        zipped = zlib.compress(plain)
        seeds["payload_%s_plain.bin" % name] = plain
        seeds["payload_%s_zlib.bin" % name] = zipped
        frame = pb.BatchFrame(batch_id=7 + number, seq_from=100, seq_to=100 + cells(message),
                              compression=pb.COMPRESSION_DEFLATE, payload=zipped, cell_count=cells(message))
        seeds["frame_batch_%s_zlib.bin" % name] = pb.Envelope(batch=frame).SerializeToString()
    mixed = batches["mixed"]
    frame = pb.BatchFrame(batch_id=20, seq_from=0, seq_to=cells(mixed), compression=pb.COMPRESSION_NONE,
                          payload=mixed.SerializeToString(), cell_count=cells(mixed))
    seeds["frame_batch_mixed_plain.bin"] = pb.Envelope(batch=frame).SerializeToString()
    messages = {
        "hello": pb.Envelope(hello=pb.Hello(node_code="130102001001", protocol_version=1, received_watermark=42,
                                            software="fedctl 0.1.0", received_epoch="p-1", feed_epoch="c-1")),
        "welcome": pb.Envelope(welcome=pb.Welcome(node_code="130102001000", protocol_version=1, received_watermark=7,
                                                  max_message_bytes=1 << 24, max_in_flight=4, received_epoch="c-1",
                                                  feed_epoch="p-1")),
        "error_clock": pb.Envelope(error=pb.Error(code=pb.ERROR_CLOCK_SKEW, message="时钟超前 clock ahead by 600000 ms",
                                                  batch_id=9)),
        "ack": pb.Envelope(ack=pb.Ack(batch_id=3, seq_to=20, applied=4, duplicates=1)),
        "heartbeat": pb.Envelope(heartbeat=pb.Heartbeat(sent_at_ms=1_767_225_600_000, feed_head=99)),
    }
    for name, message in messages.items():
        seeds["frame_%s.bin" % name] = message.SerializeToString()
    return seeds


if __name__ == "__main__":
    main()
