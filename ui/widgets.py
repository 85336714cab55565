"""Widgets built from the technique registry's schema, and safe display of user text."""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from imbal_core.techniques.catalogue import REGISTRY, TechniqueSpec, make_spec
from imbal_core.techniques.schema import Param, Technique
from ui.keys import parameter_key

# Characters that make links, images, HTML, emphasis, code, tables, maths or headings in Streamlit's
# markdown. Others (parentheses, dots, dashes) stay as they are, so messages read naturally in tests.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")
# Bidirectional controls reorder the text after them: U+202E makes a column named gnp.exe show as exe.png.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Streamlit's markdown replaces " -- " by an em dash, " -> " and " <- " by arrows, " >= ", " <= " and " ~= " by
# symbols (each standing alone between spaces), in the text after escapes are read, so a backslash cannot stop
# it. A word joiner (U+2060: no width, no glyph) after the first character leaves them as typed; "--target"
# and "a->b" are never replaced, so they keep no invisible character (a copied CLI flag still works).
_TYPOGRAPHIC = re.compile(r"(?:(?<=\s)|^)([-<~>])(->|-|>|=)(?=\s|$)")
WORD_JOINER = "\u2060"
INT_SLIDER_MAX_SPAN = 40
FLOAT_SLIDER_MAX_SPAN = 5.0


def visible(text: object) -> str:
    """User text with its bidirectional controls written out ("[U+202E]gnp.exe"), so it shows in the order it
    is stored: for widget options, table headers and cells, which are not markdown."""
    return _BIDI_CONTROLS.sub(lambda match: f"[U+{ord(match.group()):04X}]", str(text))


def plain(text: object) -> str:
    """User text (file names, column names, labels) shown literally by st.markdown: no links, HTML, maths,
    emphasis or typographic replacements, and bidirectional controls written out."""
    text = _TYPOGRAPHIC.sub(lambda match: match.group(1) + WORD_JOINER + match.group(2), visible(text))
    # "](" is where a link's target starts; escaping that parenthesis too leaves no link-shaped text at all.
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ").replace("](", "]\\(")


def visible_frame(frame):
    """A copy of a pandas frame for st.dataframe with column names, index and text cells passed through
    `visible` (only when one of them holds a bidirectional control: the common case costs one scan)."""
    names = [str(name) for name in [*frame.columns, *frame.index]]
    text_columns = [name for name, dtype in frame.dtypes.items() if dtype.kind == "O"]
    cells = frame[text_columns].to_numpy(dtype=object).ravel() if text_columns else ()
    cells_have_controls = bool(_BIDI_CONTROLS.search("\n".join(cell for cell in cells if isinstance(cell, str))))
    if not cells_have_controls and not any(_BIDI_CONTROLS.search(name) for name in names):
        return frame
    shown = frame.rename(columns=visible, index=lambda name: visible(name) if isinstance(name, str) else name)
    for name in text_columns:
        shown[visible(name)] = frame[name].map(visible, na_action="ignore")
    return shown


def code(text: object) -> str:
    """User text shown as inline code: markdown is inert inside backticks, so only backticks need care."""
    return "`" + str(text).replace("`", "'").replace("\n", " ") + "`"


def technique_name(technique_id: str) -> str:
    return REGISTRY[technique_id].name


def parameter_widgets(technique: Technique, prefix: str) -> dict[str, Any]:
    """One widget per schema entry (range, default and help from the registry); returns the chosen values.

    Keys are `<prefix>__<technique id>__<parameter>` and persist for the session, across pages.
    """
    values: dict[str, Any] = {}
    if not technique.params:
        st.caption("This technique has no parameters.")
    for param in technique.params:
        values[param.name] = _widget(param, technique.id, parameter_key(prefix, technique.id, param.name))
    return values


def _widget(param: Param, technique_id: str, key: str) -> Any:
    label = param.name.replace("_", " ").capitalize()
    help_text = f"{param.help}  \nCLI: `--param {technique_id}.{param.name}=...`"
    common = {"key": key, "help": help_text, "persist_state": "session"}
    if param.kind == "bool":
        return st.toggle(label, value=bool(param.default), **common)
    if param.kind == "choice":
        choices = list(param.choices)
        return st.selectbox(label, choices, index=choices.index(param.default), **common)
    low, high = param.low, param.high
    if param.kind == "int":
        if high - low <= INT_SLIDER_MAX_SPAN:
            return st.slider(label, int(low), int(high), int(param.default), step=1, **common)
        return st.number_input(label, int(low), int(high), int(param.default), step=1, **common)
    span = high - low
    if span <= FLOAT_SLIDER_MAX_SPAN:
        step = 0.01 if span <= 2 else 0.05
        return st.slider(label, float(low), float(high), float(param.default), step=step, format="%.2f", **common)
    return st.number_input(label, float(low), float(high), float(param.default), step=1.0, format="%.1f", **common)


def technique_expander(technique_id: str, prefix: str, expanded: bool = False) -> TechniqueSpec:
    """An expander with the technique's summary, pros, cons and parameter widgets; returns its spec."""
    technique = REGISTRY[technique_id]
    with st.expander(f"{technique.name} · {technique.family}", expanded=expanded):
        st.caption(technique.summary)
        st.markdown(f"**Pros:** {technique.pros}  \n**Cons:** {technique.cons}")
        values = parameter_widgets(technique, prefix)
    return make_spec(technique_id, values)
