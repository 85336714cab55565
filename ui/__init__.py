"""The dashboard's side of Imbalance Lab, below pages/ and app.py; the engine (imbal_core) does the work.

State: keys.py declares every session-state key; store.py owns the loaded dataset, its target and the session's
runs; page_state.py holds each page's own state (only these two touch the session state). Links: link.py is the URL
codec (no Streamlit); links.py opens a session's link and keeps the address bar in step; form_links.py says what
each form puts in a link. Data: datasets.py reads samples and uploads; cache.py keeps what sessions share.
Drawing: compare.py, results.py, decision.py, history.py, images.py, texts.py, sidebar.py, widgets.py, training.py.
"""
