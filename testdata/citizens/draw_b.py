#!/usr/bin/env python3
"""Stratified draw of 25 procedure records for citizens_b (seed 4202)."""
import json, os, random, re, sys

ROOT = "/work/shared/corpus/procedures"
QUOTA = {"bo-cong-an": 4, "bo-nong-nghiep-mt": 4, "bo-tai-chinh": 5, "bo-tu-phap": 4,
         "bo-xay-dung": 4, "ngan-hang-nha-nuoc": 3, "toa-an-nhan-dan": 1}

def facets(d):
    ct = d.get("cach_thuc_thuc_hien") or ""
    has_time = bool(re.search(r"\d+\s*(Ngày|ngày|Giờ|giờ|Tháng|tháng)", ct))
    body = ct.replace("Hình thức nộpThời gianPhí, lệ phíMô tả", "")
    has_fee = bool(re.search(r"Lệ phí|Phí|Miễn|\d[\d.,]*\s*(Đồng|đồng|VNĐ)", body))
    has_papers = len((d.get("thanh_phan_ho_so") or "").strip()) > 60
    has_steps = len((d.get("trinh_tu_thuc_hien") or "").strip()) > 60
    return {"time": has_time, "fee": has_fee, "papers": has_papers, "steps": has_steps}

def almost_empty(path):
    d = json.load(open(os.path.join(ROOT, path), encoding="utf-8"))
    return sum(facets(d).values()) < 2

def main():
    rng = random.Random(4202)
    allf = sorted(os.path.relpath(os.path.join(dp, f), ROOT)
                  for dp, _, fs in os.walk(ROOT) for f in fs if f.endswith(".json"))
    out, skipped = [], []
    for folder in sorted(QUOTA):
        lst = sorted(p for p in allf if p.split("/")[0] == folder)
        n = QUOTA[folder]
        seen, keep = set(), []
        batch = rng.sample(lst, n)
        while True:
            for p in batch:
                seen.add(p)
                if almost_empty(p):
                    skipped.append(p)
                else:
                    keep.append(p)
            if len(keep) >= n:
                break
            rest = [p for p in lst if p not in seen]
            batch = rng.sample(rest, n - len(keep))
        out.extend(keep[:n])
    for p in out:
        print(p)
    for p in skipped:
        print("SKIPPED", p, file=sys.stderr)

if __name__ == "__main__":
    main()
