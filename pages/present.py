"""Present: a guided walk for a class, one step per screen, larger type, each step its own link (?step=N).

It works on whatever data is loaded: the steps read the current dataset, the session's latest run and the
Learn page's stored leakage demonstration; nothing here trains unless the person asks on another page.
"""

from __future__ import annotations

import streamlit as st

from imbal_core.present import charts
from imbal_core.present.lessons import smote_toy
from imbal_core.present.result_names import name_results
from imbal_core.present.result_tables import metric_table, threshold_table
from imbal_core.present.verdict_words import imbalance_verdict
from ui import links
from ui.page_state import LESSONS
from ui.results import styled_table
from ui.store import store
from ui.widgets import plain

links.open_session()

STEPS = (
    "Why accuracy misleads",
    "What SMOTE and undersampling do",
    "Train and compare",
    "Move the threshold",
    "The leakage trap",
)
STEP_PARAMETER = "step"
LARGE_TYPE = """
<style>
section.main .block-container p, section.main .block-container li,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p { font-size: 1.35rem; line-height: 1.5; }
[data-testid="stMain"] h1 { font-size: 2.6rem; } [data-testid="stMain"] h2 { font-size: 2.0rem; }
</style>
"""


def requested_step() -> tuple[int, str | None]:
    """The step in the link (1-based) and, when the link names no such step, a note saying so (step 1 opens)."""
    raw = st.query_params.get(STEP_PARAMETER, "1")
    try:
        step = int(raw)
    except (TypeError, ValueError):
        step = None
    if step is not None and 1 <= step <= len(STEPS):
        return step, None
    return 1, f"There is no step {raw} in this walk: the steps are 1 to {len(STEPS)}. Showing step 1."


def go(step: int) -> None:
    st.query_params[STEP_PARAMETER] = str(step)


st.markdown(LARGE_TYPE, unsafe_allow_html=True)
step, step_note = requested_step()
st.title("Present")
if step_note:
    st.warning(plain(step_note), icon=":material/link_off:")
st.caption(
    f"Step {step} of {len(STEPS)} · on {plain(store.dataset().name)}. Each step has its own link: copy the "
    "address bar to prepare a class as a list of links."
)
st.progress(step / len(STEPS))
back, middle, forward = st.columns([1, 4, 1])
back.button("Back", key="present_back", disabled=step == 1, on_click=go, args=(step - 1,), icon=":material/arrow_back:")
forward.button(
    "Next",
    key="present_next",
    disabled=step == len(STEPS),
    on_click=go,
    args=(step + 1,),
    icon=":material/arrow_forward:",
)
middle.markdown(" · ".join(f"**{name}**" if index + 1 == step else name for index, name in enumerate(STEPS)))
st.header(f"{step}. {STEPS[step - 1]}")

profile = store.dataset_profile()
counts = profile.class_counts
records = store.runs_for_current_data()
latest = records[-1].comparison if records else None

if step == 1:
    st.markdown(plain(imbalance_verdict(profile.to_dict())))
    st.plotly_chart(charts.majority_figure(counts), width="stretch", key="present_majority")
    st.markdown("Accuracy rewards ignoring the rare class. Read recall, precision and PR-AUC instead.")
elif step == 2:
    st.markdown(
        "**SMOTE** invents rare rows on the segments between real rare rows and their nearest rare neighbours. "
        "**Undersampling** throws majority rows away until the classes match."
    )
    st.plotly_chart(charts.smote_toy_figure(smote_toy()), width="stretch", key="present_smote_toy")
    biggest, smallest = max(counts.values()), min(counts.values())
    st.markdown(
        f"On {plain(store.dataset().name)}: balancing by SMOTE would add about {biggest - smallest:,} synthetic rows; "
        f"balancing by undersampling would drop about {biggest - smallest:,} of the {biggest:,} majority rows."
    )
    st.page_link("pages/resample.py", label="See it on the loaded data (Resample)", icon=":material/scatter_plot:")
elif step == 3:
    if latest is None:
        st.info("No run on this data yet: train a few techniques, then come back.", icon=":material/info:")
        st.page_link("pages/compare.py", label="Train & compare", icon=":material/model_training:")
    else:
        named = name_results([latest])
        st.dataframe(styled_table(metric_table(named)), width="stretch")
        st.plotly_chart(
            charts.metric_bars([entry for entry in named if entry.usable]), width="stretch", key="present_bars"
        )
elif step == 4:
    if latest is None:
        st.info("No run on this data yet: train a few techniques, then come back.", icon=":material/info:")
        st.page_link("pages/compare.py", label="Train & compare", icon=":material/model_training:")
    elif not latest.binary:
        st.info(
            f"Moving a threshold needs a two-class target; {plain(profile.target)} has {len(latest.labels)} classes, "
            "and each row is predicted as its most probable class. Pick a two-class target on the Data page.",
            icon=":material/info:",
        )
        st.page_link("pages/data.py", label="Data", icon=":material/table_chart:")
    else:
        threshold = st.slider(
            "Threshold on the minority probability",
            0.0,
            1.0,
            0.5,
            step=0.01,
            format="%.3f",  # as on Train & compare and in the report (metric_names.threshold_text)
            key="present_threshold",
        )
        usable = [entry for entry in name_results([latest]) if entry.usable]
        st.dataframe(
            threshold_table(usable, threshold),
            width="stretch",
            column_config={"Threshold": st.column_config.NumberColumn(format="%.3f")},
        )
        st.markdown("Lower the threshold: more rare rows caught, more false alarms. Nothing retrains.")
else:
    leakage = LESSONS.leakage or {}
    stored = next((value for key, value in leakage.items() if key[0] == store.dataset_key()), None)
    st.markdown(
        "Resample **after** the split. If the sampler sees the test rows, copies of them end up in training: the "
        "scores no longer measure rows the model has never seen, and often look better than they are."
    )
    if stored is None:
        st.info("Run the leakage demonstration on the Learn page first (one toggle).", icon=":material/info:")
        st.page_link("pages/learn.py", label="Learn: the leakage trap", icon=":material/school:")
    else:
        rows = [
            {"Metric": charts.METRIC_LABELS[name], "Honest": honest, "Leaky": leaky, "Gain": leaky - honest}
            for name, (honest, leaky) in stored["leak"].items()
        ]
        st.dataframe(rows, width="stretch")
        verdict = stored.get("verdict")
        if verdict is not None:  # what this run shows: a gain, or none beyond noise (imbal_core.present.lessons)
            kind, words = verdict
            (st.warning if kind == "shows" else st.info)(plain(words), icon=":material/science:")
