"""The link and the live session: open the link a session starts with, and keep the address bar in step.

The codec (ui/link.py) turns query parameters into a Session and back. Here the data, target and shared run of a
link are applied through the store; every other field belongs to a form, which says what it puts in the link
with a LinkPart that app.py registers (`register`), so neither this module nor the codec imports a form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from imbal_core.errors import ImbalanceLabError
from ui import history, navigation, page_state
from ui.datasets import Sample
from ui.link import DEFAULT_SAMPLE, OTHER_PARAMETERS, UPLOAD, Session
from ui.page_state import BROWSER
from ui.store import store


@dataclass(frozen=True)
class LinkPart:
    """What one form puts in the link.

    `read(sample)` gives the Session fields the form owns as the person has them now (`sample`: the link's sample
    id, or "upload"); `seed(session)` puts a link's values into the form's widgets before its page draws them."""

    name: str
    read: Callable[[str], dict[str, Any]]
    seed: Callable[[Session], None]


PARTS: dict[str, LinkPart] = {}


def register(part: LinkPart) -> None:
    """Let a form's fields travel in links (app.py registers every form once per process)."""
    PARTS[part.name] = part


def open_session() -> None:
    """First run of a session: load what its link asks for (by default the default sample) so every page works."""
    navigation.leave_folder_mode()  # a cold link that came through Streamlit's pages/ listing reruns via app.py
    store.start()
    page_state.start()
    if store.has_dataset():
        return
    link, notes = Session.from_query_params(st.query_params.to_dict())
    notes += apply(link)
    if link.run:
        notes += history.open_shared_link(link.run)
    if notes:
        BROWSER.link_notes = notes


def current() -> Session:
    """The session as the person has it now: loaded data, target, every registered form's fields, shared run."""
    loaded = store.dataset() if store.has_dataset() else None
    if loaded is None:
        sample = DEFAULT_SAMPLE
    else:
        sample = (loaded.sample_id or DEFAULT_SAMPLE) if loaded.source == "sample" else UPLOAD
    session = Session(sample=sample, target=store.target() if loaded is not None else None, run=BROWSER.shared_run)
    for part in PARTS.values():
        session = replace(session, **part.read(sample))
    return session


def apply(session: Session) -> list[str]:
    """Make `session` the live one on a session's first run: data, target and seeds for every widget it names.

    Returns notes for what could not be applied (e.g. a target that is not a column). Widgets are seeded only;
    they are created later by their pages, with these values.
    """
    notes: list[str] = []
    sample = session.sample if session.sample != UPLOAD else DEFAULT_SAMPLE
    if session.sample == UPLOAD:
        notes.append(
            "This link was made with an uploaded file, which is never stored: upload it on the Data page "
            "(its settings below are kept)."
        )
        if session.target:
            store.wait_for_upload_target(session.target)
    try:
        store.switch_to(Sample(sample))
    except ImbalanceLabError as error:
        notes.append(f"The sample {sample!r} could not be loaded ({error}); the {DEFAULT_SAMPLE} sample is used.")
        store.switch_to(Sample(DEFAULT_SAMPLE))
    if session.target and session.sample != UPLOAD and session.target != store.target():
        columns = [str(column) for column in store.dataset().frame.columns]
        if session.target not in columns:
            notes.append(
                f"The link's target {session.target[:60]!r} is not a column of this data; {store.target()!r} is used."
            )
        else:
            try:
                store.switch_to(target=session.target)
            except ImbalanceLabError as error:
                notes.append(f"The link's target {session.target[:60]!r} cannot be used ({error}).")
    for part in PARTS.values():
        part.seed(session)
    if session.run:
        BROWSER.shared_run = session.run
    return notes


def sync_url(session: Session | None = None) -> None:
    """Write `session` (default: the current one) to the address bar, keeping parameters other features own
    (link.allow_parameter) and dropping unknown ones (a note said so when the link was opened).

    Only writes when something changed, so the browser's history does not fill with identical entries."""
    wanted = (session or current()).to_query_params()
    present = {key: st.query_params.get(key) for key in st.query_params}
    kept = {key: value for key, value in present.items() if key in OTHER_PARAMETERS}  # unknown ones were noted
    target = {**kept, **wanted}
    if target != present:
        st.query_params.from_dict(target)
