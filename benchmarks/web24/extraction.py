"""What the HTML reader keeps of the web24 pages, without asking anything: every paragraph of the
story kept, no furniture kept, the date, author and site as the page states them.

    python -m benchmarks.web24.extraction DIR [-v]        # the pages of benchmarks/web24/pages.py in DIR
    python -m benchmarks.web24.extraction --bbc DIR [-v]  # the 2,225 BBC stories, each saved in one of
                                                          # the page shapes (written to DIR/bbc, /tmp only:
                                                          # BBC text is for tests and benchmarks)
"""
import glob
import json
import random
import sys
from pathlib import Path

from benchmarks.common import DATA
from benchmarks.web24 import pages
from qa.ingest import documents

SHAPES = ["article", "jsonld", "jsonld_updated", "jsonld_noauthor", "noarticle", "amp", "gallery_light", "comments",
          "related_mid", "og_author_url", "bylinetext", "nyt", "guardian", "bbc", "wordpress", "nextstory",
          "microdata", "readmore", "video_credit", "paywall", "kicker_titlesite", "meta_author_only"]
SITES = ["The Kelmsby Courier", "Northern Business Daily", "Highland Record", "Westminster Brief", "Culture Notes"]
NAMES = ["Omar Haddad", "Priya Raman", "Callum Reid", "Sophie Lund", "Laura Benn", "Tariq Nasser", "Mei Tanaka"]


def _bbc_stories() -> list[tuple[str, str, list[str]]]:
    out = []
    for f in sorted(glob.glob(str(DATA / "bbc-news" / "*" / "*.txt"))):
        text = documents.decode(Path(f).read_bytes())[0].replace("\r", "")
        blocks = [" ".join(b.split()) for b in text.split("\n\n") if b.strip()]
        if len(blocks) >= 3:
            out.append((f, blocks[0], blocks[1:]))
    return out


def write_bbc(folder: Path) -> dict:
    """Each BBC story as a page of the next shape in turn, with its furniture; the expectations."""
    rnd = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    stories = _bbc_stories()
    expect = {}
    for i, (source, title, paras) in enumerate(stories):
        nxt = stories[(i + 1) % len(stories)]
        story = dict(slug=f"bbc{i}", site=rnd.choice(SITES), title=title, date=f"2005-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}",
                     author=rnd.choice(NAMES), paras=paras, caption="A file picture of the scene. Photo: Archive",
                     related=[s[1] for s in rnd.sample(stories, 3)], template=SHAPES[i % len(SHAPES)], questions=[],
                     credit="PA Media", standfirst="A summary of the story in one line for the page",
                     next_story="next", comments=[("Reader1", "I do not agree with any of this at all."),
                                                  ("Reader2", "Well said, about time too.")],
                     comment_dates=["12 March 2005 at 10:15", "13 March 2005 at 08:02"])
        pages.S.append(dict(slug="next", title=nxt[1], paras=nxt[2]))
        html, furniture, meta, _ = pages.page(story, [s[1] for s in rnd.sample(stories, 5)])
        pages.S.pop()
        name = f"bbc{i:04d}.html"
        (folder / name).write_text(html, encoding="utf-8")
        furniture = [x for x in furniture if x != title and not any(x in p for p in paras)]
        expect[name] = {"meta": meta, "furniture": furniture, "paras": paras, "template": story["template"]}
    return expect


def check(folder: Path, expect: dict, verbose: bool) -> None:
    total = dict(pages=0, paras=0, kept=0, furniture_pages=0, date=0, author=0, site=0, unreadable=0)
    shapes: dict[str, dict] = {}
    for name, x in sorted(expect.items()):
        try:
            doc = documents.load(folder / name)
        except documents.Unreadable as exc:
            total["unreadable"] += 1
            print("UNREADABLE", name, exc)
            continue
        kept = "\n".join(" ".join(doc.text[p.start:p.end].split()) for p in doc.paragraphs)
        missing = [p for p in x["paras"] if " ".join(p.split()) not in kept]
        furniture = sorted({f for f in x["furniture"] if f in kept and not any(f in p for p in x["paras"])})
        got = {"date": doc.date, "author": doc.author, "site": doc.site}
        wrong = {k: (x["meta"][k], got[k]) for k in got if got[k] != x["meta"][k]}
        total["pages"] += 1
        total["paras"] += len(x["paras"])
        total["kept"] += len(x["paras"]) - len(missing)
        total["furniture_pages"] += bool(furniture)
        for k in got:
            total[k] += k not in wrong
        shape = shapes.setdefault(x["template"], dict(n=0, missing=0, furniture=0, meta=0))
        shape["n"] += 1
        shape["missing"] += bool(missing)
        shape["furniture"] += bool(furniture)
        shape["meta"] += bool(wrong)
        if verbose and (missing or furniture or wrong):
            print(f"== {name} [{x['template']}]", *(f"\n   missing: {p[:80]}" for p in missing),
                  *(f"\n   furniture: {f[:80]}" for f in furniture), *(f"\n   {k}: want {v[0]!r} got {v[1]!r}" for k, v in wrong.items()))
    print(json.dumps(total))
    for shape, row in sorted(shapes.items()):
        print(f"  {shape:18s} {row}")


def main(argv: list[str]) -> None:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    if args[0] == "--bbc":
        folder = Path(args[1]) / "bbc"
        check(folder, write_bbc(folder), verbose)
    else:
        folder = Path(args[0])
        check(folder / "pages", json.load(open(folder / "expect.json")), verbose)


if __name__ == "__main__":
    main(sys.argv[1:])
