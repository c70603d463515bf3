"""Score `qa ask --json -k 3 - < DIR/q.txt` against the web24 set (benchmarks/web24/pages.py): on the
first passage A the right page, H the highlight holds the gold, P the bold phrase is the gold (holds it
with a few words more, or is half of it or more), C the card's date, author and site are the page's;
B no furniture of its page in any of the k passages' text.

    python -m benchmarks.web24.score DIR OUT.jsonl [-v]   # the table; OUT.jsonl.fails.json lists the misses
"""
import json
import re
import sys

folder = sys.argv[1]
exp = json.load(open(f"{folder}/expect.json"))
rows = [l.rstrip("\n").split("\t") for l in open(f"{folder}/q.tsv") if l.strip()]
out = [json.loads(l) for l in open(sys.argv[2])]
assert len(out) == len(rows), (len(out), len(rows))
verbose = "-v" in sys.argv


def norm(t):
    return re.sub(r"[^\w%£$.:,-]+", " ", t.lower().replace("’", "'")).replace(" ,", ",").strip()


tot = dict(n=0, A=0, H=0, P=0, C=0, B=0)
by = {}
fails = []
for (q, gold, name), ans in zip(rows, out):
    tot["n"] += 1
    ps = ans["passages"]
    top = ps[0] if ps else None
    src = top["source"].rsplit("/", 1)[-1] if top else None
    a = src == name
    hl = ph = ""
    if top and top.get("highlight"):
        hl = top["text"][top["highlight"]["start"] - top["start"]:top["highlight"]["end"] - top["start"]]
    if top and top.get("answer"):
        ph = top["text"][top["answer"]["start"] - top["start"]:top["answer"]["end"] - top["start"]]
    g = norm(gold)
    h = a and g in norm(hl)
    p = a and bool(ph) and (g in norm(ph) and len(norm(ph)) <= len(g) + 25 or norm(ph) in g and len(norm(ph)) >= len(g) / 2)
    m = exp[name]["meta"]
    c = a and all(top[k] == m[k] for k in ("date", "author", "site"))
    bad = []
    for psg in ps:
        x = exp.get(psg["source"].rsplit("/", 1)[-1])
        if x:
            bad += [f for f in x["furniture"] if f in psg["text"] and not any(f in pp for pp in x["paras"])]
    b = not bad
    for k, v in zip("AHPCB", (a, h, p, c, b)):
        tot[k] += v
    t = exp[name]["template"]
    by.setdefault(t, dict(n=0, A=0, H=0, P=0, C=0, B=0))
    by[t]["n"] += 1
    for k, v in zip("AHPCB", (a, h, p, c, b)):
        by[t][k] += v
    if not (a and h and p and c and b):
        fails.append(dict(q=q, gold=gold, page=name, template=t, A=a, H=h, P=p, C=c, B=b, got=src, hl=hl, phrase=ph,
                          meta={k: top[k] for k in ("date", "author", "site")} if top else None, furniture=bad))
print(json.dumps(tot))
for t, v in sorted(by.items()):
    print(f"  {t:18s} {v}")
json.dump(fails, open(sys.argv[2] + ".fails.json", "w"), indent=1)
if verbose:
    for f in fails:
        flags = "".join(k if f[k] else "-" for k in "AHPCB")
        print(f"{flags} {f['q']!r} gold={f['gold']!r} [{f['page']}] got={f['got']}")
        print(f"      hl={f['hl'][:160]!r}\n      phrase={f['phrase']!r} furn={f['furniture'][:3]} meta={f['meta'] if not f['C'] else ''}")
