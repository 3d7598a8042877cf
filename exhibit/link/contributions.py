"""Explaining one pair: the level each comparison reached and the match weight it contributed."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd


def explain_pair(model_json: Mapping[str, Any], a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Score two prepared mentions with a saved splink model (DuckDB, in memory)."""
    import logging

    from splink import Linker
    from splink.backends.duckdb import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.ERROR)
    api = DuckDBAPI()
    df = pd.DataFrame([dict(a), dict(b)])
    df["birth_year"] = df["birth_year"].astype("Int64")
    linker = Linker(api.register(df, dataset_display_name="pair"), dict(model_json), log_level=None)
    row = linker.inference.score_pair(dict(df.iloc[0]), dict(df.iloc[1])).as_pandas_dataframe().iloc[0].to_dict()
    prior = float(model_json["probability_two_random_records_match"])
    contributions: list[dict[str, Any]] = [{"comparison": "prior", "level": "two random records are the same person",
                                            "match_weight": round(math.log2(prior / (1 - prior)), 3)}]
    for comp in model_json["comparisons"]:
        col = comp["output_column_name"]
        gamma = int(row.get(f"gamma_{col}", -1))
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        # splink numbers non-null levels from the bottom (else = 0) up
        level = levels[len(levels) - 1 - gamma] if gamma >= 0 else None
        mw = row.get(f"mw_{col}")
        if mw is None and f"bf_{col}" in row:
            mw = math.log2(float(row[f"bf_{col}"]))
        contributions.append({"comparison": col, "level": level.get("label_for_charts") if level else "null",
                              "match_weight": round(float(mw or 0.0), 3)})
    return {"match_weight": round(float(row["match_weight"]), 3),
            "probability": round(float(row["match_probability"]), 4), "comparisons": contributions}
