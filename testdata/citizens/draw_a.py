"""Reproducible stratified draw of procedure records for evalset A (seed 4101)."""
import json, os, random, re

ROOT = "/work/shared/corpus/procedures"
QUOTA = [("bo-cong-an", 7), ("bo-nong-nghiep-mt", 8), ("bo-tai-chinh", 9),
         ("bo-tu-phap", 6), ("bo-xay-dung", 8), ("ngan-hang-nha-nuoc", 6),
         ("toa-an-nhan-dan", 1)]
HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
EMPTY = {"", "--", "----", "không có thông tin"}


def field(d, k):
    return (d.get(k) or "").strip()


def almost_empty(path):
    """True when the record has no fee/time, no papers and no steps info at all."""
    d = json.load(open(os.path.join(ROOT, path), encoding="utf-8"))
    cach = field(d, "cach_thuc_thuc_hien").replace(HEADER, "").strip()
    has_cach = bool(re.search(r"\d|miễn", cach, re.I))
    papers = field(d, "thanh_phan_ho_so")
    has_papers = papers.lower() not in EMPTY and len(papers) >= 40
    steps = field(d, "trinh_tu_thuc_hien")
    has_steps = steps.lower() not in EMPTY and len(steps) >= 40
    return not (has_cach or has_papers or has_steps)


def main():
    files = sorted(os.path.relpath(os.path.join(dp, f), ROOT)
                   for dp, _, fs in os.walk(ROOT) for f in fs if f.endswith(".json"))
    rng = random.Random(4101)
    drawn = []
    for folder, n in sorted(QUOTA):
        pool = [f for f in files if f.split("/")[0] == folder]
        picks = rng.sample(pool, n)
        kept, used = [], set(picks)
        queue = list(picks)
        while queue:
            p = queue.pop(0)
            if almost_empty(p):
                print(f"# skip (almost empty): {p}")
                rest = [f for f in pool if f not in used]
                if rest:
                    r = rng.choice(rest)
                    used.add(r)
                    queue.append(r)
            else:
                kept.append(p)
        drawn.extend(kept)
    for p in drawn:
        d = json.load(open(os.path.join(ROOT, p), encoding="utf-8"))
        print(p, "|", d.get("ten_thu_tuc"))
    print(f"# total {len(drawn)}")


if __name__ == "__main__":
    main()
