"""The probabilistic model: Fellegi-Sunter match weights trained by EM with splink, on DuckDB or Spark."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd

from exhibit.link import blocker
from exhibit.link.compare import comparisons


@dataclass(frozen=True)
class LinkSettings:
    link_threshold: float = 0.8  # match probability at or above which a pair is linked automatically
    review_threshold: float = 0.5  # ... and at or above which it is sent to a person for review
    prior_recall: float = 0.8  # assumed recall of the deterministic rules that estimate the prior
    use_address: bool = False  # compare a free-text address too (FEBRL-style data)
    max_pairs_u: float = 2e6  # record pairs sampled to estimate u probabilities
    em_sample: float = 1.0  # share of records EM samples per session
    link_type: str = "dedupe_only"  # or "link_only": exactly two datasets, pairs only across them
    em_iterations: int = 12  # few: on small caches EM otherwise drives rare levels' m to exactly 0


def _settings(s: LinkSettings) -> Any:
    from splink import SettingsCreator

    return SettingsCreator(
        link_type=s.link_type,  # type: ignore[arg-type]
        unique_id_column_name="unique_id",
        comparisons=comparisons(s.use_address),
        blocking_rules_to_generate_predictions=blocker.prediction_rules(),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["dataset", "kind"],
        max_iterations=s.em_iterations,
    )


def build(df: pd.DataFrame, s: LinkSettings, db_api: Any | None = None) -> Any:
    """A trained splink Linker over the prepared mentions (DuckDB in memory unless db_api is given)."""
    from splink import Linker, block_on
    from splink.backends.duckdb import DuckDBAPI
    from splink.internals.exceptions import EMTrainingException

    logging.getLogger("splink").setLevel(logging.ERROR)  # its training chatter is not the user's business
    api = db_api or DuckDBAPI()
    if s.link_type == "link_only":
        names = sorted(df["dataset"].unique())
        if len(names) != 2:
            raise ValueError(f"link_only needs exactly two datasets, got {len(names)}")
        sdf: Any = [api.register(df[df["dataset"] == n].reset_index(drop=True), dataset_display_name=f"d{i}")
                    for i, n in enumerate(names)]
    else:
        sdf = api.register(df, dataset_display_name="mentions")
    linker = Linker(sdf, _settings(s), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_number"), block_on("name_key", "birth_date"), block_on("name_key", "birth_year", "township")],
        recall=s.prior_recall)
    n = len(df)
    floor = 1.0 / max(1.0, n * (n - 1) / 2)  # no sure pair at all: assume one match among all pairs
    if linker._settings_obj._probability_two_random_records_match < floor:
        linker._settings_obj._probability_two_random_records_match = floor
    linker.training.estimate_u_using_random_sampling(max_pairs=s.max_pairs_u, seed=1)
    for rule in blocker.training_rules():
        # A failed session leaves splink's settings with its blocked comparisons filtered out: keep a copy.
        saved = linker._settings_obj.core_model_settings.copy()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule, record_sample_proportion=s.em_sample)
        except (EMTrainingException, ZeroDivisionError, ValueError) as e:  # too few pairs under this rule to train on
            linker._settings_obj.core_model_settings = saved
            logging.getLogger(__name__).info("EM session %s skipped: %s", rule, e)
            continue
        _keep_monotone(linker, saved)
    return linker


def _keep_monotone(linker: Any, saved: Any) -> None:
    """Undo a session's estimates for a comparison where they came out non-monotone (a closer level
    counting as less evidence than a looser one, or disagreement as evidence for a match): the sign that
    EM took a crowd of namesakes for the matches. That comparison keeps its earlier parameters."""
    core = linker._settings_obj.core_model_settings
    for i, comp in enumerate(core.comparisons):
        bfs = []
        for level in comp.comparison_levels:
            if level.is_null_level:
                continue
            m, u = level._m_probability, level._u_probability
            if m is None or u is None or u <= 0:
                continue
            bfs.append(m / u)
        if bfs and (any(a < b for a, b in zip(bfs, bfs[1:], strict=False)) or bfs[0] < 1 or bfs[-1] > 1):
            core.comparisons[i] = saved.comparisons[i]
            logging.getLogger(__name__).info("EM estimates for %s were not monotone; kept the earlier ones",
                                             comp.output_column_name)


def predict(linker: Any, min_probability: float) -> pd.DataFrame:
    """Scored pairs at or above min_probability, as a DataFrame (one row per compared pair)."""
    out = linker.inference.predict(threshold_match_probability=min_probability)
    return out.as_pandas_dataframe()


def weights(linker: Any, row: dict[str, Any]) -> list[dict[str, Any]]:
    """What each comparison contributed to one scored pair: level label and match weight (log2 Bayes factor)."""
    import math

    settings = linker._settings_obj
    contributions = [{"comparison": "prior", "level": "probability two random records match",
                      "match_weight": math.log2(settings._probability_two_random_records_match
                                                / (1 - settings._probability_two_random_records_match))}]
    for comp in settings.comparisons:
        col = comp.output_column_name
        gamma = row.get(f"gamma_{col}")
        level = next((lv for lv in comp.comparison_levels if lv.comparison_vector_value == gamma), None)
        if level is None:
            continue
        mw = 0.0 if level.is_null_level else level._log2_bayes_factor
        contributions.append({"comparison": col, "level": level.label_for_charts, "match_weight": round(mw, 3)})
    return contributions
