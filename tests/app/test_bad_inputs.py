"""The bad-input catalogue through the dashboard: every case uploaded into one session, in order.

One session (AppTest) first trains once for real, then receives every upload of tests/support/catalogue.py
through the "upload" file_uploader. After each upload: no exception element, the expected message
is on the page (an st.error for a refusal, a note or warning for an accepted file), a refused file
leaves the earlier dataset and target in place, and the earlier results are never lost.

Also here: two sessions at once never see each other's data or results; user text never reaches an
HTML-rendering element; the upload limit is configured and shown.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.app import open_app
from tests.support.catalogue import BY_ID, CASES, UPLOAD_LIMIT_MB, Case, base_frame, csv

pytestmark = pytest.mark.app

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 120  # the first training run imports TensorFlow
UPLOAD = "upload"

# The over-limit file never reaches the app: Streamlit refuses it before the script runs (see
# test_upload_limit_is_configured_and_shown); AppTest does not enforce the limit, so it is not uploaded here.
UPLOADED_CASES = [case for case in CASES if case.id != "over_upload_limit"]


def new_session() -> AppTest:
    at = open_app(timeout=TIMEOUT)
    assert not at.exception, [item.value for item in at.exception]
    return at


def unescape(text: str) -> str:
    """Markdown escapes (\\. \\( ...) removed, so a note can be matched as the engine wrote it."""
    return re.sub(r"\\(.)", r"\1", text)


def visible_text(at: AppTest) -> list[str]:
    """Every message a person can read on the page: alerts, toasts, markdown and captions (expanders included)."""
    texts = []
    for kind in ("error", "warning", "info", "success", "toast", "markdown", "caption"):
        texts += [unescape(str(element.value)) for element in getattr(at, kind)]
    return texts


def upload(at: AppTest, case: Case) -> None:
    uploader = at.file_uploader(key=UPLOAD)
    name = case.file_name
    allowed = [extension.lower() for extension in uploader.allowed_type]
    if allowed and not name.lower().endswith(tuple(allowed)):
        name += ".csv"  # the browser only offers allowed extensions; people rename files to get past that
    uploader.set_value((name, case.payload(), "text/csv")).run()


def train_once(at: AppTest) -> None:
    """One real, tiny training run through the Train & compare form."""
    at.switch_page("pages/compare.py").run()
    tiny = {"techniques": ["baseline"], "hidden_units": 8, "layers": 1, "max_epochs": 2, "patience": 1}
    tiny["seed_average"] = 1  # one network: the automatic 3 on a small upload proves nothing here
    for key, value in tiny.items():
        at.get_by_key(key).set_value(value)
    at.button(key="train_button").click().run()
    assert not at.exception, [item.value for item in at.exception]
    assert not at.error, [item.value for item in at.error]
    assert len(at.session_state["runs"]) == 1
    at.switch_page("pages/data.py").run()


@pytest.fixture(scope="module")
def session() -> AppTest:
    at = new_session()
    train_once(at)
    return at


def snapshot(at: AppTest) -> dict:
    return {
        "digest": at.session_state["dataset"].digest,
        "target": at.session_state["active_target"],
        "runs": [record.run_id for record in at.session_state["runs"]],
        "comparisons": [id(record.comparison) for record in at.session_state["runs"]],
    }


def loader_accepts(case: Case) -> bool:
    """Whether load_table + profile accept the file (a refusal may come later, at the sampler)."""
    from imbal_core.data.class_profile import profile
    from imbal_core.data.tables import load_table
    from imbal_core.errors import ImbalanceLabError

    try:
        if case.file_name.lower().endswith(".zip"):
            from imbal_core.data.images import read_and_profile_images

            read_and_profile_images(case.payload(), case.file_name)
            return True
        table = load_table(case.payload(), case.file_name)
        profile(table.frame, case.target, table.notes)
    except ImbalanceLabError:
        return False
    return True


def sampler_page_text(at: AppTest, technique: str) -> tuple[list[str], list[str]]:
    """(errors, all visible text) of the Resample page with `technique` chosen; back to the Data page after."""
    at.switch_page("pages/resample.py").run()
    at.selectbox(key="resample_technique").set_value(technique).run()
    assert not at.exception, [item.value for item in at.exception]
    errors, texts = [unescape(element.value) for element in at.error], visible_text(at)
    at.switch_page("pages/data.py").run()
    return errors, texts


# Judgement call: when the suggested target cannot be used but another column can, the dashboard keeps the
# upload, switches to that column and shows the engine's reason in a warning that names the fallback, so a
# person sees why and can pick another target; the CLI, which is told the target, refuses instead.
TARGET_FALLBACK_CASES = {
    "target_one_class",
    "target_all_missing",
    "continuous_target",
    "target_200_values",
    "one_minority_row",
}


@pytest.mark.parametrize("case", UPLOADED_CASES, ids=[case.id for case in UPLOADED_CASES])
def test_upload(case: Case, session: AppTest):
    before = snapshot(session)
    upload(session, case)
    assert not session.exception, [item.value for item in session.exception]
    after = snapshot(session)
    assert after["runs"] == before["runs"] and after["comparisons"] == before["comparisons"], "results were lost"
    errors, texts = [unescape(element.value) for element in session.error], visible_text(session)
    assert not any("Traceback" in text for text in texts)
    if case.id in TARGET_FALLBACK_CASES:
        warnings = [unescape(element.value) for element in session.warning]
        assert after["digest"] != before["digest"], "the upload was not loaded"
        assert after["target"] != case.target
        assert any(case.message in warning and after["target"] in warning for warning in warnings), warnings
        return
    if case.outcome == "error" and not loader_accepts(case):  # refused on upload
        assert any(case.message in error for error in errors), (errors, texts)
        assert after["digest"] == before["digest"] and after["target"] == before["target"], "earlier data lost"
        return
    assert not errors, errors
    assert after["digest"] != before["digest"], "the upload was not loaded"
    assert after["target"] == case.target
    if case.technique:  # the sampler's notes (or its refusal) are shown on the Resample page
        errors, texts = sampler_page_text(session, case.technique)
        assert not any("Traceback" in text for text in texts)
        if case.outcome == "error":
            assert any(case.message in error for error in errors), (errors, texts)
            return
        assert not errors, errors
    assert any(case.message in text for text in texts), texts


TEXT_CASES = [case for case in CASES if case.id.startswith("text_")]


def column_type_table(at: AppTest):
    """The Data page's "Columns and how they are used" table (indexed by column name)."""
    tables = [element.value for element in at.dataframe if "How it is used" in element.value.columns]
    assert len(tables) == 1, [list(element.value.columns) for element in at.dataframe]
    return tables[0]


@pytest.mark.parametrize("case", TEXT_CASES, ids=[case.id for case in TEXT_CASES])
def test_a_text_upload_is_listed_as_text_with_its_use(case: Case, session: AppTest):
    upload(session, case)
    assert not session.exception and not session.error, [item.value for item in [*session.exception, *session.error]]
    table = column_type_table(session)
    column = "note" if case.id == "text_mostly_empty" else "message"
    assert table.loc[column, "Type"] == "text", table
    assert "bag of words" in table.loc[column, "How it is used"]
    assert table.loc["channel", "Type"] == "categorical"  # the other columns keep their types


def test_upload_limit_is_configured_and_shown():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == UPLOAD_LIMIT_MB
    assert len(BY_ID["over_upload_limit"].payload()) > UPLOAD_LIMIT_MB * 1024 * 1024
    at = new_session()
    assert f"up to {UPLOAD_LIMIT_MB} MB" in at.file_uploader(key=UPLOAD).label


# --- isolation ----------------------------------------------------------------------------------------------


def _named_upload(at: AppTest, name: str, raw: bytes) -> None:
    at.file_uploader(key=UPLOAD).set_value((name, raw, "text/csv")).run()
    assert not at.exception and not at.error, [item.value for item in [*at.exception, *at.error]]


def test_two_concurrent_sessions_never_see_each_others_data():
    """Both sessions stay open and take turns (AppTest itself cannot run two scripts in parallel threads)."""
    first, second = new_session(), new_session()
    _named_upload(first, "first.csv", csv(base_frame(seed=1)))
    second.run()
    assert second.session_state["dataset"].source == "sample"  # the other session's upload did not leak in
    _named_upload(second, "second.csv", csv(base_frame(seed=2).rename(columns={"channel": "second_only"})))
    first.run()
    assert first.session_state["dataset"].name == "first.csv"
    assert "second_only" not in first.session_state["dataset"].frame.columns
    assert second.session_state["dataset"].name == "second.csv"
    for text in visible_text(first):
        assert "second.csv" not in text and "second_only" not in text
    for text in visible_text(second):
        assert "first.csv" not in text
    third = new_session()  # a session opened afterwards sees neither upload
    assert third.session_state["dataset"].source == "sample"
    assert third.session_state["runs"] == []


def test_results_of_one_session_are_not_in_another(session: AppTest):
    other = new_session()
    assert len(session.session_state["runs"]) == 1
    assert other.session_state["runs"] == []
    assert not any("training run" in text for text in visible_text(other))


# --- user text is never HTML --------------------------------------------------------------------------------

HTML_SINK_TYPES = {"html", "iframe", "custom_component"}


def test_the_html_sink_detector_finds_unsafe_markdown_and_st_html():
    at = AppTest.from_string(
        'import streamlit as st\nst.markdown("<b>a</b>", unsafe_allow_html=True)\nst.html("<i>b</i>")\nst.markdown("c")'
    ).run()
    sinks = html_sinks(at)
    assert len(sinks) == 2 and "<b>a</b>" in sinks[0] and "<i>b</i>" in sinks[1]


def html_sinks(at: AppTest) -> list[str]:
    """The serialised content of every element that renders HTML: st.html, components, unsafe markdown."""
    sinks = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if getattr(node, "type", "") in HTML_SINK_TYPES or getattr(proto, "allow_html", False):
            sinks.append(" ".join(proto_strings(proto)))
    return sinks


# Fragments of the hostile names in tests/support/catalogue.py (free of quotes, which protobuf's text form escapes).
HOSTILE_FRAGMENTS = ("<script>alert(", "<img src=x onerror=", "<b>file</b>")


@pytest.mark.parametrize("page_path", ["pages/data.py", "pages/resample.py", "pages/compare.py"])
def test_user_text_is_never_rendered_as_html(page_path):
    at = new_session()
    _named_upload(at, "<b>file</b>.csv", BY_ID["html_and_formulas"].payload())
    at.switch_page(page_path).run()
    assert not at.exception, [item.value for item in at.exception]
    everything = unescape(
        json_unescape(" ".join(text for node in at._tree for text in proto_strings(getattr(node, "proto", None))))
    )
    assert any(fragment in everything for fragment in HOSTILE_FRAGMENTS)  # the text is on the page...
    for sink in html_sinks(at):  # ...but never where HTML is rendered (escaped text like \\<b\\> is inert)
        assert not any(fragment in json_unescape(sink) for fragment in HOSTILE_FRAGMENTS), sink[:500]


def json_unescape(text: str) -> str:
    """Chart specs are JSON with <, > and / written as \\u003c, \\u003e, \\u002f: decode those."""
    return re.sub(r"\\u00(3c|3e|2f|26)", lambda match: chr(int(match.group(1), 16)), text)


def proto_strings(message) -> list[str]:
    """Every string field of a protobuf message, recursively, as the browser receives it (not text-escaped)."""
    if message is None or not hasattr(message, "ListFields"):
        return []
    strings = []
    for _, value in message.ListFields():
        for item in value if isinstance(value, (list, tuple)) or hasattr(value, "extend") else [value]:
            if isinstance(item, str):
                strings.append(item)
            elif isinstance(item, bytes):
                strings.append(item.decode("utf-8", "replace"))
            else:
                strings += proto_strings(item)
    return strings


# --- stopping a run -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_stopped_run_keeps_earlier_results_and_the_session_trains_again(monkeypatch):
    """Stop (or leaving the page) makes Streamlit raise its stop signal at the next progress update;
    emulated here by raising it from inside the training at the first epoch report."""
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    from imbal_core.nets.engine import trainer
    from ui import training

    at = new_session()
    train_once(at)
    kept = [record.run_id for record in at.session_state["runs"]]
    real_run = training.run_comparison  # patched where the dashboard calls it

    def stopped_mid_run(*args, on_progress=None, **kwargs):
        def progress_then_stop(event):
            on_progress(event)
            if event.stage in ("epoch", "stack"):
                raise StopException()

        return real_run(*args, on_progress=progress_then_stop, **kwargs)

    monkeypatch.setattr(training, "run_comparison", stopped_mid_run)
    at.switch_page("pages/compare.py").run()
    at.button(key="train_button").click().run()
    monkeypatch.setattr(training, "run_comparison", real_run)
    assert [record.run_id for record in at.session_state["runs"]] == kept  # nothing half-done was stored
    assert not trainer().busy() and trainer().waiting() == 0  # the next run (in any session) is not blocked
    at.run()
    assert not at.exception, [item.value for item in at.exception]
    assert any("stopped" in toast.value for toast in at.toast)
    at.button(key="train_button").click().run()  # the session trains again, with the same tiny settings
    assert not at.exception and not at.error, [item.value for item in [*at.exception, *at.error]]
    assert len(at.session_state["runs"]) == len(kept)  # the same settings replace the identical earlier result
    assert at.session_state["runs"][-1].run_id > kept[-1]


MARKDOWN_LINK = "[click me](https://evil.example)"


def markdown_bodies(at: AppTest) -> list[str]:
    """Bodies that Streamlit renders as markdown (alerts, toasts, markdown, captions), inline code removed."""
    bodies = []
    for kind in ("error", "warning", "info", "success", "toast", "markdown", "caption"):
        bodies += [re.sub(r"`[^`]*`", "", str(element.value)) for element in getattr(at, kind)]
    return bodies


def test_user_text_is_never_rendered_as_markdown_links():
    at = new_session()
    frame = base_frame().assign(**{MARKDOWN_LINK: "constant"})
    _named_upload(at, "links.csv", csv(frame))
    assert at.session_state["dataset"].name == "links.csv"
    for body in markdown_bodies(at):
        assert "](https://evil.example)" not in body, body


@pytest.mark.slow
def test_a_nan_loss_in_one_technique_is_reported_while_the_other_finishes(monkeypatch):
    """Fault injection as in tests/core/test_bad_inputs.py: focal loss trains with an absurd learning rate."""
    from dataclasses import replace

    from imbal_core.run.network_trainer import NetworkTrainer

    real_member = NetworkTrainer.member

    def exploding_for_focal(trainer, plan, also_predict=None):
        return replace(real_member(trainer, plan, also_predict), learning_rate=1e30) if plan.loss.focal else None

    def member_or_real(trainer, plan, also_predict=None):
        return exploding_for_focal(trainer, plan, also_predict) or real_member(trainer, plan, also_predict)

    monkeypatch.setattr(NetworkTrainer, "member", member_or_real)
    at = new_session()
    at.switch_page("pages/compare.py").run()
    tiny = {"techniques": ["baseline", "focal_loss"], "hidden_units": 8, "layers": 1, "max_epochs": 2, "patience": 1}
    tiny["seed_average"] = 1  # one network per technique, as before the automatic seed average
    for key, value in tiny.items():
        at.get_by_key(key).set_value(value)
    at.button(key="train_button").click().run()
    assert not at.exception and not at.error, [item.value for item in [*at.exception, *at.error]]
    (record,) = at.session_state["runs"]
    baseline, focal = record.comparison.results
    assert baseline.failed is None and baseline.metrics
    assert focal.failed is not None and "NaN" in focal.failed
    assert any("Failed: Focal loss" in text for text in visible_text(at)), visible_text(at)
    everything = " ".join(text for node in at._tree for text in proto_strings(getattr(node, "proto", None)))
    assert "the loss became NaN" in everything  # the note is on the page (results table)


# --- uploads past the limits, and what the server keeps (issue 19, item 16) --------------------------------


@pytest.mark.parametrize("case_id", ["too_many_columns", "huge_cell"])
def test_a_file_past_the_limits_is_refused_by_the_uploader_and_the_session_keeps_its_data(case_id: str):
    at = new_session()
    _named_upload(at, "before.csv", csv(base_frame(seed=5)))
    before = (at.session_state["dataset"].digest, at.session_state["active_target"])
    case = BY_ID[case_id]
    upload(at, case)
    assert not at.exception, [item.value for item in at.exception]
    errors = [unescape(element.value) for element in at.error]
    assert any(case.message in error and case.file_name in error for error in errors), errors
    assert (at.session_state["dataset"].digest, at.session_state["active_target"]) == before
    assert at.session_state["dataset"].name == "before.csv"


def test_the_server_keeps_few_parsed_uploads(monkeypatch):
    """Parsed uploads live in their session; the shared cache keeps at most UPLOAD_CACHE's entries (then
    the oldest is parsed again), forgets them after its ttl, and all cached data has a total cap."""
    from imbal_core.data.tables import TableLimits
    from ui import cache

    parsed = []
    real_load_table = cache.load_table
    monkeypatch.setattr(cache, "load_table", lambda *a, **k: parsed.append(a[0]) or real_load_table(*a, **k))
    cache.read_upload.clear()
    uploads = [csv(base_frame(seed=seed)) for seed in range(cache.UPLOAD_CACHE["max_entries"] + 2)]
    for raw in uploads:
        cache.read_upload(cache.digest_of(raw), "kept.csv", raw, TableLimits())
    cache.read_upload(cache.digest_of(uploads[-1]), "kept.csv", uploads[-1], TableLimits())  # still cached
    assert len(parsed) == len(uploads)
    cache.read_upload(cache.digest_of(uploads[0]), "kept.csv", uploads[0], TableLimits())  # evicted: parsed again
    assert len(parsed) == len(uploads) + 1
    assert cache.UPLOAD_CACHE["ttl"] and cache.UPLOAD_CACHE["max_size"]
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxCacheDataSize"] == "1gb"


def test_choosing_a_target_counts_no_columns_when_the_suggestion_works(monkeypatch):
    """The suggested target profiles, so no other column is counted as a target candidate (on a 2,000-column
    table that was 2,000 extra counts of distinct values; profiling's own column typing is separate)."""
    import pandas as pd

    from ui import datasets

    frame = pd.DataFrame({f"c{index}": [index % 3, 1, 2, 0] * 5 for index in range(2000)})
    frame["label"] = ["yes", "no", "no", "no"] * 5
    profiled = datasets.usable_target(frame, "digest-wide-profiled", ())  # profile cached: only candidates count
    counted = []
    real_nunique = pd.Series.nunique
    monkeypatch.setattr(
        pd.Series, "nunique", lambda self, *a, **k: counted.append(self.name) or real_nunique(self, *a, **k)
    )
    assert datasets.usable_target(frame, "digest-wide-profiled", ()) == profiled == ("label", None)
    assert counted == []


# --- user strings shown literally (issue 19, item 17) ----------------------------------------------------

# Streamlit's markdown (1.67, its frontend's text-node plugin) turns these into typographic symbols.
STREAMLIT_TYPOGRAPHY = [
    (r"(^|\s)<->(\s|$)", r"\1↔\2"),
    (r"(^|\s)->(\s|$)", r"\1→\2"),
    (r"(^|\s)<-(\s|$)", r"\1←\2"),
    (r"(^|\s)--(\s|$)", r"\1—\2"),
    (r"(^|\s)>=(\s|$)", r"\1≥\2"),
    (r"(^|\s)<=(\s|$)", r"\1≤\2"),
    (r"(^|\s)~=(\s|$)", r"\1≈\2"),
]
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def as_shown(markdown_source: str) -> str:
    """The text a person reads for a markdown source: escapes read, Streamlit's replacements applied, and the
    invisible word joiner (U+2060) dropped."""
    text = unescape(markdown_source)
    for pattern, replacement in STREAMLIT_TYPOGRAPHY:
        text = re.sub(pattern, replacement, text)
    return text.replace("\u2060", "")


def page_strings(at: AppTest) -> list[str]:
    return [text for node in at._tree for text in proto_strings(getattr(node, "proto", None))]


def test_column_and_target_names_are_shown_as_they_are():
    from tests.support.catalogue import BIDI_COLUMN

    target = "risk -- *stars*"
    frame = base_frame().rename(columns={"label": target})
    frame.insert(0, BIDI_COLUMN, "constant")  # not a feature: named in the warning that says why
    at = new_session()
    _named_upload(at, "literal.csv", csv(frame))
    assert at.session_state["active_target"] == target
    assert not [text for text in page_strings(at) if BIDI_CONTROLS.search(text)]  # markdown, options, tables
    assert "[U+202E]gnp.exe" in at.selectbox(key="target").options
    warnings = [as_shown(str(element.value)) for element in at.warning]
    assert any("[U+202E]gnp.exe (constant)" in warning for warning in warnings), warnings
    at.switch_page("pages/compare.py").run()
    bodies = markdown_bodies(at)
    assert any(f"target {target} (2 classes)" in as_shown(body) for body in bodies), bodies
    assert any("\\*stars\\*" in body for body in bodies)  # escaped: shown with its stars, not in italics
