"""The link store on both catalog engines: runs, clusters, review, judgements with their history and
disagreements, two investigators judging at once, and a catalog copy that carries every judgement."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from exhibit.archive import Archive, custody

Mention = dict[str, Any]


@pytest.fixture(scope="module")
def linked_engine(module_catalog_url: str | None, corpus_mentions: list[Mention],
                  tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive on the module's engine whose link tables hold one run over the corpus' mentions. Never
    opened by a test directly: tests that write clone it."""
    from exhibit import link

    root = tmp_path_factory.mktemp("link-engine") / "archive"
    with Archive.init(root, module_catalog_url) as arch:
        link.run(arch, actor="pytest", mentions=corpus_mentions)
    return root


@pytest.fixture()
def linked(linked_engine: Path, tmp_path: Path) -> Path:
    from pg_support import clone_archive

    return clone_archive(linked_engine, tmp_path / "archive")


def _uid(m: dict[str, Any]) -> str:
    return str(m.get("record_id") or m["mention_id"])


def _review_pair(arch: Archive) -> tuple[str, str]:
    """A pair the model scored and linked: a judgement can then move it either way."""
    import itertools

    from exhibit import link
    from exhibit.link import resolver, store

    for c in link.clusters(arch):
        for x, y in itertools.combinations(sorted(m.unique_id for m in c.members), 2):
            row = store.pair(arch.catalog, *resolver.pair_key(x, y))
            if row is not None and row["decision"] == "link":
                return x, y
    raise AssertionError("the corpus' mentions make linked pairs")


class TestOneEngine:
    def test_clusters_and_review_queue_come_from_the_catalog(self, linked: Path, corpus_mentions: list[Mention]) -> None:
        from exhibit import link

        known = {m["unique_id"] for m in corpus_mentions}
        with Archive.open(linked) as arch:
            cs = [c.as_json() for c in link.clusters(arch)]
            queue = link.review_queue(arch)
        assert cs and all(len(c["members"]) >= 2 and {_uid(m) for m in c["members"]} <= known for c in cs)
        assert [q["probability"] for q in queue] == sorted((q["probability"] for q in queue), reverse=True)

    def test_judgements_are_kept_and_the_latest_is_in_force(self, linked: Path) -> None:
        from exhibit import link

        with Archive.open(linked) as arch:
            a, b = _review_pair(arch)
            first = link.judge(arch, a, b, "accept", "alice", note="same father, same village")
            assert first["current"]["judgements"] == 1 and first["current"]["disagreement"] is False
            assert link.explain(arch, a, b)["decision"] == "link"
            second = link.judge(arch, b, a, "reject", "bob", note="different birth years")
            view = link.explain(arch, a, b)
            assert view["decision"] == "none" and view["why"] == "judgement:reject"
            j = view["judgements"]
            assert j == second["current"] and j["verdict"] == "reject" and j["judgements"] == 2
            assert [(h["actor"], h["verdict"], h["note"]) for h in j["history"]] == \
                [("alice", "accept", "same father, same village"), ("bob", "reject", "different birth years")]
            assert j["wins"]["actor"] == "bob" and j["disagreement"] is True
            assert j["summary"].startswith(f"latest of 2 judgements; by bob at {second['time']}; "
                                           f"earlier: accept by alice at {first['time']}")
            assert j["standing"] == {"alice": "accept", "bob": "reject"}
            # alice agreeing with bob settles it: the history keeps all three, the disagreement is gone
            link.judge(arch, a, b, "reject", "alice")
            (settled,) = link.judgement_history(arch, a, b)
            assert settled["judgements"] == 3 and settled["disagreement"] is False
            assert link.judgement_history(arch, disagreements=True) == []
            assert [e.actor for e in arch.custody_events() if e.event == "link_judgement"] == ["alice", "bob", "alice"]
            assert custody.broken_links(arch.catalog) == []

    def test_judgements_survive_a_new_run(self, linked: Path, corpus_mentions: list[Mention]) -> None:
        from exhibit import link

        with Archive.open(linked) as arch:
            c = [x.as_json() for x in link.clusters(arch)][0]
            a, b = _uid(c["members"][0]), _uid(c["members"][1])
            link.judge(arch, a, b, "reject", "reviewer-1")
            link.run(arch, actor="pytest", mentions=corpus_mentions)
            assert not any({a, b} <= {_uid(m) for m in cl["members"]} for cl in [x.as_json() for x in link.clusters(arch)])
            assert link.pair_judgements(arch, a, b)["verdict"] == "reject"  # type: ignore[index]

    def test_link_judge_and_judgements_from_the_command_line(self, linked: Path) -> None:
        from typer.testing import CliRunner

        from exhibit.cli.main import app

        with Archive.open(linked) as arch:
            a, b = _review_pair(arch)

        def cli(*args: str) -> Any:
            res = CliRunner().invoke(app, [*args, "--archive", str(linked), "--json"], catch_exceptions=False)
            assert res.exit_code == 0, res.output
            return json.loads(res.stdout)

        cli("link", "judge", a, b, "accept", "--actor", "ann", "--note", "seen the photo")
        cli("link", "judge", a, b, "unsure", "--actor", "ben")
        (pair,) = cli("link", "judgements", "--disagreements")
        assert (pair["a"], pair["b"]) == tuple(sorted((a, b))) and pair["verdict"] == "unsure"
        assert pair["history"][0]["note"] == "seen the photo" and pair["disagreement"] is True

    def test_people_search_reads_the_stored_mentions(self, linked: Path, corpus_mentions: list[Mention]) -> None:
        from exhibit import link

        named = next(m for m in corpus_mentions if m["kind"] == "record" and m.get("name"))
        with Archive.open(linked) as arch:
            res = link.people_search(arch, str(named["name"]), limit=50)
        assert any(h.get("record_id") == named["unique_id"] and h["cluster_id"] for h in res["hits"])


# -- two investigators at once, each in their own process ----------------------------------------------
def _judge_in_process(root: str, a: str, b: str, verdict: str, actor: str, barrier: Any) -> None:
    from exhibit import link

    with Archive.open(Path(root)) as arch:
        barrier.wait()
        link.judge(arch, a, b, verdict, actor, note=f"{actor}'s reading")


def test_two_investigators_judging_one_pair_at_once_are_both_kept(linked: Path) -> None:
    from exhibit import link

    with Archive.open(linked) as arch:
        a, b = _review_pair(arch)
    ctx = multiprocessing.get_context("spawn")  # no connection of this process is inherited
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_judge_in_process, args=(str(linked), a, b, verdict, actor, barrier))
             for verdict, actor in (("accept", "alice"), ("reject", "bob"))]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with Archive.open(linked) as arch:
        (view,) = link.judgement_history(arch, a, b)
        ex = link.explain(arch, a, b)
        assert custody.broken_links(arch.catalog) == []
        events = [e for e in arch.custody_events() if e.event == "link_judgement"]
    assert view["judgements"] == 2 and {h["actor"] for h in view["history"]} == {"alice", "bob"}
    winner = view["history"][-1]
    assert view["wins"]["actor"] == winner["actor"] and view["verdict"] == winner["verdict"]
    assert f"by {winner['actor']} at {winner['time']}" in view["summary"] and view["disagreement"] is True
    assert ex["decision"] == {"accept": "link", "reject": "none"}[winner["verdict"]]
    assert [e.actor for e in events] == [h["actor"] for h in view["history"]]  # the log's order is the history's


# -- catalog copy SQLite -> PostgreSQL -> SQLite with link and coding tables ---------------------------
def _capability_rows(arch: Archive) -> dict[str, list[tuple[Any, ...]]]:
    from exhibit.archive.move import _tables

    out = {}
    for t in _tables(arch.catalog):
        if t.startswith(("link_", "code_")):
            rows = [tuple(r) for r in arch.catalog.execute(f"SELECT * FROM {t}")]
            out[t] = sorted(rows, key=lambda r: json.dumps(r, default=str))
    return out


def test_catalog_copy_carries_every_judgement_there_and_back(tmp_path: Path, corpus_mentions: list[Mention],
                                                             postgres_server: str) -> None:
    from pg_support import new_database

    from exhibit import coding, link
    from exhibit.archive.move import copy_catalog

    root = tmp_path / "archive"
    with Archive.init(root) as arch:
        link.run(arch, actor="pytest", mentions=corpus_mentions)
        a, b = _review_pair(arch)
        link.judge(arch, a, b, "accept", "alice", note="one")
        link.judge(arch, a, b, "reject", "bob")
        records = [{"record_id": m["unique_id"], "name": m["name"], "reason": "", "source": m["source"]}
                   for m in corpus_mentions if m["kind"] == "record"][:40]
        coding.run(arch, records=records, actor="pytest")
        category = coding.store.current_codebook(arch).ids()[0]
        coding.set_codes(arch, records[0]["record_id"], [category], coder="ann", note="first")
        coding.set_codes(arch, records[0]["record_id"], ["none"], coder="ben")
        before = _capability_rows(arch)
        history = link.judgement_history(arch), coding.judgements(arch)
        copy_catalog(arch, new_database(postgres_server), actor="pytest")
    assert {"link_judgements", "code_hand", "link_pairs", "code_records"} <= set(before)
    assert len(before["link_judgements"]) == 2 and len(before["code_hand"]) == 2
    for old in root.glob("catalog.sqlite.moved*"):
        old.unlink()
    with Archive.open(root) as arch:
        assert arch.dialect.value == "postgresql"
        assert _capability_rows(arch) == before
        assert (link.judgement_history(arch), coding.judgements(arch)) == history
        copy_catalog(arch, "sqlite", actor="pytest")
    with Archive.open(root) as arch:
        assert arch.dialect.value == "sqlite"
        assert _capability_rows(arch) == before
        assert (link.judgement_history(arch), coding.judgements(arch)) == history
        # the numbering goes on after the copies: a new judgement comes after every copied one
        link.judge(arch, a, b, "accept", "carol")
        (view,) = link.judgement_history(arch, a, b)
        assert [h["actor"] for h in view["history"]] == ["alice", "bob", "carol"]


# -- the web pages that show a pair's judgements ------------------------------------------------------
def _signed_in(app: Any, arch_root: Path, name: str, role: str) -> tuple[Any, str]:
    import re

    from fastapi.testclient import TestClient

    from exhibit.web import accounts

    password = accounts.generate_password()
    with Archive.open(arch_root) as arch:
        accounts.add_user(arch, name, role, password, actor="pytest")
    c = TestClient(app, base_url="http://testserver")
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    r = c.post("/login", data={"name": name, "password": password, "csrf_token": token.group(1), "next": "/status"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return c, str(c.get("/api/me").json()["csrf_token"])


def test_review_and_person_pages_show_the_history_and_the_disagreement(linked: Path) -> None:
    from exhibit import link
    from exhibit.web.app import create_app
    from exhibit.web.settings import WebSettings

    with Archive.open(linked) as arch:
        a, b = _review_pair(arch)
    app = create_app(linked, WebSettings(login_attempts=1000))
    judges = [_signed_in(app, linked, name, "investigator") for name in ("dilnur", "erkin")]
    for (client, csrf), verdict in zip(judges, ("accept", "reject"), strict=True):
        r = client.post("/review/judge", data={"a": a, "b": b, "verdict": verdict, "csrf_token": csrf},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
    with Archive.open(linked) as arch:
        (view,) = link.judgement_history(arch, a, b)
        cluster = next(c.cluster_id for c in link.clusters(arch, include_single=True)
                       if a in {m.unique_id for m in c.members})
    client = judges[0][0]
    for page in (client.get("/review").text, client.get(f"/people/{cluster}").text):
        assert "disagreement" in page and view["summary"].split(";")[0] in page
        assert "dilnur" in page and "erkin" in page
    api = client.get("/api/link/clusters")
    assert api.status_code == 200
