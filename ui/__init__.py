"""Streamlit-side helpers shared by the pages: session state, cached wrappers, widgets, errors, training."""
