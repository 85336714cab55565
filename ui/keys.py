"""Every session-state key of the dashboard, declared once: its name, type, default and what it holds.

Only ui/store.py (dataset, target, runs) and ui/page_state.py (each page's own state) read or write these;
everything else asks them. A widget's key is its session-state key, so widget keys a test, a link or another
module looks up are declared here too (a key used only to name an element, e.g. a chart's, stays at its
call site). No Streamlit here: the declarations can be read and tested anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ui.link import DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Key:
    """One session-state key: `name` is what the session state holds it under."""

    name: str
    type: Any
    default: Any
    doc: str


# --- the store (ui/store.py): data, target and this browser's runs ---------------------------------------------

DATASET = Key("dataset", "LoadedDataset | None", None, "the table (or images) this session works on")
TARGET = Key("active_target", "str | None", None, "the target column the profile and training use")
RUNS = Key("runs", "list[RunRecord]", [], "this session's runs, oldest first (ui/store.py is their one writer)")
RUN_COUNTER = Key("run_counter", int, 0, "the last run number handed out in this session")
TRAINING_COUNT = Key("training_count", int, 0, "how many comparisons this session trained")
LINK_TARGET = Key("link_target", "str | None", None, "the target a link named, used when its upload arrives")

# --- the Data page (pages/data.py, ui/images.py) -----------------------------------------------------------------

SAMPLE_WIDGET = Key("sample_choice", str, None, "the Sample dataset select box")
TARGET_WIDGET = Key("target", str, None, "the Target column select box (always shows the working target)")
UPLOAD_WIDGET = Key("upload", object, None, "the file uploader (an UploadedFile)")
DATA_ERROR = Key("data_error", "str | None", None, "why the last load, upload or target choice was refused")
DATA_NOTICE = Key("data_notice", "str | None", None, "why an upload's suggested target was passed over")
DATA_LAST_ACTION = Key("data_last_action", "str | None", None, "'sample' or 'upload': the tab to open on")
IMAGE_HEIGHT = Key("image_height", int, None, "the image conversion form's height")
IMAGE_WIDTH = Key("image_width", int, None, "the image conversion form's width")
IMAGE_CHANNELS = Key("image_channels", str, None, "the image conversion form's channels ('Grayscale (1)', ...)")

# --- Train & compare (ui/compare.py, pages/compare.py) -----------------------------------------------------------

TECHNIQUES = Key("techniques", "list[str] | None", None, "the Techniques to train multiselect")
PROTOCOL_MODE = Key("protocol_mode", "str | None", None, "the form's Evaluation radio: 'quick' or 'cv'")
FOLDS = Key("folds", int, None, "the form's Folds (K-fold)")
REPEATS = Key("repeats", int, None, "the form's Repeats (K-fold)")
TEST_SIZE = Key("test_size", float, None, "the form's Test share (quick split)")
SEED = Key("seed", int, None, "the form's Seed")
HIDDEN_UNITS = Key("hidden_units", int, None, "the form's Hidden units (first layer)")
LAYERS = Key("layers", int, None, "the form's Hidden layers")
DROPOUT = Key("dropout", float, None, "the form's Dropout")
LEARNING_RATE = Key("learning_rate", float, None, "the form's Learning rate")
BATCH_SIZE = Key("batch_size", int, None, "the form's Batch size")
MAX_EPOCHS = Key("max_epochs", int, None, "the form's Max epochs")
PATIENCE = Key("patience", int, None, "the form's Early-stopping patience")
SEED_AVERAGE = Key(
    "seed_average", "int | str", None, "the form's Networks per technique: 'auto' or 1-10 (seed average)"
)
REFERENCES = Key("references", bool, None, "the form's Add reference learners checkbox")
TRAINING_REQUEST = Key("training_request", "dict | None", None, "what Train asked for, run by the page next")
COMPARE_ERROR = Key("compare_error", "str | None", None, "why the last Train was refused or failed, shown once")
FLASH = Key("flash", "str | None", None, "the last training's summary, shown once")
TRAINING_MARKER = Key("training_in_progress", bool, False, "set while training; left behind when it was stopped")
COMPARE_PARAMETERS = "compare"  # prefix of the technique parameter widgets (parameter_key) on Train & compare
RESAMPLE_PARAMETERS = "resample"  # prefix of the technique parameter widgets on Resample


def parameter_key(prefix: str, technique_id: str, name: str) -> str:
    """The key of a technique parameter's widget: `<prefix>__<technique id>__<parameter>`."""
    return f"{prefix}__{technique_id}__{name}"


# --- results and decision on Train & compare (ui/results.py, ui/decision.py) -------------------------------------

THRESHOLD_WIDGET = Key("threshold", float, DEFAULT_THRESHOLD, "the decision threshold slider")
SHOWN_RUN = Key("shown_run", "str | None", None, "the Run select box (a run's label)")
SHOWN_RUN_LATEST = Key("shown_run_latest", "int | None", None, "the newest run when the Run box was last set")
REPORT_SETTINGS = Key("report_settings", dict, None, "threshold, costs and rule the HTML report reads on click")
RECALIBRATION = Key("recalibration_method", str, None, "the Recalibration radio")
COSTS_FOR = Key("decision_costs_for", "str | None", None, "the dataset key the cost inputs were set for")
RULE_WIDGET = Key("decision_rule", str, None, "the Pick each technique's threshold by radio")
DECISION_TIMING = Key("decision_seconds", float, None, "the decision view's last redraw time (bench/decision.py)")
COST_WIDGETS = {
    "false_alarm": Key("cost_false_alarm", float, None, "Cost of a false alarm"),
    "miss": Key("cost_miss", float, None, "Cost of a miss"),
    "catch_value": Key("value_catch", float, None, "Value of a catch"),
    "volume": Key("cost_volume", float, None, "Cases per period"),
    "period": Key("cost_period", str, None, "Period"),
}

# --- History (ui/history.py, pages/history.py) -------------------------------------------------------------------

HISTORY_PROBLEM = Key("history_problem", "str | None", None, "why history is unavailable, to show once")
HISTORY_PROBLEM_SHOWN = Key("history_problem_shown", bool, False, "the unavailability message was shown")
HISTORY_OPENED = Key("history_opened", "str | None", None, "a notice after reopening or importing a run")
SHARE_VISITOR = Key("history_share_visitor", bool, False, "this session came through a share link")
IMPORT_WIDGET = Key("history_import", object, None, "the Results JSON uploader")
IMPORT_MESSAGE = Key("history_import_message", "tuple[str, str] | None", None, "(kind, text) after an import")

# --- the link this session was opened with (ui/links.py), the browser (ui/identity.py) ---------------------------

LINK_NOTES = Key("link_notes", "list[str] | None", None, "notes on the opening link's unusable values, shown once")
SHARED_RUN = Key("shared_run", "str | None", None, "the share id of the shared run this session opened")
BROWSER_TOKEN = Key("browser_token", "str | None", None, "this browser's token (its cookie)")
COOKIE_WRITTEN = Key("browser_cookie_written", bool, False, "the browser already holds the token's cookie")

# --- Learn, Present and Resample ----------------------------------------------------------------------------------

LEAKAGE = Key("leakage_results", dict, {}, "Learn's leakage demonstrations by (dataset key, technique, epochs)")
RESAMPLE_TECHNIQUE = Key("resample_technique", "str | None", None, "Resample's Sampler select box")
