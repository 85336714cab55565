"""The bundled sample datasets: reproducible byte for byte, loadable, imbalanced, and not trivially easy."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
# Plain `pytest` puts tests/ rather than the repository root on sys.path.
if str(REPOSITORY_ROOT) not in sys.path:
    sys.path.insert(0, str(REPOSITORY_ROOT))

# Imported after the path is set; import_module keeps linters from flagging a late import.
samples = importlib.import_module("imbal_core.data.samples")
sample_builders = importlib.import_module("imbal_core.data.sample_builders")
sample_writer = importlib.import_module("imbal_core.data.sample_writer")

MAX_FILE_BYTES = 2 * 1024 * 1024

# Expected share of the rarest class, as (low, high).
MINORITY_SHARE_RANGE = {
    "medical": (0.08, 0.12),
    "fraud": (0.008, 0.012),
    "spam": (0.08, 0.12),
    "maintenance": (0.025, 0.04),
    "sms": (0.07, 0.09),
    "digits": (0.004, 0.01),
}

# Upper bound on logistic-regression average precision. The synthetic sets are built to overlap;
# the two real sets are close to linearly separable (mean about 0.96), so their bound only catches
# a change that makes them perfectly easy, such as a thinning bug.
MAX_AVERAGE_PRECISION = {
    "medical": 0.98,
    "fraud": 0.8,
    "spam": 0.8,
    "maintenance": 0.8,
    "sms": 0.8,  # this check's logistic regression one-hot encodes the messages: it mostly reads the hour and sender
    "digits": 0.98,
}

SAMPLE_IDS = [info.id for info in samples.SAMPLES]


@pytest.fixture(scope="module")
def regenerated_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("regenerated_samples")
    sample_writer.write_all(directory)
    return directory


@pytest.fixture(scope="module")
def committed_frames() -> dict[str, pd.DataFrame]:
    return {sample_id: pd.read_csv(samples.sample_path(sample_id)) for sample_id in SAMPLE_IDS}


def test_sample_ids_and_files_are_in_the_documented_order() -> None:
    assert SAMPLE_IDS == ["medical", "fraud", "spam", "maintenance", "sms", "digits"]
    assert [info.file_name for info in samples.SAMPLES] == [
        "breast_cancer.csv",
        "fraud.csv",
        "spam.csv",
        "maintenance.csv",
        "sms.csv",
        "digits_multiclass.csv",
    ]


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_regenerated_file_is_byte_identical_to_committed(sample_id: str, regenerated_directory: Path) -> None:
    committed = samples.sample_path(sample_id).read_bytes()
    regenerated = samples.sample_path(sample_id, regenerated_directory).read_bytes()
    assert regenerated == committed, (
        f"{sample_id}: the generator no longer reproduces the committed file; "
        "run `python sample_data/generate.py` and review the change"
    )


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_sample_loads_with_target_and_expected_imbalance(
    sample_id: str, committed_frames: dict[str, pd.DataFrame]
) -> None:
    info = samples.get_sample(sample_id)
    path = samples.sample_path(sample_id)
    assert path.stat().st_size < MAX_FILE_BYTES
    frame = committed_frames[sample_id]
    assert info.target in frame.columns
    labels = frame[info.target].astype(str)
    assert labels.notna().all()
    counts = labels.value_counts()
    assert counts.idxmin() == info.minority_label
    low, high = MINORITY_SHARE_RANGE[sample_id]
    assert low <= counts.min() / len(frame) <= high


def test_fraud_has_a_few_missing_values_for_imputation(committed_frames: dict[str, pd.DataFrame]) -> None:
    missing_share = committed_frames["fraud"]["distance_from_home_km"].isna().mean()
    assert 0.005 <= missing_share <= 0.02


def test_maintenance_does_not_leak_failure_modes(committed_frames: dict[str, pd.DataFrame]) -> None:
    leaking = {"twf", "hdf", "pwf", "osf", "rnf"}
    assert not leaking & {column.lower() for column in committed_frames["maintenance"].columns}


def test_build_is_deterministic_and_seed_sensitive() -> None:
    first = sample_builders.build_sample("spam")
    pd.testing.assert_frame_equal(first, sample_builders.build_sample("spam"))
    assert not first.equals(sample_builders.build_sample("spam", seed=samples.DEFAULT_SEED + 1))


def test_unknown_sample_id_raises_value_error_listing_valid_ids() -> None:
    with pytest.raises(ValueError, match="medical, fraud, spam, maintenance, sms, digits"):
        samples.get_sample("cancer")
    with pytest.raises(ValueError):
        sample_builders.build_sample("nope")
    with pytest.raises(ValueError):
        samples.sample_path("nope")


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_not_trivially_separable(sample_id: str, committed_frames: dict[str, pd.DataFrame]) -> None:
    """Logistic regression ranks the minority well above chance, but not perfectly."""
    info = samples.get_sample(sample_id)
    frame = committed_frames[sample_id]
    # Three splits, because with 10 malignant or 2 "9" rows in a test split one split is noisy.
    scores = [_logistic_average_precision(frame, info, split_seed) for split_seed in range(3)]
    mean_score = float(np.mean(scores))
    shares = frame[info.target].astype(str).value_counts(normalize=True)
    # Chance level: the minority share (binary) or the mean class share (macro one-vs-rest).
    chance = shares[info.minority_label] if len(shares) == 2 else float(shares.mean())
    assert chance + 0.2 < mean_score < MAX_AVERAGE_PRECISION[sample_id], scores


def _logistic_average_precision(frame: pd.DataFrame, info: samples.SampleInfo, split_seed: int) -> float:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler, label_binarize

    labels = frame[info.target].astype(str)
    features = frame.drop(columns=[info.target])
    categorical = [column for column in features.columns if not pd.api.types.is_numeric_dtype(features[column])]
    numeric = [column for column in features.columns if column not in categorical]
    preprocess = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )
    train_x, test_x, train_y, test_y = train_test_split(
        features, labels, test_size=0.25, stratify=labels, random_state=split_seed
    )
    model = make_pipeline(preprocess, LogisticRegression(max_iter=3000)).fit(train_x, train_y)
    probabilities = model.predict_proba(test_x)
    classes = list(model.classes_)
    if len(classes) == 2:
        minority_column = classes.index(info.minority_label)
        return float(average_precision_score(test_y == info.minority_label, probabilities[:, minority_column]))
    return float(average_precision_score(label_binarize(test_y, classes=classes), probabilities, average="macro"))


def test_sms_words_carry_the_signal_the_text_model_reads(committed_frames: dict[str, pd.DataFrame]) -> None:
    """The message column is free text (bag of words for the network), and spam words are far commoner in spam."""
    from imbal_core.data.preprocess import plan_columns

    frame = committed_frames["sms"]
    plan = plan_columns(frame.drop(columns=["label"]))
    assert plan.text == ["message"] and plan.numeric == ["hour_sent"]
    spam = frame["label"] == "spam"
    has_prize_words = frame["message"].str.contains(r"\b(?:prize|claim|winner|voucher)\b")
    assert has_prize_words[spam].mean() > 5 * has_prize_words[~spam].mean()
