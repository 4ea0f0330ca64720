#!/usr/bin/env python3
"""Draw procedure records for citizen question set C (seed 4303).

Lists every *.json under the corpus sorted by relative path, iterates the
folders in sorted order and draws rng.sample(folder, quota) per folder with
random.Random(4303). A drawn record that meets fewer than 2 of the
"usefulness" checks below is replaced by another random draw from the same
folder (not yet drawn). Prints "path | title" for each kept record.
"""
import glob
import json
import os
import random
import re
import sys

CORPUS = os.environ.get("CORPUS", "/work/shared/corpus/procedures")
SEED = 4303
QUOTAS = {"bo-cong-an": 6, "bo-nong-nghiep-mt": 6, "bo-tai-chinh": 7,
          "bo-tu-phap": 6, "bo-xay-dung": 6, "ngan-hang-nha-nuoc": 5,
          "toa-an-nhan-dan": 2}

TIME_RE = re.compile(r"\d+\s*(ngày|giờ|tháng|năm|tuần|phút)", re.I)
FEE_RE = re.compile(r"(\d[\d.,]*\s*(đồng|vnđ|việt nam đồng))|miễn", re.I)


def load(path):
    with open(os.path.join(CORPUS, path), encoding="utf-8") as f:
        return json.load(f)


def score(rec):
    cach = rec.get("cach_thuc_thuc_hien") or ""
    checks = [
        bool(TIME_RE.search(cach)),
        bool(FEE_RE.search(cach)),
        len((rec.get("thanh_phan_ho_so") or "").strip()) > 60,
        len((rec.get("trinh_tu_thuc_hien") or "").strip()) > 60,
    ]
    return sum(checks)


def main():
    files = sorted(os.path.relpath(p, CORPUS)
                   for p in glob.glob(os.path.join(CORPUS, "**", "*.json"), recursive=True))
    by_folder = {}
    for p in files:
        by_folder.setdefault(p.split(os.sep)[0], []).append(p)

    rng = random.Random(SEED)
    kept = []
    for folder in sorted(QUOTAS):
        pool = by_folder.get(folder, [])
        quota = QUOTAS[folder]
        drawn = rng.sample(pool, quota)
        used = set(drawn)
        for p in drawn:
            cur = p
            while score(load(cur)) < 2:
                rest = [q for q in pool if q not in used]
                if not rest:
                    print(f"warning: folder {folder} exhausted", file=sys.stderr)
                    cur = None
                    break
                cur = rng.choice(rest)
                used.add(cur)
            if cur is not None:
                kept.append(cur)
    for p in kept:
        print(f"{p} | {load(p).get('ten_thu_tuc', '').strip()}")


if __name__ == "__main__":
    main()
