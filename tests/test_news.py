"""News answers: dates and bylines on every citation, filters by time and source, one card per
story (syndicated copies folded, the earliest cited), --sort date. Real files: HTML pages with
nav, byline and footer, dated text articles, Markdown front matter, a syndicated pair and triple."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from qa import cli
from qa.index import store
from qa.errors import QAError
from qa.index.indexer import sync
from qa.retrieval.filters import Filters, describe, make_filters, parse_bound, read_bound, split_prefix
from qa.search import Searcher
from qa.index.store import IndexStore
from robust_util import HashEmbedder

import datetime as dt

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | {site}</title>
<meta property="og:site_name" content="{site}">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{date}T08:15:00+00:00">
<meta name="author" content="{author}">
</head><body>
<header><a href="/">{site}</a>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a> | <a href="/contact">Contact us</a></nav></header>
<main><article>
<h1>{title}</h1>
<p class="byline">By <a href="/authors/x" rel="author">{author}</a></p>
{body}
</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Council tax to rise</a></li><li><a href="/b">Ferry timetable</a></li></ul></aside>
</main>
<footer><p>&copy; 2019 {site}. All rights reserved.</p><p>Sign up to our newsletter.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""

HARBOUR = ["The harbour at Port Ellis reopened on Friday after the storm damaged the pier, officials said in a "
           "statement to reporters gathered on the quay.",
           "Fishing boats returned to their moorings by the afternoon, and the ferry to the islands will run "
           "again from Monday, the harbour master said.",
           "Repairs to the pier will cost about two million pounds and take until the summer, according to the "
           "council, which has asked the government for help."]

#: one wire story, carried three times (the syndicated triple)
WIRE = ("Libya's eastern parliament approved a new unity cabinet headed by Fathi Bashagha on Tuesday, setting up "
        "a standoff with the Tripoli government of Abdul Hamid Dbeibah, who has refused to hand over power. "
        "Speaker Aguila Saleh said ninety two members voted for the cabinet in the session held in Tobruk, "
        "while rival lawmakers said the count was inflated and that the vote had been rushed through without "
        "a proper quorum. The United Nations adviser on Libya urged both sides to avoid violence and to agree "
        "on a timetable for elections that were postponed last December.")

#: the council budget, reported on six dates (and once undated) for the filters' edges
BUDGET_DATES = ["2024-01-01", "2024-01-31", "2024-02-01", "2024-06-30", "2024-07-01", None]


def budget_text(i: int, date: str | None) -> str:
    head = f"Published: {dt.date.fromisoformat(date).strftime('%-d %B %Y')}\n\n" if date else ""
    return (f"Council budget update number {i}\n\n{head}By Maria Okafor\n\n"
            f"The Harwick council budget vote number {i} set spending on roads, schools and bins for the "
            f"year, councillors said, after a debate of {i + 2} hours in the town hall on item {i * 7}.\n")


def write_corpus(root: Path) -> Path:
    """The articles; returns the folder."""
    folder = root / "articles"
    (folder / "wires").mkdir(parents=True)
    (folder / "copies").mkdir()
    (folder / "courier.html").write_text(PAGE.format(
        title="Harbour reopens after storm", site="The Coast Courier", date="2024-03-12", author="Omar Haddad",
        body="\n".join(f"<p>{p}</p>" for p in HARBOUR)))
    (folder / "wires" / "reuters.txt").write_text(
        f"Libya's parliament backs rival cabinet\n\nTOBRUK, 1 March 2022 (Reuters) - {WIRE}\n")
    (folder / "copies" / "gazette.md").write_text(
        f"---\ntitle: Parliament backs Bashagha cabinet\ndate: 2022-03-03\nauthor: Staff\n---\n\n{WIRE}\n")
    (folder / "copies" / "blog.txt").write_text(f"Rival cabinet approved in Libya\n\n{WIRE}\n")  # undated
    for i, date in enumerate(BUDGET_DATES):
        (folder / f"budget-{i}.txt").write_text(budget_text(i, date))
    for name in ("wires", "copies"):  # the same file in two folders: the syndicated pair
        (folder / name / "storm.txt").write_text(
            "Storm closes schools\n\nPublished: 3 April 2024\n\nThe storm closed every school in Harwick on "
            "Wednesday as winds reached ninety miles an hour and trees fell across the ring road.\n")
    return folder


@pytest.fixture(scope="module")
def news_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("news")
    folder = write_corpus(root)
    sync(root / "index", [folder], embedder=HashEmbedder())
    return root / "index"


def ask(index: Path, question: str, k: int = 3, **kw) -> dict:
    searcher = Searcher(index)
    try:
        return searcher.search(question, k=k, embedder=HashEmbedder(), **kw).as_json()
    finally:
        searcher.close()


def names(answer: dict) -> list[str]:
    return [Path(p["source"]).name for p in answer["passages"]]


# -- dates and bylines ------------------------------------------------------------------------

def test_citations_carry_date_author_and_site_and_null_when_unknown(news_index):
    page = ask(news_index, "When did the harbour at Port Ellis reopen after the storm?", k=1)["passages"][0]
    assert (Path(page["source"]).name, page["date"], page["author"], page["site"]) == \
        ("courier.html", "2024-03-12", "Omar Haddad", "The Coast Courier")
    undated = ask(news_index, "Council budget update number 5 debate hours", k=1)["passages"][0]
    assert Path(undated["source"]).name == "budget-5.txt"
    assert undated["date"] is None and undated["site"] is None and undated["author"] == "Maria Okafor"
    assert undated["duplicates"] == []


def test_human_citation_line_shows_the_byline(news_index, capsys):
    assert cli.main(["ask", "--index", str(news_index), "--mode", "bm25", "-k", "1",
                     "harbour Port Ellis reopened pier"]) == 0
    out = capsys.readouterr().out
    assert "12 Mar 2024 · Omar Haddad · The Coast Courier" in out


def test_docs_lists_date_author_site(news_index, capsys):
    assert cli.main(["docs", "--index", str(news_index), "--json"]) == 0
    docs = {Path(d["source"]).name: d for d in map(json.loads, capsys.readouterr().out.splitlines())}
    assert (docs["reuters.txt"]["date"], docs["reuters.txt"]["site"]) == ("2022-03-01", "Reuters")
    assert (docs["gazette.md"]["date"], docs["gazette.md"]["author"]) == ("2022-03-03", "Staff")
    assert docs["blog.txt"]["date"] is None and docs["blog.txt"]["author"] is None
    assert cli.main(["docs", "--index", str(news_index)]) == 0
    assert "12 Mar 2024 · Omar Haddad · The Coast Courier" in capsys.readouterr().out


# -- one card per story ---------------------------------------------------------------------

def test_syndicated_triple_is_one_card_citing_the_earliest_and_naming_the_others(news_index):
    answer = ask(news_index, "Who heads the cabinet approved by Libya's eastern parliament?", k=3)
    first = answer["passages"][0]
    assert Path(first["source"]).name == "reuters.txt" and first["date"] == "2022-03-01"
    assert [(Path(c["source"]).name, c["date"]) for c in first["duplicates"]] == \
        [("gazette.md", "2022-03-03"), ("blog.txt", None)]
    assert first["duplicates"][0]["title"] == "Parliament backs Bashagha cabinet"
    assert sum(n in ("reuters.txt", "gazette.md", "blog.txt") for n in names(answer)) == 1
    assert len(answer["passages"]) == 3  # the next stories fill the k cards


def test_same_file_in_two_folders_is_one_card(news_index):
    answer = ask(news_index, "Which storm closed every school in Harwick?", k=3)
    storms = [p for p in answer["passages"] if Path(p["source"]).name == "storm.txt"]
    assert len(storms) == 1
    assert [Path(c["source"]).parent.name for c in storms[0]["duplicates"]] in (["wires"], ["copies"])


def test_the_earliest_copy_is_cited_even_when_a_later_one_ranks_higher(news_index):
    """The question words are in the gazette's title only: it ranks first, the Reuters copy is cited."""
    answer = ask(news_index, "Parliament backs Bashagha cabinet", k=1, mode="bm25")
    assert Path(answer["passages"][0]["source"]).name == "reuters.txt"


def test_stories_are_grouped_at_index_time_and_regrouped_when_a_copy_goes(tmp_path):
    folder = write_corpus(tmp_path)
    sync(tmp_path / "index", [folder], embedder=HashEmbedder())
    conn = store.connect(tmp_path / "index")
    groups = set(store.story_map(conn).values())
    assert len(groups) == 2  # the triple and the pair
    (folder / "copies" / "storm.txt").unlink()
    sync(tmp_path / "index", embedder=HashEmbedder())
    assert len(set(store.story_map(conn).values())) == 1


def test_a_questions_story_groups_are_the_stored_ones_of_its_passages(tmp_path):
    folder = write_corpus(tmp_path)
    sync(tmp_path / "index", [folder], embedder=HashEmbedder())
    conn = store.connect(tmp_path / "index")
    expected = store.story_map(conn)
    grouped = sorted(expected)
    ungrouped = [pid for pid in IndexStore(conn).passage_ids() if pid not in expected]
    assert store.stories_of(conn, grouped + ungrouped) == expected and ungrouped
    assert store.stories_of(conn, grouped[:1] + ungrouped) == {grouped[0]: expected[grouped[0]]}
    assert store.stories_of(conn, []) == {}


def test_an_index_from_before_the_news_columns_reads_them_null_then_a_sync_fills_stories(tmp_path):
    folder = write_corpus(tmp_path)
    index = tmp_path / "index"
    sync(index, [folder], embedder=HashEmbedder())
    conn = sqlite3.connect(index / store.DB_NAME)  # make it look like an index of the previous qa
    conn.execute("DROP INDEX passages_by_story")
    conn.execute("DROP INDEX passages_unprinted")
    for table, columns in store.NEWS_COLUMNS.items():
        for column in columns:
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 0")  # the previous qa recorded no schema version
    conn.commit()
    conn.close()
    old = ask(index, "Who heads the cabinet approved by Libya's eastern parliament?", k=3)
    assert all(p["date"] is None and p["duplicates"] == [] for p in old["passages"])
    assert sum(n in ("reuters.txt", "gazette.md", "blog.txt") for n in names(old)) == 3  # not folded
    report = sync(index, embedder=HashEmbedder())
    assert report.unchanged == 12 and report.embedded == 0  # files read again for their dates only
    new = ask(index, "Who heads the cabinet approved by Libya's eastern parliament?", k=3)
    assert len(new["passages"][0]["duplicates"]) == 2
    assert (new["passages"][0]["date"], new["passages"][0]["site"]) == ("2022-03-01", "Reuters")
    conn = store.connect(index)
    assert IndexStore(conn).documents_without_news() == set()
    assert sync(index, embedder=HashEmbedder()).unchanged == 12  # and not again


# -- filters --------------------------------------------------------------------------------

@pytest.mark.parametrize("text,end,want", [
    ("2024", False, "2024-01-01"), ("2024", True, "2024-12-31"),
    ("2024-02", False, "2024-02-01"), ("2024-02", True, "2024-02-29"),
    ("2024-01-15", True, "2024-01-15"), ("1 March 2024", False, "2024-03-01"),
    ("March 2024", True, "2024-03-31")])
def test_date_bounds_are_periods(text, end, want):
    assert parse_bound(text, end).isoformat() == want


@pytest.mark.parametrize("bad", ["yesterday", "soon", "2024-13-45", "last tuesday", "1987-13-01", "0000",
                                 "2024-02-30", "foo", "2 weeks ago", "12/03/2024", "24"])
def test_a_bound_that_is_no_date_is_one_clear_error(bad):
    """Each form is read one way only: a day and month never swap, an impossible date is refused,
    and the error names the accepted forms."""
    for end in (False, True):
        with pytest.raises(QAError, match="as a date") as caught:
            parse_bound(bad, end=end)
        assert "2024-03-12" in str(caught.value) and "12 March 2024" in str(caught.value)
        assert "\n" not in str(caught.value)


@pytest.mark.parametrize("text,end,want", [
    ("12 March 2024", False, "2024-03-12"), ("March 12, 2024", True, "2024-03-12"),
    ("12th Mar. 2024", False, "2024-03-12"), ("Sept 2024", True, "2024-09-30"),
    ("2024-3-5", False, "2024-03-05"), ("1987-12-01", False, "1987-12-01")])
def test_written_dates_read_one_way(text, end, want):
    assert parse_bound(text, end).isoformat() == want


@pytest.mark.parametrize("text,end,want,year", [
    ("March", False, "2026-03-01", 2026), ("March", True, "2026-03-31", 2026),
    ("12 March", False, "2026-03-12", 2026), ("December 25", False, "2025-12-25", 2025),
    ("29 February", False, "2024-02-29", 2024)])
def test_a_date_without_a_year_takes_the_latest_begun_and_says_which(text, end, want, year):
    bound = read_bound(text, end, today=dt.date(2026, 12, 7))
    assert (bound.day.isoformat(), bound.assumed_year) == (want, year)


def test_the_year_taken_is_in_the_answers_json_and_text():
    filters = make_filters(since="March", until="2099")
    year = filters.since.year
    assert filters.as_json()["assumed_year"] == {"since": year}
    assert make_filters(since="2024-03").as_json()["assumed_year"] is None
    assert describe(filters.as_json()) == f"since 1 Mar {year} (no year given: {year}) · until 31 Dec 2099"
    prefix, _ = split_prefix("until:March Who?")
    assert prefix.merged(make_filters(since="2001")).as_json()["assumed_year"] == {"until": year}


def test_question_prefix_is_parsed_and_removed():
    filters, question = split_prefix('since:2024-01 until:"30 June 2024" SOURCE:reuters Who met?')
    assert filters == Filters(dt.date(2024, 1, 1), dt.date(2024, 6, 30), "reuters")
    assert question == "Who met?"
    assert split_prefix("Who said since: never?") == (Filters(), "Who said since: never?")
    with pytest.raises(QAError, match="after"):
        make_filters("2024-07", "2024-06")
    with pytest.raises(QAError, match="after"):
        split_prefix("since:2025 Who?")[0].merged(make_filters(until="2024"))


def test_since_until_are_inclusive_and_unknown_dates_are_left_out_and_said(news_index):
    answer = ask(news_index, "Harwick council budget vote spending", k=10,
                 filters=make_filters("2024-01", "2024-06"))
    got = sorted(n for n in names(answer) if n.startswith("budget"))
    assert got == ["budget-0.txt", "budget-1.txt", "budget-2.txt", "budget-3.txt"]  # 1 Jan ... 30 Jun
    assert all(p["date"] and "2024-01-01" <= p["date"] <= "2024-06-30" for p in answer["passages"])
    applied = dict(answer["filters"])
    assert applied.pop("matching") >= 4  # the passages that pass: at least the four budgets'
    assert applied == {"since": "2024-01-01", "until": "2024-06-30", "source": None,
                       "assumed_year": None, "undated_excluded": 2}  # budget-5.txt and blog.txt


def test_a_filtered_answer_still_returns_k_passages(news_index):
    """The six budget passages rank below nothing once filtered: k of them come back, not fewer."""
    answer = ask(news_index, "harbour storm pier Libya cabinet", k=4, filters=make_filters(source="budget-*"))
    assert len(answer["passages"]) == 4 and all(n.startswith("budget") for n in names(answer))
    assert answer["filters"]["undated_excluded"] == 0


def test_source_matches_a_site_name_or_a_path_glob_case_insensitively(news_index):
    by_site = ask(news_index, "cabinet", k=5, filters=make_filters(source="coast COURIER"))
    assert names(by_site) == ["courier.html"]
    by_glob = ask(news_index, "cabinet parliament", k=5, filters=make_filters(source="COPIES/*"))
    assert names(by_glob) and all("copies" in p["source"] for p in by_glob["passages"])


def test_cli_flags_and_prefix_agree(news_index, capsys):
    base = ["ask", "--index", str(news_index), "--mode", "bm25", "--json", "-k", "10"]
    assert cli.main(base + ["--since", "2024-02-01", "--until", "2024-06-30", "Harwick council budget"]) == 0
    flagged = json.loads(capsys.readouterr().out)
    assert cli.main(base + ["since:2024-02-01 until:2024-06-30 Harwick council budget"]) == 0
    prefixed = json.loads(capsys.readouterr().out)
    # dated 1 Feb .. 30 Jun and holding a question word: two budgets, the harbour page (council), the storm (Harwick)
    assert names(flagged) == names(prefixed)
    assert set(names(flagged)) == {"budget-2.txt", "budget-3.txt", "courier.html", "storm.txt"}
    assert prefixed["question"] == "Harwick council budget"
    human = [a for a in base if a != "--json"]
    assert cli.main(human + ["--since", "2024-02", "Harwick council budget"]) == 0
    assert "without a known date left out" in capsys.readouterr().out


def test_filter_mask_is_applied_to_both_rankings_before_the_cut(news_index):
    searcher = Searcher(news_index)
    mask = searcher.filter_mask(make_filters(since="2024-07-01"))
    kept = searcher.snapshot.passage_ids[mask.allowed]
    assert kept.size == 1  # budget-4.txt
    answer = searcher.search("harbour cabinet storm", k=3, embedder=HashEmbedder(), mode="dense",
                             filters=make_filters(since="2024-07-01"))
    assert [h.passage_id for h in answer.hits] == kept.tolist()
    searcher.close()


# -- sort by date -----------------------------------------------------------------------------

def test_sort_date_orders_passages_by_date_unknown_last(news_index):
    answer = ask(news_index, "Harwick council budget vote spending", k=6, sort="date")
    dates = [p["date"] for p in answer["passages"]]
    known = [d for d in dates if d]
    assert known == sorted(known) and dates[len(known):] == [None] * (len(dates) - len(known))
    assert answer["sort"] == "date" and len(known) >= 4
    assert sorted(p["rank"] for p in answer["passages"]) == list(range(1, len(dates) + 1))


def test_a_near_copy_is_grouped_and_a_similar_but_different_story_is_not():
    from qa.index.duplicates import fingerprint, stories

    edited = WIRE.replace("ninety two", "ninety-three").replace("Tuesday", "Wednesday")
    prints = [fingerprint(1, WIRE), fingerprint(2, edited.upper()), fingerprint(3, budget_text(1, None)),
              fingerprint(4, budget_text(2, None)), fingerprint(5, "Short."), fingerprint(6, "short")]
    assert stories(prints) == {1: 1, 2: 1, 5: 5, 6: 5}  # budget 1 and 2 differ in their numbers: two stories


def test_human_answer_names_the_copies_and_the_filters(news_index, capsys):
    assert cli.main(["ask", "--index", str(news_index), "--mode", "bm25", "-k", "2", "--source", "copies/*",
                     "Libya cabinet Bashagha"]) == 0
    out = capsys.readouterr().out
    assert "Filtered: source copies/*" in out
    assert "also carried by: " in out and "reuters.txt (1 Mar 2022)" in out


def test_source_patterns_glob_word_and_site():
    from qa.retrieval.filters import source_mask

    paths = np.array([p.casefold() for p in ["/n/Wires/a.txt", "/n/local/b.HTML", "/n/local/wires-c.md", "/x/d.txt"]])
    sites = np.array(["reuters", "", "", "the coast courier"])
    def got(pattern):
        return source_mask(pattern, paths, sites).tolist()
    assert got("WIRES/*") == [True, False, False, False]
    assert got("*.html") == [False, True, False, False]
    assert got("wires") == [True, False, True, False]
    assert got("/n/*/?.txt") == [True, False, False, False]
    assert got("local/[bc].*") == [False, True, False, False]
    assert got("Coast Courier") == [False, False, False, True]
    assert got("reuters") == [True, False, False, False]


# -- stories kept up to date at each sync (issue 17) -------------------------------------------------

def _story_partition(index: Path) -> set[frozenset[tuple[str, int]]]:
    """The groups of copies, each as its passages' (path, ordinal): comparable across indexes."""
    conn = store.connect(index)
    rows = conn.execute("SELECT p.story, d.path, p.ordinal FROM passages p JOIN documents d ON d.id = p.doc_id "
                        "WHERE p.story IS NOT NULL").fetchall()
    conn.close()
    groups: dict[int, set] = {}
    for story, path, ordinal in rows:
        groups.setdefault(story, set()).add((Path(path).name, ordinal))
    return {frozenset(g) for g in groups.values()}


def test_stories_after_many_small_syncs_are_those_of_a_fresh_build(tmp_path):
    from qa.index import duplicates

    rng = np.random.default_rng(17)
    vocabulary = [f"word{i}" for i in range(400)]
    bases = [list(rng.choice(vocabulary, 120)) for _ in range(4)]

    def variant(base: list[str], changed: int | range) -> str:
        words = list(base)
        for i in (changed if isinstance(changed, range) else rng.choice(len(words), changed, replace=False)):
            words[i] = str(rng.choice(vocabulary))
        return " ".join(words).capitalize() + "."

    src, index = tmp_path / "src", tmp_path / "index"
    src.mkdir()
    early, late = variant(bases[0], range(0, 12)), variant(bases[0], range(108, 120))  # too far apart
    steps = [{"early": early, "early-copy": early, "late": late, "late-copy": late},  # two stories
             {"middle": variant(bases[0], 0)},  # close to both: one story
             {"middle": None},  # two again
             {"early": None}]  # the first story loses its smallest id: early-copy is alone
    for step in range(4, 20):
        files = sorted(p.stem for p in src.glob("*.txt"))
        if step % 2 and len(files) > 2:  # remove one
            steps.append({files[int(rng.integers(len(files)))]: None})
        else:
            steps.append({f"a{step:02d}-{n}": variant(bases[int(rng.integers(len(bases)))], int(rng.integers(0, 7)))
                          for n in range(int(rng.integers(1, 3)))})
            if rng.random() < 0.4:  # too short to sign: its copies are found by their hash
                steps[-1][f"b{step:02d}"] = "Short words."
    conn = None
    for step, files in enumerate(steps):
        for name, body in files.items():
            if body is None:
                (src / f"{name}.txt").unlink()
            else:
                (src / f"{name}.txt").write_text(f"{name}\n\n{body}\n")
        sync(index, [src] if step == 0 else [], embedder=HashEmbedder())
        conn = conn or store.connect(index)
        assert store.story_map(conn) == duplicates.stories(store.fingerprints(conn)), step
        if step < 4:
            assert len(set(store.story_map(conn).values())) == [2, 1, 2, 1][step], step
    assert len(set(store.story_map(conn).values())) >= 3  # copies were found, near and exact
    conn.close()
    fresh = tmp_path / "fresh"
    sync(fresh, [src], embedder=HashEmbedder())
    assert _story_partition(index) == _story_partition(fresh)


def test_fingerprints_are_datasketchs_own_minhash_signatures():
    """The shared permutations (made once, not per passage) give the very signature a MinHash of
    the same seed gives: signatures stored by earlier syncs still compare with new ones."""
    from datasketch import MinHash

    from qa.index import duplicates

    texts = ["The harbour reopened on Friday after the storm damaged the pier, officials said.",
             "Oil prices rose sharply on Monday as traders weighed new supply cuts by producers."]
    for text in texts:
        words = duplicates.normalised_words(text)
        shingles = {" ".join(words[i:i + duplicates.SHINGLE]).encode("utf-8")
                    for i in range(len(words) - duplicates.SHINGLE + 1)}
        reference = MinHash(num_perm=duplicates.NUM_PERM, seed=duplicates.SEED)
        reference.update_batch(list(shingles))
        assert duplicates.fingerprint(1, text).minhash == reference.hashvalues.astype(np.uint32).tobytes()
    assert duplicates.fingerprint(1, texts[0]).minhash != duplicates.fingerprint(2, texts[1]).minhash


def test_twenty_thousand_copies_make_one_short_line_and_bounded_json():
    from qa.render import copies_line
    from qa.retrieval.records import MAX_COPIES_JSON, Copy, Hit

    hit = Hit(1, 1, "Harbour reopens", "/news/a.txt", 1, 1, 0, 10, "The harbour", 1.0, 1.0, 0.9, 0, 11)
    hit.duplicates = [Copy(f"copies/copy-{i:05d}.txt", "Harbour reopens", None) for i in range(19_999)]
    line = copies_line(hit)
    assert line.startswith("also carried by 19,999 other documents: copies/copy-00000.txt, ")
    assert line.endswith(", …") and len(line) < 200
    data = hit.as_json()
    assert len(data["duplicates"]) == MAX_COPIES_JSON and data["duplicates_total"] == 19_999
    hit.duplicates = hit.duplicates[:2]
    assert copies_line(hit) == "also carried by: copies/copy-00000.txt, copies/copy-00001.txt"


def test_copies_that_differ_only_in_their_dateline_are_one_card(tmp_path):
    body = ("The central bank raised its main interest rate by a quarter point on Thursday, citing "
            "stubborn inflation in services and wages.\n")
    src = tmp_path / "src"
    src.mkdir()
    (src / "reuters.txt").write_text("Bank raises rates\n\nLONDON, March 3 (Reuters) - " + body)
    (src / "plain.txt").write_text("Bank raises rates\n\n" + body)
    (src / "ap.txt").write_text("Bank raises rates\n\nNEW YORK, March 4 (AP) - " + body)
    for n, topic in enumerate(["harbour", "bridge", "museum", "railway"]):
        (src / f"{topic}.txt").write_text(f"Story {n}\n\nThe {topic} of town {n} flooded on Monday.\n")
    sync(tmp_path / "index", [src], embedder=HashEmbedder())
    answer = Searcher(tmp_path / "index").search("Why did the central bank raise its interest rate?", k=3)
    banks = [h for h in answer.hits if "central bank" in h.text]
    assert len(banks) == 1 and len(banks[0].duplicates) == 2
