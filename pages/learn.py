"""Learn: the ideas in short, each tied to the loaded data."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from imbal_core.nets.model import ModelSettings
from imbal_core.present import charts
from imbal_core.present.lessons import (
    balanced_weights,
    focal_loss_curve,
    leakage_gains,
    leakage_verdict,
    quiz,
    smote_toy,
    weighted_cross_entropy,
)
from imbal_core.present.verdict_words import imbalance_verdict
from imbal_core.run.metric_names import metric_label
from imbal_core.run.protocol import Protocol
from imbal_core.stages.base import Stages
from imbal_core.techniques.catalogue import REGISTRY, make_spec
from imbal_core.techniques.schema import FAMILIES
from ui import feedback, links, training
from ui.page_state import LESSONS
from ui.store import store
from ui.widgets import plain, technique_name

# Leakage needs a sampler that adds rows built from others: every oversampling or hybrid entry.
LEAK_TECHNIQUES = [technique.id for technique in REGISTRY.values() if technique.family in ("oversampling", "hybrid")]
LEAK_EPOCHS = 20
LEAK_METRICS = ("pr_auc", "recall", "precision", "f1", "roc_auc", "balanced_accuracy", "mcc")
FAMILY_ORDER = FAMILIES  # declared with the registry, so a new family is listed without an edit here
NEUTRAL_STAGES = Stages().to_json()


def stage_line(technique) -> str:
    """The stages an entry changes, e.g. "rows: smote" or "loss: logit_adjusted · scores: post_hoc_..."."""
    changed = {kind: name for kind, name in technique.stages.to_json().items() if name != NEUTRAL_STAGES[kind]}
    if not changed:
        return "Stages: none changed (one plain network)."
    return "Stages: " + " · ".join(f"{kind} `{name}`" for kind, name in changed.items()) + "."


def leakage_reading(honest, leaky, binary: bool) -> dict:
    """The gains with their noise and the words that match them (imbal_core.present.lessons), for the stored demo."""
    labels = honest.test_labels[0]
    gains = leakage_gains(labels, honest.test_probabilities[0], leaky.test_probabilities[0], LEAK_METRICS)
    names = {name: metric_label(name, binary) for name in LEAK_METRICS}
    return {"gains": gains, "verdict": leakage_verdict(gains, "pr_auc", names, len(labels))}


def _interval(gain) -> str:
    return "" if gain is None else f"{gain.low:+.3f} to {gain.high:+.3f}"


def prevalence_rows(result) -> list[dict]:
    """The same scores at the real class ratio and re-weighted to half rare rows (binary only)."""
    from imbal_core.run.metrics import metrics_at_prevalence  # scikit-learn: only once the demo has trained

    labels, positive = result.labels, result.probabilities[:, 1]
    rows = []
    for name, share in (("Real ratio (as tested)", float(labels.mean())), ("Re-weighted to 50% rare", 0.5)):
        values = metrics_at_prevalence(labels, positive, share)
        rows.append(
            {
                "Test rows": name,
                "Rare share": share,
                "Precision": values["precision"],
                "Recall": values["recall"],
                "PR-AUC": values["pr_auc"],
                "ROC-AUC": values["roc_auc"],
            }
        )
    return rows


METRIC_GUIDE = pd.DataFrame(
    [
        (
            "PR-AUC (average precision)",
            "How well the model ranks rare rows above common ones, over all thresholds.",
            "Your headline number for a rare positive class; compare it with the no-skill line (the class share).",
        ),
        ("Recall", "Share of the rare rows the model catches.", "When a miss is expensive: fraud, disease, failure."),
        (
            "Precision",
            "Share of the alarms that are real.",
            "When each alarm costs a person's time or a customer's patience.",
        ),
        ("F1", "Harmonic mean of precision and recall.", "One number when misses and false alarms matter alike."),
        (
            "ROC-AUC",
            "Ranking quality against the false positive rate.",
            "Comparing models; looks flattering when negatives are plentiful.",
        ),
        (
            "MCC, balanced accuracy, G-mean",
            "Single numbers that treat every class fairly.",
            "A summary that cannot be gamed by predicting the majority.",
        ),
        (
            "Brier score (lower is better)",
            "Mean squared error of the probabilities.",
            "When the probability itself is used (pricing, triage); resampling usually makes it worse.",
        ),
        ("Accuracy", "Share of rows right.", "Almost never on its own with imbalanced data: see above."),
    ],
    columns=["Metric", "What it measures", "Read it when"],
).set_index("Metric")

links.open_session()  # normally done by app.py; a deep link on a fresh server can start here

st.title("Learn")
loaded, profile = store.dataset(), store.dataset_profile()
counts = profile.class_counts
binary = profile.n_classes == 2
st.caption(f"Every example below uses the loaded data: {plain(loaded.name)}, target {plain(profile.target)}.")

st.header("1. Why accuracy misleads")
majority = charts.always_majority_metrics(counts)
st.markdown(plain(imbalance_verdict(profile.to_dict())))
accuracy_column, recall_column, chart_column = st.columns([1, 1, 3])
accuracy_column.metric(
    "Accuracy", f"{majority['accuracy']:.1%}", help="Accuracy of always answering the largest class."
)
recall_column.metric(
    "Minority recall" if binary else "Recall (macro)",
    f"{majority['recall']:.1%}",
    help="Share of the rare rows that always answering the largest class finds."
    if binary
    else "Average over classes of the share of rows found by always answering the largest class.",
)
chart_column.plotly_chart(charts.majority_figure(counts), width="stretch", key="chart_majority")
st.markdown(
    "A model can score high accuracy by never predicting the rare class. Read **recall** (how many rare rows are "
    "caught), **precision** (how many alarms are real) and **PR-AUC** (ranking quality) instead; balanced "
    "accuracy and MCC summarise all classes fairly."
)

st.header("2. What each technique does")
st.caption(
    "Every technique is one registry entry, a composition of stages: what happens to the training rows, their "
    "weights, the loss, how batches are drawn, how many networks are trained and combined, and the scores after "
    "training. The sliders on the other pages are built from the same entry."
)
for family in FAMILY_ORDER:
    members = [technique for technique in REGISTRY.values() if technique.family == family]
    if not members:
        continue
    with st.expander(f"{family.capitalize()} ({len(members)})", expanded=family in ("reference", "oversampling")):
        for technique in members:
            evidence = f"  \n:blue[On the bundled samples:] {technique.evidence}" if technique.evidence else ""
            st.markdown(
                f"**{technique.name}** (`{technique.id}`): {technique.summary}  \n"
                f":green[Pros:] {technique.pros}  \n:red[Cons:] {technique.cons}{evidence}  \n"
                f":gray[{stage_line(technique)}]"
            )
st.markdown(
    "**Threshold moving** is not a training technique: it changes the probability above which a row counts as "
    "minority, after training. The Train & compare page has a slider for it; it never retrains."
)
st.markdown(
    "**Augmentation, and when it adds bias.** Augmentation makes new minority examples from real ones: noise on "
    "table rows, or rotated, shifted, zoomed and re-contrasted images (upload a ZIP of class folders, or pick the "
    "nines sample). It helps only as far as the changes keep the class: a 6 rotated too far is a 9, a mirrored "
    "letter is another letter, so flips are off by default. It also copies whatever the few originals share: if "
    "every rare image was taken in one clinic, on one scanner or by one writer, augmentation multiplies that, and "
    "the network learns the clinic rather than the class. Augment the training rows only (the engine does), "
    "judge it on test rows at the real class ratio, and look at the augmented images on the Resample page."
)
st.markdown(
    "**Text augmentation** (a table with a column of messages, e.g. the sms sample) edits a few words of real rare "
    "messages: a synonym from a small list that ships with the app, a word the training messages use inserted, "
    "two words swapped, one deleted (EDA, Wei & Zou 2019). The same questions apply. An edit can change the "
    "class: delete the *not* in *not free* and a friend's message reads like spam. Synonyms carry the list's "
    "sense, not the message's. Inserted words come from the training messages, so a new spam message can pick "
    "up words from ordinary ones. And every new message repeats its original's topic, sender and hour: a few "
    "rare messages, copied with small edits, make the network surer of their quirks, not of spam. A bag of "
    "words also sees less than you read: it ignores word order except word pairs, so a swap changes little, "
    "and a synonym the training messages never use has no column, so for the model it is a deletion. The "
    "Resample page shows each new message beside its original with the changed words marked."
)

st.header("3. Which metrics to read, and when")
st.table(METRIC_GUIDE)

st.header("4. The leakage trap")
st.markdown(
    "Resample **after** splitting, on the training rows only. If you oversample first, copies of the test "
    "rows (or synthetic rows built from them) land in training: the model is tested on rows it has, in effect, "
    "already seen. Below, both runs use the same split, the same validation slice, the same encoder and the same "
    "test rows at the real class ratio; the only difference is that the leaky sampler also saw the test rows."
)
technique_column, toggle_column = st.columns([2, 3])
leak_id = technique_column.selectbox(
    "Oversampler", LEAK_TECHNIQUES, format_func=technique_name, key="leakage_technique", persist_state="session"
)
show_leak = toggle_column.toggle(
    "Resample before the split (the mistake) and compare with the honest way",
    key="leakage_toggle",
    persist_state="session",
    help=f"Trains {technique_name(leak_id)} twice with {LEAK_EPOCHS} epochs at most: once honestly, once leaky.",
)
if show_leak:
    key = (store.dataset_key(), leak_id, LEAK_EPOCHS)
    stored = LESSONS.leakage.get(key)
    if stored is None:
        spec = make_spec(leak_id)
        settings = ModelSettings(max_epochs=LEAK_EPOCHS)
        outcome, message = feedback.capture(
            "training the leakage demonstration",
            training.honest_and_leaky,
            loaded.frame,
            profile.target,
            spec,
            Protocol(),
            settings,
        )
        if message:
            st.error(plain(message), icon=":material/error:")
        else:
            honest, leaky = outcome
            stored = {
                "leak": {
                    name: (honest.results[0].metrics.get(name), leaky.results[0].metrics.get(name))
                    for name in LEAK_METRICS
                },
                "prevalence": prevalence_rows(honest.results[0]) if binary else None,
                **leakage_reading(honest.results[0], leaky.results[0], binary),
            }
            LESSONS.leakage[key] = stored
    if stored is not None:
        readings = {gain.metric: gain for gain in stored.get("gains", [])}
        table = pd.DataFrame(
            [
                {
                    "Metric": metric_label(name, binary),
                    "Honest: split, then resample": honest_value,
                    "Leaky: the sampler saw the test rows": leaky_value,
                    "Leakage gain": leaky_value - honest_value,
                    "95% interval": _interval(readings.get(name)),
                    "Reading": readings[name].reading if name in readings else "",
                }
                for name, (honest_value, leaky_value) in stored["leak"].items()
            ]
        ).set_index("Metric")
        st.dataframe(
            table,
            width="stretch",
            column_config={column: st.column_config.NumberColumn(format="%.3f") for column in table.columns[:3]},
        )
        kind, words = stored.get("verdict", ("shows", ""))
        alert = st.warning if kind == "shows" else st.info
        alert(
            plain(words)
            + " The interval: both runs scored again on the test rows drawn with replacement; it covers which "
            "rows were tested, not the luck of one training run.",
            icon=":material/warning:" if kind == "shows" else ":material/info:",
        )
        if stored["prevalence"] is not None:
            st.subheader("A second trap: testing at the wrong class ratio")
            st.markdown(
                "Resampling the test rows also changes their class ratio. The honest model's own test scores, "
                "re-weighted as if the rare class made up half of the rows: nothing about the model changed, "
                "yet precision and PR-AUC rise. Recall and ROC-AUC do not depend on the ratio."
            )
            st.dataframe(
                pd.DataFrame(stored["prevalence"]).set_index("Test rows"),
                width="stretch",
                column_config={"Rare share": st.column_config.NumberColumn(format="%.1%%")}
                | {
                    name: st.column_config.NumberColumn(format="%.3f")
                    for name in ("Precision", "Recall", "PR-AUC", "ROC-AUC")
                },
            )
else:
    st.caption("Switch the toggle on to train both versions (about half a minute on the bigger samples).")

st.header("5. Pictures that teach")

st.markdown(
    "**What SMOTE creates.** A two-feature toy, so nothing is hidden by a projection: every synthetic row lies "
    "on a segment between a real rare row and one of its nearest rare neighbours."
)
st.plotly_chart(charts.smote_toy_figure(smote_toy()), width="stretch", key="chart_smote_toy")
gamma_column, alpha_column = st.columns(2)
gamma = gamma_column.slider("Focal loss γ", 0.0, 5.0, 2.0, step=0.5, key="lesson_gamma")
alpha = alpha_column.slider("Focal loss α (weight of the rare class)", 0.05, 0.95, 0.75, step=0.05, key="lesson_alpha")
grid = [step / 100 for step in range(1, 100)]
st.plotly_chart(
    charts.loss_figure(
        {
            "cross-entropy": focal_loss_curve(grid, 0.0).tolist(),
            f"focal, γ={gamma:g}": focal_loss_curve(grid, gamma).tolist(),
            f"focal, γ={gamma:g}, α={alpha:g}": focal_loss_curve(grid, gamma, alpha).tolist(),
        },
        grid,
        "Focal loss against cross-entropy for a rare row: confident, correct rows stop counting",
    ),
    width="stretch",
    key="chart_focal_loss",
)
weights = balanced_weights(counts)
st.plotly_chart(
    charts.loss_figure(
        {
            f"{label} (weight {weight:.2f})": weighted_cross_entropy(grid, weight).tolist()
            for label, weight in weights.items()
        },
        grid,
        "Class weights on the loaded data: the same mistake costs the rare class more",
    ),
    width="stretch",
    key="chart_class_weight_loss",
)

st.header("6. Check yourself")
st.caption("The seed's interview questions; each answer comes with evidence from the loaded data.")
for number, question in enumerate(quiz(counts, profile.target), start=1):
    with st.expander(f"{question.level} · Q{number}: {question.question}"):
        st.markdown(plain(question.answer))
        st.info(plain(question.evidence), icon=":material/data_exploration:")
