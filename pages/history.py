"""History: this browser's finished runs, saved automatically; reopen without retraining, rename, share, delete;
import a results JSON written by the CLI or the dashboard."""

from __future__ import annotations

import shlex
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from imbal_core.store.history import HistoryUnavailable, open_history
from ui import feedback, history, identity, keys, links
from ui.page_state import HISTORY
from ui.store import store
from ui.widgets import plain

HEADLINE = ("pr_auc", "PR-AUC")


def share_link(share_id: str) -> str:
    """The address that opens a shared run on Train & compare, on this server as the browser reached it."""
    try:
        parts = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001 - no request context: a relative link still works when pasted after the host
        parts = None
    if not parts or not parts.netloc:
        return f"/compare?run={share_id}"
    base = parts.path.rstrip("/")
    base = base[: -len("/history")] if base.endswith("/history") else base
    return f"{parts.scheme}://{parts.netloc}{base}/compare?run={share_id}"


def size_text(size_bytes: int) -> str:
    return f"{size_bytes / 1e6:.1f} MB" if size_bytes >= 100_000 else f"{max(1, round(size_bytes / 1e3))} kB"


def headline(metrics: dict) -> str:
    name, label = HEADLINE
    scored = {technique: values.get(name) for technique, values in metrics.items() if values.get(name) is not None}
    if not scored:
        return ""
    best = max(scored, key=scored.get)
    return f"{label} {scored[best]:.3f} ({best})"


def protocol_text(protocol: dict) -> str:
    if protocol.get("mode") == "cv":
        repeats = protocol.get("repeats") or 1
        return f"{protocol.get('folds')}-fold" + (f" ×{repeats}" if repeats > 1 else "")
    return f"quick split ({protocol.get('test_size', 0.25):g} test)"


def _import_uploaded() -> None:
    uploaded = HISTORY.upload
    if uploaded is None:
        return
    outcome, message = feedback.capture(
        f"importing {uploaded.name}", history.import_results, uploaded.getvalue(), uploaded.name
    )
    if message:
        HISTORY.import_message = ("error", message)
        return
    count, notes = outcome
    text = f"Imported {count} run{'s' if count != 1 else ''} from {uploaded.name}; open them on Train & compare."
    HISTORY.import_message = ("success", " ".join([text, *notes]))


links.open_session()  # normally done by app.py; a deep link on a fresh server can start here

st.title("History")
st.caption(
    "Every comparison you train is saved here when it finishes, with everything needed to redraw its tables, "
    "curves and threshold views, so reopening it retrains nothing. Runs belong to this browser (a random token "
    "in a cookie): others on this server cannot see them unless you share one. Uploaded data is not stored: a "
    "run keeps the file name, the target and class names, the metrics and each test row's row number, class "
    "and predicted probability."
)

try:
    history_store = open_history()
except HistoryUnavailable as error:
    history_store = None
    st.error(
        plain(
            history.for_this_session(f"Run history is unavailable, so runs stay in this browser session only. {error}")
        ),
        icon=":material/history_toggle_off:",
    )

owner = identity.browser_token()
runs, unreadable = [], []
if history_store is not None:
    with feedback.reported("reading the run history"):
        runs, unreadable = history_store.list_runs_checked(owner)
for damaged in unreadable:  # one damaged row is named and can be deleted; the other runs still list
    with st.container(key=f"history_unreadable_{damaged.run_id}"):
        st.warning(plain(damaged.message), icon=":material/warning:")
        if st.button("Delete this damaged run", key=f"history_delete_unreadable_{damaged.run_id}"):
            with feedback.reported("deleting the damaged run"):
                history_store.delete(damaged.run_id, owner)
                st.rerun()

if history_store is not None and not runs and not unreadable:
    st.info(
        "No saved runs in this browser yet: train on Train & compare, or import a results JSON below.",
        icon=":material/info:",
    )

if runs:
    st.subheader("Your runs")
    table = pd.DataFrame(
        [
            {
                "Name": summary.name,
                "Data": summary.dataset_name,
                "Target": summary.target,
                "Protocol": protocol_text(summary.protocol),
                "Techniques": ", ".join(summary.techniques),
                "Best": headline(summary.metrics),
                "Saved (UTC)": summary.created.strftime("%Y-%m-%d %H:%M"),
                "Shared": "yes" if summary.share_id else "",
            }
            for summary in runs
        ]
    )
    st.dataframe(table, width="stretch", hide_index=True, key="history_table")

for summary in runs:
    run_id = summary.run_id
    with st.container(border=True, key=f"history_run_{run_id}"):
        st.markdown(f"**{plain(summary.name)}**")
        st.caption(
            f"{plain(summary.dataset_name)} · target {plain(summary.target)} · {protocol_text(summary.protocol)} · "
            f"{plain(', '.join(summary.techniques))} · saved {summary.created:%Y-%m-%d %H:%M} UTC · "
            f"{size_text(summary.size_bytes)}"
        )
        open_column, rename_column, share_column, delete_column = st.columns(4)
        if open_column.button(
            "Open",
            key=f"history_open_{run_id}",
            icon=":material/open_in_new:",
            help="Show it on Train & compare, redrawn from the history: nothing is retrained.",
        ):
            with feedback.reported("opening the run"):
                notes = history.open_stored(history_store.load(run_id, owner))
                HISTORY.opened = " ".join([f"Opened {summary.name!r} from your history.", *notes])
                st.switch_page("pages/compare.py")
        with rename_column.popover("Rename", icon=":material/edit:"):
            new_name = st.text_input("New name", value=summary.name, key=f"history_name_{run_id}", max_chars=120)
            if st.button("Save name", key=f"history_rename_{run_id}"):
                with feedback.reported("renaming the run"):
                    history_store.rename(run_id, owner, new_name)
                    store.retitle_run(run_id, new_name)
                    st.rerun()
        if summary.share_id:
            if share_column.button("Stop sharing", key=f"history_unshare_{run_id}", icon=":material/link_off:"):
                with feedback.reported("stopping the share"):
                    history_store.unshare(run_id, owner)
                    st.rerun()
        elif share_column.button("Share", key=f"history_share_{run_id}", icon=":material/share:"):
            with feedback.reported("sharing the run"):
                history_store.share(run_id, owner)
                st.rerun()
        with delete_column.popover("Delete", icon=":material/delete:"):
            st.caption("Deletes the run from the history for good (a shared link stops working).")
            if st.button("Delete for good", key=f"history_delete_{run_id}", type="primary"):
                with feedback.reported("deleting the run"):
                    history_store.delete(run_id, owner)
                    store.forget_run(run_id)
                    st.rerun()
        if summary.share_id:
            st.markdown("Anyone with this link can open the run, read-only (it shows nothing else of yours):")
            st.code(share_link(summary.share_id), language=None)
            st.caption(
                "Whoever opens the link can also download the run's results (tables, per-row probabilities, the "
                "report) and import them into their own history: they keep that copy after you stop sharing."
            )

shared = [record for record in store.runs() if record.read_only]
if shared:
    st.subheader("Shared with you")
    st.caption("Opened from share links in this session, read-only: they are not added to your history.")
    for record in shared:
        st.markdown(f"- {plain(record.title or record.dataset_name)} (on Train & compare)")

with st.expander("Save runs from the command line into this browser's history"):
    st.caption(
        "Prepare runs before a class: the CLI's `--save` stores a run in this history; with this browser's token "
        "in IMBAL_LAB_OWNER it appears in the list above. Keep the token private (not on a projector): anyone "
        "who has it can see, rename and delete your runs."
    )
    # The server's file path shows here only, where the command needs it, and never to a share-link visitor.
    where = history.location()
    shown_path = where is not None and not history.opened_a_share_link()
    st.code(
        (f"IMBAL_LAB_HISTORY={shlex.quote(where)} " if shown_path else "")
        + f"IMBAL_LAB_OWNER={owner} .venv/bin/python -m imbal_core compare sample_data/fraud.csv "
        "--target is_fraud --folds 5 --save 'Fraud, 5 folds'",
        language="bash",
    )
    if not shown_path:
        st.caption("Run it on the server, with IMBAL_LAB_HISTORY set as for the dashboard (whoever runs it knows).")

st.subheader("Import a results JSON")
st.caption(
    "A file written by `python -m imbal_core compare ... --json` or by the JSON download on Train & compare. "
    "Its runs are added to your history and opened; results files written before per-fold data was kept "
    "cannot be redrawn and are refused with a message."
)
st.file_uploader("Results JSON", type=["json"], key=keys.IMPORT_WIDGET.name, on_change=_import_uploaded)
message = HISTORY.take("import_message")
if message:
    kind, text = message
    (st.error if kind == "error" else st.success)(plain(text))
