"""AppTest: text augmentation on the Resample page (sms) and where it is not offered (no free-text column)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.support.app import metric_text, no_failures, open_app

pytestmark = pytest.mark.app

TEXT_AUGMENT = "text_augment"


def text_augment_page():
    app = open_app("pages/resample.py", "sms")
    app.selectbox(key="resample_technique").set_value(TEXT_AUGMENT).run()
    no_failures(app)
    return app


def side_by_side_tables(app) -> list[str]:
    return [element.value for element in app.markdown if element.value.startswith("| Original (training row)")]


def test_sms_shows_original_and_augmented_messages_with_changed_words_marked():
    app = text_augment_page()
    added = int(metric_text(app, "Synthetic or copied rows added").replace(",", ""))
    assert added > 0
    assert "Original and augmented messages" in [element.value for element in app.subheader]
    (table,) = side_by_side_tables(app)
    rows = table.splitlines()[2:]
    assert len(rows) == 10
    # Every new message differs from its original, and each row marks what changed on the right.
    marks = (":green-background[**", ":blue-background[**", ":orange-background[**")
    for row in rows:
        before, after, operations = (cell.strip() for cell in row.strip("| ").split(" | "))
        assert operations != "none"
        assert any(mark in after for mark in marks) or "~~" in before, row
    assert any(f"{added} new minority messages" in note.value for note in app.info)


def test_a_stronger_change_share_marks_more_words():
    app = text_augment_page()
    light = side_by_side_tables(app)[0].count("-background[")
    app.slider(key="resample__text_augment__change_share").set_value(0.5).run()
    no_failures(app)
    assert side_by_side_tables(app)[0].count("-background[") > light


def test_the_download_holds_the_augmented_messages(downloads):
    app = text_augment_page()
    served = downloads["text_augment_resampled_training_rows.csv"]
    rows = pd.read_csv(io.BytesIO(served if isinstance(served, bytes) else served.encode()))
    new = rows[rows["synthetic"]]
    assert len(new) == int(metric_text(app, "Synthetic or copied rows added").replace(",", ""))
    assert (new["label"] == "spam").all() and new["message"].str.len().gt(0).all()
    assert set(new["sender_in_contacts"]) <= {"yes", "no"}  # other columns copied as read, not decoded


def test_a_table_without_text_does_not_offer_it_and_says_why():
    app = open_app("pages/resample.py", "medical")
    no_failures(app)
    assert TEXT_AUGMENT not in app.selectbox(key="resample_technique").options
    assert "Text augmentation" not in app.selectbox(key="resample_technique").options
    assert any("Text augmentation" in caption.value and "free-text" in caption.value for caption in app.caption)


def test_message_text_is_escaped_not_rendered():
    from imbal_core.stages.text_augment import TextEdit
    from ui.texts import edit_table

    edit = TextEdit(0, "message", ("<b>hi</b>", "[x](http://a)"), ("", ""), ("<b>hi</b>", "|"), ("", "inserted"), ())
    table = edit_table([edit])
    assert "<b>" not in table and "](http" not in table
    assert table.splitlines()[2].count(" | ") == 2  # the inserted "|" did not add a column


def test_train_and_compare_offers_it_only_on_a_table_with_free_text():
    from ui.keys import TECHNIQUES

    TECHNIQUES_KEY = TECHNIQUES.name

    plain = open_app("pages/compare.py", "medical")
    no_failures(plain)
    assert "Text augmentation" in messages_options("sms")
    assert "Text augmentation" not in plain.multiselect(key=TECHNIQUES_KEY).options  # options show names
    assert any("Text augmentation" in caption.value and "free-text" in caption.value for caption in plain.caption)


def messages_options(sample: str) -> list[str]:
    from ui.keys import TECHNIQUES

    TECHNIQUES_KEY = TECHNIQUES.name

    app = open_app("pages/compare.py", sample)
    no_failures(app)
    return app.multiselect(key=TECHNIQUES_KEY).options
