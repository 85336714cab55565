"""The Resample page for text augmentation: original and augmented messages side by side, changes marked.

imbal_core.stages.text_augment records every edit (which words were replaced, inserted, swapped or deleted);
this module only renders those marks. Every word from the data goes through `plain`, so a message
cannot inject markdown, links or HTML.
"""

from __future__ import annotations

import streamlit as st

from imbal_core.stages.text_augment import TextEdit
from ui.widgets import plain

# How each mark is drawn: a colour, and bold or struck-through text so the marks do not rely on colour.
AFTER_STYLE = {
    "synonym": ("green", "**{}**"),
    "inserted": ("blue", "**{}**"),
    "swapped": ("orange", "**{}**"),
}
BEFORE_STYLE = {
    "replaced": ("green", "{}"),
    "deleted": ("red", "~~{}~~"),
}
OPERATION_NAMES = {"synonym": "synonym", "insertion": "inserted", "swap": "swapped", "deletion": "deleted"}


def marked(words: tuple[str, ...], marks: tuple[str, ...], styles: dict[str, tuple[str, str]]) -> str:
    """The words as markdown, each changed one on a coloured background (user text escaped first)."""
    parts = []
    for word, mark in zip(words, marks, strict=True):
        text = plain(word)
        if mark in styles:
            colour, shape = styles[mark]
            text = f":{colour}-background[{shape.format(text)}]"
        parts.append(text)
    return " ".join(parts) if parts else "*(empty)*"


def edit_table(edits: list[TextEdit]) -> str:
    """A markdown table: the original message, the new one, and the edits made, one row per new message."""
    lines = ["| Original (training row) | Augmented (new row) | Edits |", "|---|---|---|"]
    for edit in edits:
        before = marked(edit.before, edit.before_marks, BEFORE_STYLE)
        after = marked(edit.after, edit.after_marks, AFTER_STYLE)
        operations = ", ".join(OPERATION_NAMES[operation] for operation in edit.operations) or "none"
        lines.append(f"| {before} | {after} | {operations} |")
    return "\n".join(lines)


def show_text_edits(edits: tuple[TextEdit, ...], added: int, shown: int = 10) -> None:
    """The first `shown` new messages of each text column beside the training messages they were made from."""
    st.subheader("Original and augmented messages")
    if not edits:
        st.info("Nothing to augment: the classes already meet the ratio.", icon=":material/info:")
        return
    st.caption(
        f"{added:,} new messages in all, each made from a training message of a smaller class; here the first "
        f"{min(shown, added)}. On the right, :green-background[**synonyms**], :blue-background[**inserted "
        "words**] (from the training rows' own words) and :orange-background[**swapped words**]; on the left, "
        "the words replaced (:green-background[green]) and :red-background[~~deleted~~]."
    )
    columns = list(dict.fromkeys(edit.column for edit in edits))
    for column in columns:
        if len(columns) > 1:
            st.markdown(f"**{plain(column)}**")
        st.markdown(edit_table([edit for edit in edits if edit.column == column][:shown]))
