"""The Train & compare controls: technique picker, the settings form, and running a training request.

Pressing Train only records a request (in the form's callback, with the values the form submitted);
the page then runs it with the whole page body replaced by progress, so nothing else on the page can
be clicked by accident mid-run.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from imbal_core.errors import InputError
from imbal_core.nets.model import SMALL_TABLE_ROWS, ModelSettings, automatic_seed_average
from imbal_core.run.protocol import Protocol
from imbal_core.stages.text import refusal_for_data
from imbal_core.techniques.catalogue import (
    DEFAULT_IMAGE_TECHNIQUES,
    DEFAULT_TECHNIQUES,
    REGISTRY,
    TechniqueSpec,
    make_spec,
)
from ui import feedback, history, keys, link, training
from ui.form_links import suggested_protocol_mode
from ui.page_state import COMPARE
from ui.store import store
from ui.widgets import technique_expander, technique_name

# Issue 15: the keys and default a link restores are declared once, in ui/keys.py and ui/link.py.
PREFIX = keys.COMPARE_PARAMETERS
TECHNIQUES_WIDGET = keys.TECHNIQUES.name
DEFAULT_CHOICE = link.DEFAULT_TECHNIQUES
UNIT_CHOICES = (8, 16, 32, 64, 128, 256)
BATCH_CHOICES = (32, 64, 128, 256, 512, 1024, 2048)
LEARNING_RATE_CHOICES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
AUTOMATIC = "auto"  # the seed average's default: imbal_core.nets.model.automatic_seed_average for the loaded data
SEED_AVERAGE_CHOICES = (AUTOMATIC, *range(1, 11))
PROTOCOL_LABELS = {
    "quick": "Quick: one stratified train/test split",
    "cv": "Robust: stratified K-fold (mean ± std)",
}


def _with(choices: tuple, default) -> list:
    """The choices with the engine's default among them, so the form starts at the CLI's settings."""
    return sorted({*choices, default})


def technique_picker() -> list:
    """Multiselect of techniques plus an expander of parameters for each; returns validated specs."""
    # Reference learners are not techniques for imbalance; the form offers them separately. Only the
    # techniques that handle the data's modality (table or image) are offered; the rest are named below.
    modality = "image" if store.dataset().images is not None else "table"
    networks = {technique_id: technique for technique_id, technique in REGISTRY.items() if not technique.is_reference}
    profile = store.dataset_profile()
    n_classes = profile.n_classes
    ids = [technique_id for technique_id, technique in networks.items() if modality in technique.modalities]
    # Two-class techniques (e.g. the anomaly autoencoder) are named, not offered, on a multi-class target.
    two_class_only = [
        technique_id for technique_id in ids if networks[technique_id].stages.refusal(n_classes, modality) is not None
    ]
    # Text augmentation edits words: on a table without a free-text column it is named, not offered.
    needs_text = [
        technique_id
        for technique_id in ids
        if technique_id not in two_class_only
        and refusal_for_data(networks[technique_id].stages, n_classes, modality, getattr(profile, "text_columns", []))
        is not None
    ]
    ids = [technique_id for technique_id in ids if technique_id not in two_class_only + needs_text]
    default = DEFAULT_IMAGE_TECHNIQUES if modality == "image" else DEFAULT_CHOICE
    chosen = COMPARE.techniques
    if chosen is not None and any(technique_id not in ids for technique_id in chosen):  # the data changed kind
        COMPARE.techniques = [technique_id for technique_id in chosen if technique_id in ids] or [
            technique_id for technique_id in default if technique_id in ids
        ]
    st.multiselect(
        "Techniques to train",
        ids,
        default=[technique_id for technique_id in default if technique_id in ids],
        format_func=technique_name,
        key=TECHNIQUES_WIDGET,
        persist_state="session",
        help="Each one trains the same network on the same split, so differences come from the technique. "
        f"The command line's default set is: {', '.join(technique_name(i) for i in DEFAULT_TECHNIQUES)}.",
    )
    if two_class_only:
        st.caption(
            f"Not offered for this {n_classes}-class target: "
            f"{', '.join(technique_name(technique_id) for technique_id in two_class_only)} (two classes only)."
        )
    if needs_text:
        st.caption(
            f"Not offered for this table: {', '.join(technique_name(technique_id) for technique_id in needs_text)} "
            "(it edits the words of a free-text column, and this table has none)."
        )
    left_out = [
        technique_name(technique_id)
        for technique_id in networks
        if technique_id not in ids and technique_id not in two_class_only + needs_text
    ]
    if left_out:
        st.caption(
            f"Not offered for {modality} data: {', '.join(left_out)}. "
            + (
                "They are built for table rows: neighbours, added noise or a table autoencoder mean little "
                "between raw pixels, so they are left out rather than run on pixels without saying so."
                if modality == "image"
                else "They work on images only."
            )
        )
    specs = []
    for technique_id in COMPARE.techniques or []:
        specs.append(technique_expander(technique_id, PREFIX))
    return specs


def settings_form() -> None:
    """Model and protocol settings in one form; Train records a request (see request_training)."""
    defaults, protocol = ModelSettings(), Protocol()
    with st.form("train_form", border=True):
        st.markdown("**Model**")
        left, middle, right = st.columns(3)
        left.select_slider(
            "Hidden units (first layer)",
            _with(UNIT_CHOICES, defaults.hidden_units[0]),
            value=defaults.hidden_units[0],
            key=keys.HIDDEN_UNITS.name,
            persist_state="session",
            help="Units of the first hidden layer; each further layer has half as many.",
        )
        left.slider("Hidden layers", 1, 4, len(defaults.hidden_units), key=keys.LAYERS.name, persist_state="session")
        middle.number_input(
            "Max epochs",
            1,
            500,
            defaults.max_epochs,
            key=keys.MAX_EPOCHS.name,
            persist_state="session",
            help="Early stopping on the validation slice usually ends training sooner.",
        )
        middle.select_slider(
            "Batch size",
            _with(BATCH_CHOICES, defaults.batch_size),
            value=defaults.batch_size,
            key=keys.BATCH_SIZE.name,
            persist_state="session",
        )
        right.select_slider(
            "Learning rate",
            _with(LEARNING_RATE_CHOICES, defaults.learning_rate),
            value=defaults.learning_rate,
            format_func=lambda rate: f"{rate:g}",
            key=keys.LEARNING_RATE.name,
            persist_state="session",
        )
        automatic = _automatic_label()  # formatted here: the format function may run outside the page's run
        with right.expander("More model settings"):
            st.slider(
                "Dropout", 0.0, 0.5, float(defaults.dropout), step=0.05, key=keys.DROPOUT.name, persist_state="session"
            )
            st.number_input(
                "Early-stopping patience (epochs)",
                1,
                50,
                defaults.patience,
                key=keys.PATIENCE.name,
                persist_state="session",
            )
            st.selectbox(
                "Networks per technique (seed average)",
                SEED_AVERAGE_CHOICES,
                key=keys.SEED_AVERAGE.name,
                format_func=lambda choice: automatic if choice == AUTOMATIC else str(choice),
                persist_state="session",
                help="Each network trains this many times from different seeds and the probabilities are averaged. "
                f"Automatic: 3 on a table of at most {SMALL_TABLE_ROWS:,} rows, else 1 (images: 1). On 9 small "
                "real tables 3 lifted every default technique's mean PR-AUC to or above the pre-stacking engine's "
                "(with 1, random undersampling stayed 0.027 below); on the 397-row medical sample it took 56-69 s "
                "against 52-55 s with 1 (bench/RESULTS.md sections 15 and 15c).",
            )
        st.checkbox(
            "Add reference learners (logistic regression, gradient boosting)",
            key=keys.REFERENCES.name,
            persist_state="session",
            help="scikit-learn models on the same folds and preprocessing, marked as references: they show whether "
            "a network is worth it on this data, and are never recommended.",
        )
        st.markdown("**Protocol**")
        left, middle, right = st.columns(3)
        suggested = suggested_protocol_mode(store.dataset_profile())
        left.radio(
            "Evaluation",
            list(PROTOCOL_LABELS),
            index=list(PROTOCOL_LABELS).index(suggested),
            format_func=PROTOCOL_LABELS.get,
            key=keys.PROTOCOL_MODE.name,
            persist_state="session",
            help="K-fold is the default when the data is small enough to make it cheap, or when a single test split "
            "would hold too few minority rows to trust.",
        )
        middle.slider(
            "Test share (quick split)",
            0.1,
            0.5,
            float(protocol.test_size),
            step=0.05,
            key=keys.TEST_SIZE.name,
            persist_state="session",
        )
        middle.number_input("Folds (K-fold)", 2, 10, protocol.folds, key=keys.FOLDS.name, persist_state="session")
        right.number_input("Repeats (K-fold)", 1, 5, protocol.repeats, key=keys.REPEATS.name, persist_state="session")
        right.number_input(
            "Seed",
            0,
            1_000_000,
            protocol.seed,
            key=keys.SEED.name,
            persist_state="session",
            help="Same seed, same data, same settings: identical numbers, here and in the CLI.",
        )
        st.form_submit_button(
            "Train", key="train_button", type="primary", icon=":material/play_arrow:", on_click=request_training
        )


def automatic_average() -> int:
    """The seed average "Automatic" means for the loaded data (imbal_core.nets.model.automatic_seed_average)."""
    return automatic_seed_average(store.dataset_profile().rows, store.dataset().images is not None)


def _automatic_label() -> str:
    """What the automatic seed average means for the loaded data, e.g. "Automatic (3: 397 rows)"."""
    if store.dataset().images is not None:
        return f"Automatic ({automatic_average()}: images)"
    return f"Automatic ({automatic_average()}: {store.dataset_profile().rows:,} rows)"


def settings_from_state() -> tuple[Protocol, ModelSettings]:
    """Protocol and model settings from the form's submitted values."""
    defaults, protocol_defaults = ModelSettings(), Protocol()
    get = COMPARE.form_value
    units = int(get("hidden_units", defaults.hidden_units[0]))
    layers = int(get("layers", len(defaults.hidden_units)))
    hidden = tuple(max(4, units // 2**layer) for layer in range(layers))
    settings = ModelSettings(
        hidden_units=hidden,
        dropout=float(get("dropout", defaults.dropout)),
        learning_rate=float(get("learning_rate", defaults.learning_rate)),
        batch_size=int(get("batch_size", defaults.batch_size)),
        max_epochs=int(get("max_epochs", defaults.max_epochs)),
        patience=int(get("patience", defaults.patience)),
        validation_fraction=defaults.validation_fraction,
    )
    choice = get(keys.SEED_AVERAGE.name, AUTOMATIC)
    if choice == AUTOMATIC:
        settings = replace(settings, seed_average=automatic_average(), seed_average_automatic=True)
    else:
        settings = replace(settings, seed_average=int(choice))
    protocol = Protocol(
        mode=get("protocol_mode", protocol_defaults.mode),
        folds=int(get("folds", protocol_defaults.folds)),
        repeats=int(get("repeats", protocol_defaults.repeats)),
        test_size=float(get("test_size", protocol_defaults.test_size)),
        seed=int(get("seed", protocol_defaults.seed)),
    )
    return protocol, settings


def _build_request() -> dict:
    ids = list(COMPARE.techniques or [])
    if not ids:
        raise InputError("Pick at least one technique to train, then press Train.")
    specs = [spec_from_state(technique_id) for technique_id in ids]
    if COMPARE.references:
        specs += [make_spec(technique_id) for technique_id, technique in REGISTRY.items() if technique.is_reference]
    protocol, settings = settings_from_state()
    return {"specs": specs, "protocol": protocol, "settings": settings, "dataset_key": store.dataset_key()}


def request_training() -> None:
    """Form callback: validate the choices now, so a mistake is reported before anything starts."""
    del COMPARE.error
    request, message = feedback.capture("preparing the training run", _build_request)
    if message:
        COMPARE.error = message
    else:
        COMPARE.request = request


def execute(request: dict) -> None:
    """Run a recorded request with progress; store the comparison only when it finished."""
    if request["dataset_key"] != store.dataset_key():
        COMPARE.error = "The data or target changed before training started; press Train again."
        return
    loaded = store.dataset()
    comparison, message = feedback.capture(
        "training",
        training.compare,
        loaded.frame,
        store.target(),
        request["specs"],
        request["protocol"],
        request["settings"],
    )
    if message:
        COMPARE.error = message
        return
    record = store.add_run(comparison)
    # Every finished comparison is saved; without history (None) the session still has it.
    store.saved_as(record, history.save(comparison), history.default_name(comparison, record.dataset_name))
    failed = [result.spec.display_name for result in comparison.results if result.failed]
    summary = f"Trained {len(comparison.results)} technique(s) in {comparison.wall_seconds:.1f} s."
    waited = comparison.wait_seconds
    if waited >= 1:
        summary += f" It first waited {waited:.0f} s for another session's training to finish."
    if failed:
        summary += f" Failed: {', '.join(failed)} (see the notes column)."
    COMPARE.flash = summary


def spec_from_state(technique_id: str) -> TechniqueSpec:
    """The spec for a technique from its widgets' current values (defaults for widgets not shown yet)."""
    names = [param.name for param in REGISTRY[technique_id].params]
    return make_spec(technique_id, COMPARE.parameters(PREFIX, technique_id, names))
