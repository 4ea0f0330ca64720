#!/usr/bin/env python3
"""Draw the procedure records used for citizen question set D.

Lists every *.json under the corpus sorted by relative path, then per folder
(sorted) draws a quota with random.Random(4404).sample.  A drawn record that
has fewer than 2 of the four "usable facts" below is replaced by another
random draw (rng.choice) from the not-yet-drawn records of the same folder.
Prints "path | title" for each kept record.
"""
import json
import random
import re
from pathlib import Path

CORPUS = Path("/work/shared/corpus/procedures")
SEED = 4404
QUOTAS = {"bo-cong-an": 7, "bo-nong-nghiep-mt": 7, "bo-tai-chinh": 7,
          "bo-tu-phap": 6, "bo-xay-dung": 6, "ngan-hang-nha-nuoc": 5,
          "toa-an-nhan-dan": 2}

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
TIME_RE = re.compile(r"\d+(?:[.,]\d+)?\s*(?:ngày|giờ|tháng|năm|phút|tuần)", re.I)
FEE_RE = re.compile(r"\d[\d.,]*\s*(?:Việt Nam\s*)?(?:đồng|vnđ|vnd|đ\b)", re.I)


def text(rec, key):
    v = rec.get(key) or ""
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def facts(rec):
    cach = text(rec, "cach_thuc_thuc_hien").replace(HEADER, " ")
    has_time = bool(TIME_RE.search(cach))
    has_fee = bool(FEE_RE.search(cach)) or "Miễn" in cach or "miễn" in cach
    has_papers = len(text(rec, "thanh_phan_ho_so").strip()) > 60
    has_steps = len(text(rec, "trinh_tu_thuc_hien").strip()) > 60
    return sum([has_time, has_fee, has_papers, has_steps])


def load(rel):
    with open(CORPUS / rel, encoding="utf-8") as f:
        return json.load(f)


def main():
    files = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.json"))
    rng = random.Random(SEED)
    kept = []
    for folder in sorted(QUOTAS):
        pool = [f for f in files if f.split("/", 1)[0] == folder]
        picks = rng.sample(pool, QUOTAS[folder])
        used = set(picks)
        for i in range(len(picks)):
            while facts(load(picks[i])) < 2:
                rest = [f for f in pool if f not in used]
                if not rest:
                    raise SystemExit(f"no usable replacement left in {folder}")
                picks[i] = rng.choice(rest)
                used.add(picks[i])
        kept.extend(picks)
    for rel in kept:
        title = " ".join(text(load(rel), "ten_thu_tuc").split())
        print(f"{rel} | {title}")


if __name__ == "__main__":
    main()
