"""AppTest: the History page (list, reopen without retraining, rename, share, delete, import), shared-run links,
and a dashboard that keeps working when the history database cannot be used."""

from __future__ import annotations

import json

import pytest

from imbal_core.present import report
from imbal_core.store.history import History
from tests.support.app import MEDICAL_TITLE, no_failures, open_app, save_for, texts
from tests.support.comparisons import medical_comparison

pytestmark = pytest.mark.app


def test_without_runs_the_page_says_how_runs_arrive_and_that_uploads_are_not_stored(history_path):
    app = open_app("pages/history.py")
    no_failures(app)
    assert app.title[0].value == "History"
    assert "No saved runs in this browser yet" in texts(app.info)
    caption = texts(app.caption)
    assert "Uploaded data is not stored" in caption and str(history_path) not in caption  # only in the CLI hint


def test_only_this_browsers_runs_are_listed(history_path):
    app = open_app("pages/history.py")
    save_for(app, history_path, "Mine")
    History(history_path).save(medical_comparison(1), "another-browser-token-xxxxx", "Theirs", "x", "d")
    app.run()
    no_failures(app)
    [table] = [frame.value for frame in app.dataframe if "Name" in frame.value.columns]
    assert list(table["Name"]) == ["Mine"]
    assert "Theirs" not in texts(app.markdown)


def test_reopening_a_run_shows_it_on_train_and_compare_without_training(history_path):
    app = open_app("pages/history.py")
    run_id = save_for(app, history_path)
    app.run()
    app.button(key=f"history_open_{run_id}").click().run()
    no_failures(app)
    assert app.title[0].value == "Train & compare"
    assert app.session_state["dataset"].sample_id == "medical"  # the run's sample was loaded
    [record] = app.session_state["runs"]
    assert record.history_id == run_id and not record.read_only
    assert app.session_state["training_count"] == 0  # nothing was trained
    assert "Opened 'Before class' from your history" in texts(app.success)
    assert "No results yet" not in texts(app.info)
    assert any("PR-AUC" in str(column) for frame in app.dataframe for column in frame.value.columns)


def test_rename_share_and_delete(history_path):
    app = open_app("pages/history.py")
    run_id = save_for(app, history_path)
    app.run()
    app.text_input(key=f"history_name_{run_id}").set_value("Fraud demo, week 3")
    app.button(key=f"history_rename_{run_id}").click().run()
    token = app.session_state["browser_token"]
    assert History(history_path).list_runs(token)[0].name == "Fraud demo, week 3"

    app.button(key=f"history_share_{run_id}").click().run()
    share_id = History(history_path).list_runs(token)[0].share_id
    assert share_id and share_id != run_id
    assert any(f"/compare?run={share_id}" in block.value for block in app.code)
    assert run_id not in " ".join(block.value for block in app.code)  # the link never carries the run id

    app.button(key=f"history_unshare_{run_id}").click().run()
    assert History(history_path).list_runs(token)[0].share_id is None

    app.button(key=f"history_delete_{run_id}").click().run()
    no_failures(app)
    assert History(history_path).list_runs(token) == []
    assert "No saved runs in this browser yet" in texts(app.info)


def test_a_share_link_opens_the_run_read_only_in_another_browser(history_path):
    owner = open_app("pages/history.py")
    run_id = save_for(owner, history_path)
    share_id = History(history_path).share(run_id, owner.session_state["browser_token"])

    viewer = open_app(query={"run": share_id})
    viewer.switch_page("pages/compare.py").run()
    no_failures(viewer)
    [record] = viewer.session_state["runs"]
    assert record.read_only and record.history_id == f"shared:{share_id}"
    assert "Shared with you, read-only: Before class" in texts(viewer.info)
    assert viewer.query_params["run"] == [share_id] or viewer.query_params["run"] == share_id
    viewer.switch_page("pages/history.py").run()
    assert "No saved runs in this browser yet" in texts(viewer.info)  # someone else's run is not in your list
    assert not any(key.startswith("history_open_") for key in [button.key or "" for button in viewer.button])


@pytest.mark.parametrize("share_id", ["A" * 22, "unshared-or-deleted-run-id"])
def test_a_share_link_that_does_not_open_says_not_found(history_path, share_id):
    app = open_app(query={"run": share_id})
    assert not app.exception
    assert "Run not found: it does not exist, or it is not shared with you." in texts(app.warning)
    assert app.session_state["runs"] == []
    assert "run" not in app.query_params


def test_importing_a_results_json_adds_the_run_and_opens_it(history_path):
    app = open_app("pages/history.py")
    document = json.dumps(
        {"dataset_name": "x", "runs": [{"run": 1, **report.comparison_to_json(medical_comparison())}]}
    )
    app.file_uploader(key="history_import").upload("results.json", document.encode(), "application/json")
    app.run()
    no_failures(app)
    assert "Imported 1 run from results.json" in texts(app.success)
    [summary] = History(history_path).list_runs(app.session_state["browser_token"])
    assert summary.sample_id == "medical" and summary.dataset_name == MEDICAL_TITLE  # recognised by its class counts
    assert app.session_state["runs"][0].history_id == summary.run_id


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "not JSON"),
        (b'{"hello": "world"}', "not an Imbalance Lab results file"),
    ],
)
def test_importing_a_file_that_is_not_ours_says_so(history_path, content, message):
    app = open_app("pages/history.py")
    app.file_uploader(key="history_import").upload("other.json", content, "application/json")
    app.run()
    assert not app.exception
    assert message in texts(app.error)


def test_a_damaged_history_file_is_explained_and_every_page_still_works(history_path):
    history_path.write_bytes(b"definitely not sqlite" * 100)
    app = open_app("pages/history.py")
    assert not app.exception
    assert "is damaged" in texts(app.error)
    for page in ("pages/data.py", "pages/compare.py", "pages/resample.py"):
        app.switch_page(page).run()
        assert not app.exception, page
        assert not app.error, page


@pytest.mark.slow
def test_a_finished_training_run_is_saved_automatically(history_path):
    app = open_app("pages/compare.py", query={"sample": "medical"})
    app.multiselect(key="techniques").set_value(["baseline"])
    app.number_input(key="max_epochs").set_value(2)
    app.selectbox(key="seed_average").set_value(1)  # one network: the automatic 3 proves nothing here
    app.button(key="train_button").click().run(timeout=240)
    no_failures(app)
    [summary] = History(history_path).list_runs(app.session_state["browser_token"])
    assert summary.sample_id == "medical" and summary.techniques == ["baseline"]
    assert app.session_state["runs"][-1].history_id == summary.run_id


@pytest.mark.slow
def test_training_still_works_when_history_is_unavailable_and_says_why_once(history_path):
    history_path.write_bytes(b"definitely not sqlite" * 100)
    app = open_app("pages/compare.py", query={"sample": "medical"})
    app.multiselect(key="techniques").set_value(["baseline"])
    app.number_input(key="max_epochs").set_value(2)
    app.selectbox(key="seed_average").set_value(1)  # one network: the automatic 3 proves nothing here
    app.button(key="train_button").click().run(timeout=240)
    assert not app.exception
    assert app.session_state["training_count"] == 1
    assert "Trained 1 technique(s)" in texts(app.success)
    assert "is damaged" in texts(app.warning)
    app.run()
    assert "is damaged" not in texts(app.warning)  # said once


def test_the_page_shows_how_to_save_from_the_command_line_into_this_browser(history_path):
    app = open_app("pages/history.py")
    token = app.session_state["browser_token"]
    assert any(f"IMBAL_LAB_OWNER={token} " in block.value and "--save" in block.value for block in app.code)


def test_a_link_with_costs_and_a_shared_run_opens_the_decision_view_with_those_costs(history_path):
    owner = open_app("pages/history.py")
    run_id = save_for(owner, history_path)
    share_id = History(history_path).share(run_id, owner.session_state["browser_token"])
    app = open_app("pages/compare.py", query={"sample": "medical", "costs": "miss:250", "run": share_id})
    no_failures(app)
    assert app.number_input(key="cost_miss").value == 250
    assert app.number_input(key="cost_false_alarm").value == 1  # the medical sample's default stays
    query = {key: value[-1] if isinstance(value, list) else value for key, value in app.query_params.items()}
    assert query == {"sample": "medical", "costs": "miss:250", "run": share_id}
