"""Playwright helpers for the browser tests: locators by Streamlit key, a person's small actions, waits, screenshots."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

LOAD_SECONDS = 60


STEP_SECONDS = 30


TRAIN_SECONDS = 180


SCREENSHOT_SIZE = {"width": 1280, "height": 1200}


def ms(seconds: float) -> float:
    return seconds * 1000


def keyed(page: Page, key: str) -> Locator:
    """The widget or chart with Streamlit key `key`; elements left over from the previous run are skipped."""
    return page.locator(f'.st-key-{key}:not([data-stale="true"])')


def main_area(page: Page) -> Locator:
    return page.get_by_test_id("stMain")


def sidebar(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar")


def page_heading(page: Page, title: str) -> Locator:
    return main_area(page).get_by_role("heading", name=title, exact=True)


def open_app(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page_heading(page, "Data")).to_be_visible(timeout=ms(LOAD_SECONDS))
    expect(keyed(page, "chart_class_histogram").locator(".js-plotly-plot")).to_be_visible(timeout=ms(LOAD_SECONDS))


def go_to(page: Page, title: str) -> None:
    """Navigate with the sidebar's page links, as a person would."""
    page.locator(".st-key-app_navigation").get_by_role("link", name=title).click()
    expect(page_heading(page, title)).to_be_visible(timeout=ms(STEP_SECONDS))


def choose(page: Page, key: str, option: str) -> None:
    """Pick `option` in the selectbox with key `key`."""
    keyed(page, key).get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()


def upload(page: Page, path: Path) -> None:
    main_area(page).get_by_role("tab", name="Upload your own").click()
    keyed(page, "upload").locator("input[type=file]").set_input_files(path)


def move_slider(slider: Locator, value: float) -> None:
    """Step the slider with the arrow keys, as a keyboard user would, until it shows `value`.

    Each step may start a rerun that redraws the slider, so the value is read again before every press."""
    for _ in range(200):
        current = float(slider.input_value())
        if abs(current - value) < 1e-9:
            break
        slider.press("ArrowRight" if current < value else "ArrowLeft")
    expect(slider).to_have_value(f"{value:g}")


def histogram(page: Page) -> Locator:
    return keyed(page, "chart_class_histogram")


def expect_histogram(page: Page, target: str, counts: dict[str, int]) -> None:
    """The class histogram is drawn for `target` with one bar per class, labelled with its count and share."""
    chart = histogram(page)
    expect(chart).to_contain_text(f"Rows per class of {target}", timeout=ms(STEP_SECONDS))
    total = sum(counts.values())
    for label, count in counts.items():
        expect(chart).to_contain_text(label)
        expect(chart).to_contain_text(f"{count:,} ({count / total:.1%})")
    expect(chart.locator(".barlayer .point")).to_have_count(len(counts))


def expect_plotly(container: Locator, title: str, legend: list[str] | None = None) -> None:
    """A Plotly chart drew its SVG inside `container`, titled `title`, with these legend entries (one per trace)."""
    expect(container.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=ms(STEP_SECONDS))
    expect(container).to_contain_text(title)
    expect(container).not_to_contain_text("WebGL is not supported")
    if legend is not None:
        entries = container.locator(".legend .traces")
        expect(entries).to_have_count(len(legend))
        for name in legend:
            expect(entries.filter(has_text=name)).to_have_count(1)


def grid_rows(table: Locator) -> list[list[str]]:
    """The cells of an st.dataframe, read from the grid's accessible table (the canvas has no text)."""
    expect(table.locator("table[role=grid] tbody tr").first).to_be_attached(timeout=ms(STEP_SECONDS))
    return table.locator("table[role=grid]").evaluate(
        "t => Array.from(t.querySelectorAll('tr')).map(r => Array.from(r.children).map(c => c.textContent))"
    )


def as_records(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header, *body = rows
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in body}


def data_frames(page: Page) -> Locator:
    return main_area(page).locator('[data-testid="stDataFrame"]:not([data-stale="true"])')


def error_alerts(page: Page) -> Locator:
    return main_area(page).locator('[data-testid="stAlertContentError"]')


def settle(page: Page) -> None:
    """Wait until the script run has finished and nothing on the page is a leftover of the previous run."""
    # Streamlit marks its root with the script's run state (its own end-to-end tests wait on it the same way).
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=ms(STEP_SECONDS)
    )
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=ms(STEP_SECONDS))
    page.wait_for_timeout(300)  # Plotly animates its first draw


def screenshot(page: Page, folder: Path, name: str, top: Locator | None = None) -> None:
    """Save the README's picture of the current page: a taller window, scrolled so `top` is at the top."""
    window = page.viewport_size
    page.set_viewport_size(SCREENSHOT_SIZE)
    try:
        page.evaluate("() => document.activeElement?.blur()")  # no focus ring on the last widget used
        if top is not None:
            top.evaluate("element => element.scrollIntoView({block: 'start'})")
        settle(page)
        path = folder / f"{name}.png"
        page.screenshot(path=path)
    finally:
        page.set_viewport_size(window)
    assert path.stat().st_size > 30_000, f"{path} looks blank"
