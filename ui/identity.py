"""Which browser this is: a random token kept in a cookie, so runs in the history belong to the browser that made
them (README, "Run history and sharing", has the threat model).

Streamlit can read cookies (st.context.cookies, sent when the page opens) but not set them, so a new browser gets
a fresh token at once (kept in this session's state) and a tiny script writes it into a cookie; the next visit,
reload or server restart sends it back. The token never appears in the URL, so copying the address bar to
share settings never hands over the runs.
"""

from __future__ import annotations

import re

import streamlit as st

from imbal_core.store.history import new_token
from ui.page_state import BROWSER

COOKIE = "imbalance_lab_browser"
COOKIE_DAYS = 400  # the longest lifetime browsers keep a cookie for
VALID_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")


def browser_token() -> str:
    """This browser's token: from its cookie, else a new one (written to the cookie by `remember`)."""
    token = BROWSER.browser_token
    if token:
        return token
    sent = _cookie()
    if isinstance(sent, str) and VALID_TOKEN.fullmatch(sent):
        BROWSER.cookie_written = True  # the browser already has it
        token = sent
    else:
        token = new_token()
    BROWSER.browser_token = token
    return token


def _cookie() -> str | None:
    try:
        return st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no request context (bare mode, AppTest): no cookie
        return None


def remember() -> None:
    """Write a new token into the browser's cookie (a script of one line; the token is URL-safe base64)."""
    token = browser_token()
    if BROWSER.cookie_written:
        return
    if not VALID_TOKEN.fullmatch(token):  # only [A-Za-z0-9_-] may reach the script below
        raise ValueError("The browser token must be URL-safe base64 (22 to 64 characters of A-Z, a-z, 0-9, _ and -).")
    st.html(
        "<script>document.cookie = "
        f"'{COOKIE}={token}; Path=/; Max-Age={COOKIE_DAYS * 86400}; SameSite=Lax'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width="content",
    )
