"""Property-based tests: the loader on anything, every technique anywhere inside its parameter schema.

The only exception allowed to escape the engine is ImbalanceLabError (a message for a person);
probabilities are always finite and in [0, 1].
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from imbal_core.data.class_profile import prepare, profile
from imbal_core.data.tables import load_table
from imbal_core.errors import ImbalanceLabError
from imbal_core.present.report import FORMULA_PREFIXES, neutralise_formulas
from imbal_core.run.evaluate import resample_preview, run_comparison
from imbal_core.run.folds import encode_dataset
from imbal_core.run.protocol import Protocol, make_splits
from imbal_core.stages.base import TechniqueRefused
from imbal_core.stages.text import needs_free_text, refusal_for_data
from imbal_core.techniques.catalogue import REGISTRY, make_spec
from imbal_core.techniques.schema import Param
from tests.support.frames import make_binary_frame, make_multiclass_frame
from tests.support.training import TINY_SETTINGS

QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Cells people's files really contain: numbers in several spellings, missing markers, padded and
# case-variant labels, formulas, HTML, delimiters and quotes inside text, non-ASCII text.
AWKWARD_CELLS = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "",
            " ",
            "NA",
            "nan",
            "null",
            "inf",
            "-inf",
            "1e309",
            "True",
            "false",
            "yes",
            " Yes",
            "YES ",
            "no",
            "2024-02-30",
            "1,5",
            "=1+1",
            "@SUM(A1)",
            "-2+3",
            "<b>x</b>",
            'say "hi"',
            "a,b",
            "a;b",
            "line\nbreak",
            "café",
            "日本",
            "\u200b",
            "x" * 300,
        ]
    ),
    st.text(max_size=12),
)


def only_input_errors(call, *args, **kwargs):
    """Run `call`; return its result, or None when it refuses with an ImbalanceLabError (anything else fails)."""
    try:
        return call(*args, **kwargs)
    except ImbalanceLabError as error:
        assert str(error) and "Traceback" not in str(error)
        return None


@st.composite
def delimited_files(draw) -> tuple[bytes, str, str]:
    """A small table as CSV/TSV bytes in one of the encodings and dialects people use, and a target name."""
    n_columns = draw(st.integers(1, 5))
    names = draw(
        st.lists(
            st.one_of(st.sampled_from(["label", "x", "x ", "", "=cmd"]), st.text(max_size=8)),
            min_size=n_columns,
            max_size=n_columns,
        )
    )
    rows = draw(st.lists(st.lists(AWKWARD_CELLS, min_size=n_columns, max_size=n_columns), max_size=30))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(names)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    raw = buffer.getvalue().encode(encoding, errors="replace")
    file_name = draw(st.sampled_from(["data.csv", "data.tsv", "data.txt", "upload"]))
    return raw, file_name, draw(st.sampled_from(names))


def check_profile_invariants(frame: pd.DataFrame, target: str, notes: list[str]) -> None:
    result = only_input_errors(profile, frame, target, notes)
    if result is None:
        return
    counts = result.class_counts
    assert 2 <= len(counts) <= 20
    assert min(counts.values()) >= 2
    assert sum(counts.values()) == result.rows <= len(frame)
    assert all(label == label.strip() for label in counts)
    assert len({label.casefold() for label in counts}) == len(counts)
    assert result.imbalance_ratio >= 1 and np.isfinite(result.imbalance_ratio)


@QUICK
@given(raw=st.binary(max_size=3000), file_name=st.sampled_from(["a.csv", "a.tsv", "a.parquet", "a", "a.xlsx"]))
def test_loader_survives_any_bytes(raw, file_name):
    table = only_input_errors(load_table, raw, file_name)
    if table is None:
        return
    assert table.frame.shape[0] >= 1 and table.frame.shape[1] >= 2
    assert table.frame.columns.is_unique
    check_profile_invariants(table.frame, str(table.frame.columns[-1]), table.notes)


@QUICK
@given(file=delimited_files())
def test_loader_and_profile_survive_awkward_tables(file):
    raw, file_name, target = file
    table = only_input_errors(load_table, raw, file_name)
    if table is None:
        return
    assert table.frame.columns.is_unique
    numeric = table.frame.select_dtypes("number")
    assert not np.isinf(numeric.to_numpy(dtype=float, na_value=np.nan)).any()  # inf became missing
    check_profile_invariants(table.frame, target if target in table.frame.columns else None, table.notes)


@QUICK
@given(labels=st.lists(AWKWARD_CELLS | st.sampled_from(["a", "b", "A", " b", None]), min_size=1, max_size=60))
def test_prepared_labels_are_clean_or_refused(labels):
    frame = pd.DataFrame({"feature": range(len(labels)), "target": pd.Series(labels, dtype=object)})
    prepared = only_input_errors(prepare, frame, "target")
    if prepared is None:
        return
    counts = prepared.labels.value_counts()
    assert 2 <= len(counts) <= 20 and counts.min() >= 2
    assert len(prepared.features) == len(prepared.labels)


@QUICK
@given(
    cells=st.lists(st.one_of(st.text(max_size=10), st.sampled_from(["=1", "+1", "-1", "-1.5e3", "@a", "-", "+x"]))),
)
def test_neutralised_cells_never_start_a_formula_and_lose_nothing(cells):
    frame = pd.DataFrame({"cell": pd.Series(cells, dtype=object)})
    safe = neutralise_formulas(frame)["cell"].tolist()
    for original, exported in zip(cells, safe, strict=True):
        if exported != original:
            assert exported == "'" + original and original.startswith(FORMULA_PREFIXES)
        elif original.startswith(FORMULA_PREFIXES):
            float(original)  # only plain numbers are left as they are


# --- technique parameters anywhere in their schema ----------------------------------------------------------


def param_strategy(param: Param) -> st.SearchStrategy:
    if param.kind == "int":
        return st.integers(int(param.low), int(param.high))
    if param.kind == "float":
        return st.floats(param.low, param.high, allow_nan=False, allow_infinity=False)
    if param.kind == "choice":
        return st.sampled_from(param.choices)
    return st.booleans()


@st.composite
def specs(draw, technique_ids=tuple(REGISTRY)):
    technique = REGISTRY[draw(st.sampled_from(technique_ids))]
    params = {param.name: draw(param_strategy(param)) for param in technique.params}
    return make_spec(technique.id, params)


def tiny_minority_frame() -> pd.DataFrame:
    """Five rows of the rare class: every neighbour count above 3 must be clamped, with a note."""
    frame = make_binary_frame(rows=120, minority_share=0.0, seed=7)
    frame.loc[:4, "label"] = "rare"
    return frame


FRAMES = {
    "binary": (make_binary_frame(rows=200, minority_share=0.15, seed=3), "label"),
    "multiclass": (make_multiclass_frame(rows=240, seed=3), "kind"),
    "tiny_minority": (tiny_minority_frame(), "label"),
    "numeric_only": (make_binary_frame(rows=200, minority_share=0.15, seed=5).drop(columns="channel"), "label"),
}


@QUICK
@given(spec=specs(), data=st.sampled_from(sorted(FRAMES)), seed=st.integers(0, 2**16))
def test_every_sampler_handles_any_parameters_on_any_data(spec, data, seed):
    frame, target = FRAMES[data]
    # Image-only entries, and entries that need a free-text column (none of these frames has one): refused
    # with a sentence, never run on rows.
    if "table" not in spec.technique.modalities or needs_free_text(spec.technique.stages.rows):
        with pytest.raises(TechniqueRefused):
            resample_preview(frame, target, spec, Protocol(seed=seed))
        return
    preview = resample_preview(frame, target, spec, Protocol(seed=seed))
    result = preview["result"]
    assert np.isfinite(result.features).all()
    assert len(result.features) == len(result.labels) == len(result.source_index)
    assert set(np.unique(result.labels)) <= set(range(len(preview["labels"])))
    assert result.features.shape[1] == preview["original_features"].shape[1]


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), data=st.sampled_from(["binary", "multiclass", "tiny_minority"]), seed=st.integers(0, 1000))
def test_every_technique_trains_to_valid_probabilities_anywhere_in_its_schema(spec, data, seed):
    frame, target = FRAMES[data]
    assume(spec.params.get("members", 0) <= 6 and spec.params.get("rounds", 0) <= 6)  # bigger ones only take longer
    comparison = run_comparison(frame, target, [spec], Protocol(seed=seed), TINY_SETTINGS)
    result = comparison.results[0]
    refusal = refusal_for_data(spec.technique.stages, len(comparison.labels), "table", text_columns=())
    if refusal:  # e.g. a binary-only technique on a multi-class target: refused with a note, never a crash
        assert result.failed == refusal and refusal in result.notes
        return
    assert result.failed is None, result.notes
    probabilities = result.probabilities
    assert probabilities.shape == (len(result.labels), len(comparison.labels))
    assert np.isfinite(probabilities).all()
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    assert all(np.isfinite(value) for name, value in result.metrics.items() if name not in ("roc_auc", "pr_auc"))


@QUICK
@given(
    protocol=st.builds(
        Protocol,
        mode=st.sampled_from(["quick", "cv"]),
        folds=st.integers(2, 20),
        repeats=st.integers(1, 3),
        test_size=st.floats(0.05, 0.5),
        seed=st.integers(0, 99),
    )
)
def test_any_valid_protocol_splits_or_says_why(protocol):
    data = encode_dataset(*FRAMES["tiny_minority"])
    splits = only_input_errors(make_splits, data.codes, protocol)
    if splits is None:  # the rare class has 5 rows: too few for 6+ folds, or for a test size under 1/5
        assert (protocol.mode == "cv" and protocol.folds > 5) or (protocol.mode == "quick" and protocol.test_size < 0.2)
        return
    for train, test in splits:
        assert not set(train) & set(test)
        assert set(np.unique(data.codes[test])) == {0, 1}
