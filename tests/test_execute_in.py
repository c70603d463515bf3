"""store.execute_in: its IN lists padded with NULL to a power of two (a few statement texts,
prepared once, issue 23) give the rows, updates and deletes of the values alone."""

from __future__ import annotations

import sqlite3

import pytest

from qa.index import store


@pytest.fixture()
def conn():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"v{i}") for i in range(1, 1201)])
    yield conn
    conn.close()


def test_every_size_selects_exactly_its_values_with_few_statement_texts(conn, monkeypatch):
    texts = set()
    execute = conn.execute

    class Watched:
        def execute(self, sql, params=()):
            texts.add(sql)
            return execute(sql, params)

    for n in list(range(1, 70)) + [499, 500, 501, 1000, 1100]:
        wanted = list(range(3, 3 + 2 * n, 2))
        rows = store.execute_in(Watched(), "SELECT id, v FROM t WHERE id IN ({marks}) ORDER BY id", wanted)
        assert [r[0] for r in rows] == [i for i in wanted if i <= 1200]
    assert len(texts) <= 10  # 1, 2, 4 ... 256, 500 marks


def test_update_and_delete_touch_only_their_values(conn):
    store.execute_in(conn, "UPDATE t SET v = 'x' WHERE id IN ({marks})", [5, 6, 7])
    assert conn.execute("SELECT id FROM t WHERE v = 'x'").fetchall() == [(5,), (6,), (7,)]
    store.execute_in(conn, "DELETE FROM t WHERE id IN ({marks})", [1, 2, 3, 4, 5])
    assert conn.execute("SELECT count(*), min(id) FROM t").fetchone() == (1195, 6)
    assert store.execute_in(conn, "SELECT id FROM t WHERE id IN ({marks})", []) == []


def test_not_in_is_refused():
    with pytest.raises(ValueError):
        store.execute_in(sqlite3.connect(":memory:"), "DELETE FROM t WHERE id NOT IN ({marks})", [1])
