#!/usr/bin/env python3
"""Writes the CSV seed corpus of the roster fuzz target (fuzz/corpus/csv), deterministically.

    python3 scripts/fuzz-seeds.py            # rewrites fuzz/corpus/csv/*.csv

Real rosters the way Excel and WPS save them: English and Chinese headers, UTF-8 with and without a
byte order mark, GB18030, tab-separated, quoted cells with commas and line breaks, and rows that the
validation refuses (bad check digit, gender or birth date disagreeing with the ID, bad phone, a
community outside the city, hours out of range). The wire seeds are written by the Swift test
`WireCorpusTests` (ELDERCARE_WRITE_CORPUS=1); see docs/TESTING.md.
"""
import os
import random

OUT = os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus", "csv")
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
    quoted[0]["address"] = '石家庄市长安区"幸福里"小区, 3号楼\n2单元'
    quoted[1]["categories"] = "three_no,entitled_group"
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
    os.makedirs(OUT, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d CSV seeds to %s" % (len(seeds), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
