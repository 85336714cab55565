"""AppTest: what a file or a stored run from someone else can do to the dashboard (issue 19, items 14, 15, 18).

An imported results JSON or a run stored in the history is user data: it must never choose what the server
imports, never end a page with Streamlit's error box or a frozen "running" page, and never hide other runs."""

from __future__ import annotations

import json
import sqlite3
import sys

import pytest
from streamlit.testing.v1 import AppTest

from imbal_core.present import report
from imbal_core.store.history import History
from tests.support.app import open_app, save_for, texts
from tests.support.comparisons import medical_comparison

pytestmark = pytest.mark.app
MAIN_MODULE = "imbal_core.__main__"


@pytest.fixture
def main_module_forgotten():
    """The CLI's __main__ module out of sys.modules before and after, so a test sees whether it gets imported."""
    sys.modules.pop(MAIN_MODULE, None)
    yield
    sys.modules.pop(MAIN_MODULE, None)


def results_document(change=None) -> dict:
    """The dashboard's results JSON of one medical run; `change(result_json)` edits the first result."""
    document = report.comparison_to_json(medical_comparison())
    if change is not None:
        change(document["results"][0])
    return {"dataset_name": "x", "runs": [{"run": 1, **document}]}


def upload(app: AppTest, document, name: str = "results.json") -> AppTest:
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    content = content.replace(f'"{NESTING_PLACEHOLDER}"'.encode(), b"[" * 800 + b"1" + b"]" * 800)
    app.file_uploader(key="history_import").upload(name, content, "application/json")
    return app.run()


def no_page_failure(app: AppTest) -> None:
    """Nothing reached the person as Streamlit's error box, and the script finished."""
    assert not app.exception, [element.value for element in app.exception]


# --- item 14: a file never chooses what the server imports ------------------------------------------------------


def tag_main_module(result: dict) -> None:
    result["folds"]["fold_metrics"][0]["extra"] = {"__dataclass__": f"{MAIN_MODULE}.Anything"}


def test_an_imported_file_naming_the_cli_entry_point_imports_nothing_and_the_page_finishes(
    history_path, main_module_forgotten
):
    app = open_app("pages/history.py")
    upload(app, results_document(tag_main_module))
    no_page_failure(app)
    assert MAIN_MODULE not in sys.modules
    assert "Imported 1 run from results.json" in texts(app.success)
    app.switch_page("pages/compare.py").run()
    no_page_failure(app)
    assert not app.error, texts(app.error)


def test_a_stored_run_naming_the_cli_entry_point_opens_without_importing_it(history_path, main_module_forgotten):
    app = open_app("pages/history.py")
    comparison = medical_comparison()
    comparison.results[0].fold_metrics[0]["extra"] = {"__dataclass__": f"{MAIN_MODULE}.Anything"}
    run_id = History(history_path).save(comparison, app.session_state["browser_token"], "Tagged", "x", "")
    app.run()
    app.button(key=f"history_open_{run_id}").click().run()
    no_page_failure(app)
    assert MAIN_MODULE not in sys.modules
    assert app.title[0].value == "Train & compare"


def test_a_system_exit_inside_a_page_action_becomes_a_message_and_the_page_carries_on():
    def page():
        import streamlit as st

        from ui import feedback

        with feedback.reported("reading the file"):
            raise SystemExit(2)
        st.write("after")
        _, message = feedback.capture("importing the file", lambda: (_ for _ in ()).throw(SystemExit(3)))
        st.write(message)

    app = AppTest.from_function(page, default_timeout=30).run()
    no_page_failure(app)
    assert "Something went wrong while reading the file" in texts(app.error)
    assert "after" in texts(app.markdown)
    assert "Something went wrong while importing the file" in texts(app.markdown)


# --- item 15: an import is checked in full before it is stored ----------------------------------------------


def _first_fold(result: dict, field: str) -> dict:
    return result["folds"][field][0]["ndarray"]


def shorter_probabilities(result: dict) -> None:
    array = _first_fold(result, "test_probabilities")
    array["data"], array["shape"] = array["data"][:50], [50, 2]


def label_out_of_range(result: dict) -> None:
    _first_fold(result, "test_labels")["data"][0] = 7


def nan_probability(result: dict) -> None:
    _first_fold(result, "test_probabilities")["data"][3][1] = None  # the export writes NaN as null


def infinite_probability(result: dict) -> None:
    _first_fold(result, "test_probabilities")["data"][3][1] = float("inf")


def fewer_fold_metrics(result: dict) -> None:
    result["folds"]["fold_metrics"] = []


def empty_fold_metrics(result: dict) -> None:
    result["folds"]["fold_metrics"][0] = {}


def text_in_a_number_field(result: dict) -> None:
    result["folds"]["fit_seconds"] = "fast"


NESTING_PLACEHOLDER = "nesting-placeholder"


def deeply_nested_note(result: dict) -> None:
    """800 lists inside each other (json.loads reads them; a recursive reader does not): see `upload`."""
    result["folds"]["histories"][0]["loss"] = NESTING_PLACEHOLDER


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (shorter_probabilities, "100 test labels but 50 rows of probabilities"),
        (label_out_of_range, "test label 7"),
        (nan_probability, "finite numbers between 0 and 1"),
        (infinite_probability, "finite numbers between 0 and 1"),
        (fewer_fold_metrics, "fold metrics"),
        (empty_fold_metrics, "fold metrics lack a number for one of brier, pr_auc, roc_auc"),
        (text_in_a_number_field, "fit_seconds"),
        (deeply_nested_note, "nested more than"),
    ],
)
def test_a_damaged_import_is_refused_with_a_sentence_before_it_is_stored(history_path, change, message):
    app = open_app("pages/history.py")
    upload(app, results_document(change))
    no_page_failure(app)
    error = texts(app.error).replace("\\", "")  # shown through plain(): Markdown characters are escaped
    assert message in error and "Something went wrong" not in error
    assert History(history_path).list_runs(app.session_state["browser_token"]) == []
    assert app.session_state["runs"] == []
    app.switch_page("pages/compare.py").run()
    no_page_failure(app)


def test_json_nested_past_what_the_parser_allows_gets_a_sentence(history_path):
    app = open_app("pages/history.py")
    upload(app, b"[" * 200_000 + b"]" * 200_000)
    no_page_failure(app)
    error = texts(app.error)
    assert "nested more than" in error and "RecursionError" not in error


def test_a_stored_run_with_mismatched_arrays_is_refused_on_open_not_drawn(history_path):
    """Runs stored before imports were checked (or by an older version) are checked again when opened."""
    app = open_app("pages/history.py")
    comparison = medical_comparison()
    comparison.results[0].test_probabilities[0] = comparison.results[0].test_probabilities[0][:50]
    run_id = History(history_path).save(comparison, app.session_state["browser_token"], "Damaged", "x", "")
    app.run()
    app.button(key=f"history_open_{run_id}").click().run()
    no_page_failure(app)
    assert "100 test labels but 50 rows of probabilities" in texts(app.error)
    assert app.session_state["runs"] == []


def test_one_malformed_history_row_is_named_and_the_other_runs_still_list(history_path):
    app = open_app("pages/history.py")
    save_for(app, history_path, "Good run")
    save_for(app, history_path, "Broken run", seed=1)
    with sqlite3.connect(history_path) as connection:
        connection.execute("UPDATE runs SET techniques = '{\"not\": \"a list\"' WHERE name = 'Broken run'")
    app.run()
    no_page_failure(app)
    [table] = [frame.value for frame in app.dataframe if "Name" in frame.value.columns]
    assert list(table["Name"]) == ["Good run"]
    warning = texts(app.warning)
    assert "'Broken run'" in warning and "could not be read" in warning
    assert "TypeError" not in warning and "JSONDecodeError" not in warning


# --- item 18: what a share link gives, and where the server's file path shows -------------------------------


def page_text(app: AppTest) -> str:
    """Everything a person can read on the page: text elements, captions, code blocks, alerts, expanders."""
    parts = [
        texts(elements)
        for elements in (app.title, app.markdown, app.caption, app.code, app.info, app.warning, app.error, app.success)
    ]
    parts += [expander.label for expander in app.expander]
    return " ".join(parts)


def test_the_history_file_path_shows_only_in_the_command_line_hint(history_path):
    app = open_app("pages/history.py")
    assert str(history_path) not in " ".join(texts(elements) for elements in (app.caption, app.markdown, app.info))
    assert any(f"IMBAL_LAB_HISTORY={history_path}" in block.value and "--save" in block.value for block in app.code)


def test_a_shared_link_visitor_never_sees_the_servers_history_path(history_path):
    owner = open_app("pages/history.py")
    run_id = save_for(owner, history_path)
    share_id = History(history_path).share(run_id, owner.session_state["browser_token"])
    viewer = open_app(query={"run": share_id})
    for page in ("pages/compare.py", "pages/history.py", "pages/data.py"):
        viewer.switch_page(page).run()
        no_page_failure(viewer)
        assert str(history_path) not in page_text(viewer), page
        assert str(history_path.parent) not in page_text(viewer), page


def test_sharing_says_the_recipient_can_download_and_keep_a_copy(history_path):
    app = open_app("pages/history.py")
    run_id = save_for(app, history_path)
    app.run()
    app.button(key=f"history_share_{run_id}").click().run()
    words = texts(app.markdown) + texts(app.caption)
    assert "download" in words and "keep" in words and "after you stop sharing" in words


def test_a_share_link_visitor_is_not_told_the_path_even_when_history_is_damaged(history_path):
    history_path.write_bytes(b"definitely not sqlite" * 100)
    viewer = open_app(query={"run": "A" * 22})
    no_page_failure(viewer)
    assert "damaged" in texts(viewer.warning) or "unavailable" in texts(viewer.warning)
    for page in ("pages/history.py", "pages/compare.py"):
        viewer.switch_page(page).run()
        no_page_failure(viewer)
        assert str(history_path) not in page_text(viewer), page


def test_the_person_running_the_server_is_told_which_history_file_is_damaged(history_path):
    history_path.write_bytes(b"definitely not sqlite" * 100)
    app = open_app("pages/history.py")
    assert f"The run history file {history_path} is damaged" in texts(app.error).replace("\\", "")
