"""The bundled sample datasets: what each one is, where its file lives, and reading it.

How each is built is in imbal_core.data.sample_builders; rebuilding the files byte for byte in
imbal_core.data.sample_writer (`python sample_data/generate.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from imbal_core.errors import ParameterError

DEFAULT_SEED = 42
SAMPLE_DIRECTORY = Path(__file__).resolve().parents[2] / "sample_data"


@dataclass(frozen=True)
class SampleInfo:
    """What the dashboard shows about one bundled dataset."""

    id: str
    file_name: str
    title: str
    scenario: str
    target: str
    minority_label: str
    modality: str = "table"


SAMPLES: tuple[SampleInfo, ...] = (
    SampleInfo(
        id="medical",
        file_name="breast_cancer.csv",
        title="Breast cancer biopsies (real)",
        scenario="Cell measurements from breast biopsies; about 1 in 10 is malignant, and missing one is costly.",
        target="diagnosis",
        minority_label="malignant",
    ),
    SampleInfo(
        id="fraud",
        file_name="fraud.csv",
        title="Card fraud (synthetic)",
        scenario="Card transactions, about 1 in 100 is fraud; fraud looks much like normal spending.",
        target="is_fraud",
        minority_label="fraud",
    ),
    SampleInfo(
        id="spam",
        file_name="spam.csv",
        title="Spam e-mail (synthetic, spambase style)",
        scenario="Word and character counts of e-mails; about 1 in 10 is spam, and some spam reads like work mail.",
        target="label",
        minority_label="spam",
    ),
    SampleInfo(
        id="maintenance",
        file_name="maintenance.csv",
        title="Machine failures (synthetic, AI4I 2020 rules)",
        scenario="Sensor readings from a milling machine; about 3 in 100 runs end in a failure.",
        target="machine_failure",
        minority_label="failure",
    ),
    SampleInfo(
        id="sms",
        file_name="sms.csv",
        title="Text messages, spam or not (synthetic)",
        scenario="Short phone messages with their hour and whether the sender is a contact; about 1 in 12 is "
        "spam, and some spam is worded like a friend's message.",
        target="label",
        minority_label="spam",
    ),
    SampleInfo(
        id="digits",
        file_name="digits_multiclass.csv",
        title="Handwritten digits, three made rare (real)",
        scenario="8 by 8 pixel images of digits 0 to 9; the digits 3, 8 and 9 are made rare, 9 rarest of all.",
        target="digit",
        minority_label="9",
    ),
)


# Image samples are ZIPs of class folders, read by imbal_core.data.images like an upload; kept apart from
# SAMPLES, whose entries are CSV tables.
IMAGE_SAMPLES: tuple[SampleInfo, ...] = (
    SampleInfo(
        id="nines",
        file_name="mnist_nines.zip",
        title="Handwritten digits 28 by 28, nines made rare (real)",
        scenario="MNIST digits: is it a nine? Only 1 in 10 nines is kept, so about 2 in 100 images are nines, "
        "and nines look much like fours and sevens.",
        target="class",
        minority_label="nine",
        modality="image",
    ),
)


def get_sample(sample_id: str) -> SampleInfo:
    """The SampleInfo for an id such as "fraud"; raises ValueError naming the valid ids otherwise."""
    for info in SAMPLES + IMAGE_SAMPLES:
        if info.id == sample_id:
            return info
    valid = ", ".join(info.id for info in SAMPLES + IMAGE_SAMPLES)
    raise ParameterError(f"Unknown sample dataset {sample_id!r}. Valid ids are: {valid}.")


def sample_path(sample_id: str, directory: str | Path | None = None) -> Path:
    """Path of a sample's CSV file, in the repository's sample_data/ folder unless a directory is given."""
    info = get_sample(sample_id)
    return Path(directory if directory is not None else SAMPLE_DIRECTORY) / info.file_name


def load_sample(sample_id: str, directory: str | Path | None = None) -> pd.DataFrame:
    """Read a committed sample CSV file into a DataFrame."""
    return pd.read_csv(sample_path(sample_id, directory))
