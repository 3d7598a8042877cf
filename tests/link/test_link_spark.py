"""The same linkage on splink's Spark backend (pyspark in local mode): the dev corpus links as on DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from exhibit.link.engine import link
from exhibit.link.model import LinkSettings


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pyspark = pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    assert pyspark.__version__
    session = (SparkSession.builder.master("local[2]").appName("exhibit-link-test")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.memory", "1g")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.default.parallelism", "4")
               .config("spark.jars", similarity_jar_location())
               .getOrCreate())
    session.sparkContext.setCheckpointDir("/tmp/exhibit-spark-checkpoints")
    yield session
    session.stop()


@pytest.mark.slow
def test_spark_backend_links_like_duckdb(spark: Any, corpus_mentions: list[dict[str, Any]]) -> None:
    from splink.backends.spark import SparkAPI

    # The Moyu part of the corpus (camp register, testimonies, platform rows of county 653222) keeps the
    # local-mode run short; Spark's cost is per query, not per row, at this size.
    mentions = [m for m in corpus_mentions if not m["unique_id"].startswith("P:")
                or str(m.get("id_number") or "").startswith("653222")]
    settings = LinkSettings(max_pairs_u=2e5, em_iterations=4)
    on_duckdb = link(mentions, settings).linked_pairs()
    api = SparkAPI(spark_session=spark, break_lineage_method="persist")
    on_spark = link(mentions, settings, db_api=api).linked_pairs()
    assert on_duckdb
    overlap = len(on_duckdb & on_spark) / len(on_duckdb | on_spark)
    assert overlap >= 0.95, (len(on_duckdb), len(on_spark))
