"""Linkage over an ingested archive: CLI contract, judgements as custody events, review, explain, search."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pg_support import clone_archive
from typer.testing import CliRunner

from exhibit.archive import Archive
from exhibit.cli.main import app
from exhibit.progress import Silent

runner = CliRunner()


@pytest.fixture(scope="module")
def linked_sqlite(dev_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from exhibit import link, records

    root = tmp_path_factory.mktemp("link") / "archive"
    shutil.copytree(dev_archive, root)
    with Archive.open(root) as arch:
        records.extract(arch)
        phases = _Phases()
        link.run(arch, actor="pytest", progress=phases)
    # the run reports through the one progress protocol: its phases in order, every mention counted
    assert [p.split(": ")[1] for p in phases.started] == \
        ["records and mentions", "training and scoring pairs", "storing pairs and clusters"]
    assert phases.done >= 2 and phases.finished == 1
    return root


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def linked(request: pytest.FixtureRequest, linked_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The linked dev archive on each engine (PostgreSQL: moved there by `catalog copy`). Tests that write
    clone it (`clone_archive`)."""
    from pg_support import to_engine

    if request.param == "sqlite":
        return linked_sqlite
    root = tmp_path_factory.mktemp("link-pg") / "archive"
    shutil.copytree(linked_sqlite, root)
    return to_engine(root, "postgresql", request.getfixturevalue("postgres_server"))


class _Phases(Silent):
    def __init__(self) -> None:
        self.started: list[str] = []
        self.done = self.finished = 0

    def start(self, task: str, total: int | None = None) -> None:
        self.started.append(task)

    def advance(self, n: int = 1, item: str | None = None, *, failed: int = 0, nbytes: int = 0) -> None:
        self.done += n

    def finish(self) -> None:
        self.finished += 1


def _cli(*args: str, input: str | None = None) -> Any:
    res = runner.invoke(app, list(args), input=input)
    assert res.exit_code == 0, res.output
    return res


def _uid(m: dict[str, Any]) -> str:
    return m.get("record_id") or m["mention_id"]


def test_link_ls_json_lists_clusters_with_sourced_members(linked: Path) -> None:
    cs = json.loads(_cli("link", "ls", "--json", "--archive", str(linked)).stdout)
    assert cs
    for c in cs:
        assert set(c) >= {"cluster_id", "members"} and len(c["members"]) >= 2
        for m in c["members"]:
            assert ("record_id" in m) != ("mention_id" in m)
            assert {"id_number", "name", "source", "score"} <= set(m)
            assert m["source"].get("id", "").startswith("EX-")


def test_people_in_two_registers_share_a_cluster(linked: Path, truth: dict[str, Any]) -> None:
    """Every cross-register person whose records the archive holds in two or more registers is one cluster."""
    from exhibit import link
    from exhibit.records import iter_records

    with Archive.open(linked) as arch:
        paths: dict[str, set[str]] = {}
        for r in iter_records(arch):
            if r["id_number"] in truth["cross_register_ids"]:
                paths.setdefault(r["id_number"], set()).add(r["source"]["path"])
        cluster_of = {_uid(m): c["cluster_id"] for c in [x.as_json() for x in link.clusters(arch, include_single=True)] for m in c["members"]}
        records = [r for r in iter_records(arch) if len(paths.get(r["id_number"] or "", ())) > 1]
    assert records
    clusters: dict[str, set[str]] = {}
    for r in records:
        clusters.setdefault(r["id_number"], set()).add(cluster_of[r["record_id"]])
    apart = [i for i, cs in clusters.items() if len(cs) > 1]
    assert len(apart) <= 0.02 * len(clusters), apart


def test_judgements_are_custody_events_and_survive_a_new_run(linked: Path, tmp_path: Path) -> None:
    from exhibit import link

    root = clone_archive(linked, tmp_path / "a")
    with Archive.open(root) as arch:
        c = [x.as_json() for x in link.clusters(arch)][0]
        a, b = _uid(c["members"][0]), _uid(c["members"][1])
        link.judge(arch, a, b, "reject", "reviewer-1", note="different fathers")
        assert not any({a, b} <= {_uid(m) for m in cl["members"]} for cl in [x.as_json() for x in link.clusters(arch)])
        link.run(arch, actor="pytest")  # the model would link them again; the judgement wins
        assert not any({a, b} <= {_uid(m) for m in cl["members"]} for cl in [x.as_json() for x in link.clusters(arch)])
        events = [e for e in arch.custody_events() if e.event == "link_judgement"]
        assert events and events[-1].actor == "reviewer-1"


def test_review_queue_takes_answers_from_stdin(linked: Path, tmp_path: Path) -> None:
    from exhibit import link

    root = clone_archive(linked, tmp_path / "a")
    with Archive.open(root) as arch:
        before = link.review_queue(arch)
    assert before, "the dev cache should leave pairs between the review and link thresholds"
    _cli("link", "review", "--archive", str(root), "--actor", "reviewer-2", input="a\n")
    with Archive.open(root) as arch:
        after = link.review_queue(arch)
        first = before[0]
        assert len(after) == len(before) - 1
        assert any({_uid(first["a"]), _uid(first["b"])} <= {_uid(m) for m in c["members"]} for c in [x.as_json() for x in link.clusters(arch)])
        assert any(e.actor == "reviewer-2" for e in arch.custody_events() if e.event == "link_judgement")


def test_explain_shows_each_comparison_adding_up_to_the_score(linked: Path) -> None:
    cs = json.loads(_cli("link", "ls", "--json", "--archive", str(linked)).stdout)
    a, b = _uid(cs[0]["members"][0]), _uid(cs[0]["members"][1])
    ex = json.loads(_cli("link", "explain", a, b, "--json", "--archive", str(linked)).stdout)
    names = [c["comparison"] for c in ex["comparisons"]]
    assert names[:2] == ["prior", "name"] and {"birth", "gender", "place", "id_number"} <= set(names)
    assert abs(sum(c["match_weight"] for c in ex["comparisons"]) - ex["match_weight"]) < 0.05


def test_people_search_finds_a_name_across_scripts(linked: Path, truth: dict[str, Any]) -> None:
    person = next(p for p in truth["persons"] if p["name_zh"] == "买买提·吐送")
    res = json.loads(_cli("people", "search", "Mamat Tursun", "--json", "--archive", str(linked)).stdout)
    assert res["hits"] and res["hits"][0]["score"] >= res["hits"][-1]["score"]
    top = [h for h in res["hits"] if h["score"] == res["hits"][0]["score"]]
    assert any(h["name"] == person["name_zh"] for h in top)


def test_names_in_the_uyghur_notice_are_mentions(linked: Path, truth: dict[str, Any]) -> None:
    latin = truth["files"]["scans/uyghur_notice.png"]["latin"][0]  # "Méning akam Hesen Ablet ..."
    query = " ".join(latin.split()[2:4])
    res = json.loads(_cli("people", "search", query, "--json", "--archive", str(linked)).stdout)
    assert any(h.get("mention_id", "").startswith("M-EX") and h["source"]["path"] == "scans/uyghur_notice.png"
               for h in res["hits"])


def test_family_members_named_in_registers_can_be_mentions(linked: Path, truth: dict[str, Any]) -> None:
    from exhibit.link.sources import from_records

    relatives = {r["name_zh"] for p in truth["persons"] for r in p.get("relatives", [])}
    with Archive.open(linked) as arch:
        plain = list(from_records(arch))
        family = [m for m in from_records(arch, relatives=True) if m["source"].get("relative_of")]
    assert not any(m["source"].get("relative_of") for m in plain)
    assert family and all(m["dataset"].endswith("#family") for m in family)
    assert sum(m["name"] in relatives for m in family) >= 0.9 * len(family)


def test_testimonies_link_to_the_camp_register_in_the_archive(linked: Path, truth: dict[str, Any]) -> None:
    """The acceptance measure through the whole pipeline: ingest, records extract, link run."""
    from exhibit import link
    from exhibit.records import read_table

    with Archive.open(linked) as arch:
        table = next(t for t in arch.tables() if t.name == "testimonies.csv")
        testimony = {"M-" + r["record_id"].removeprefix("R-"): r["seq"]
                     for r in read_table(arch, table.id, {"testimony_id": "seq", "victim_name": "name"})}
        cs = [x.as_json() for x in link.clusters(arch)]
    tp = fp = 0
    for c in cs:
        registers = [m for m in c["members"] if m.get("record_id") and "学员花名册" in (m["source"].get("path") or "")]
        for m in c["members"]:
            if m.get("mention_id") not in testimony:
                continue
            expected = truth["testimonies"][testimony[m["mention_id"]]]
            for r in registers:
                if expected and r["id_number"] and r["id_number"][:16] == expected[:16]:
                    tp += 1
                else:
                    fp += 1
    positives = sum(1 for v in truth["testimonies"].values() if v)
    assert tp / max(1, tp + fp) >= 0.95 and tp / positives >= 0.9, (tp, fp, positives)
