"""A teacher's path: the Present page walked step by step with Next, each step its own link, and the Learn
page's quiz answered with evidence from the loaded data."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import LOAD_SECONDS, STEP_SECONDS, keyed, main_area, ms, page_heading, screenshot, settle

pytestmark = pytest.mark.browser

STEPS = (
    "1. Why accuracy misleads",
    "2. What SMOTE and undersampling do",
    "3. Train and compare",
    "4. Move the threshold",
    "5. The leakage trap",
)


def test_presenter_path_walks_every_step_and_each_step_has_a_link(page: Page, app_url: str, screenshots_dir: Path):
    page.goto(f"{app_url}/present?sample=medical")
    expect(page_heading(page, "Present")).to_be_visible(timeout=ms(LOAD_SECONDS))
    main = main_area(page)
    for index, title in enumerate(STEPS, start=1):
        expect(main.get_by_role("heading", name=title)).to_be_visible(timeout=ms(STEP_SECONDS))
        settle(page)
        assert f"step={index}" in page.url or index == 1, page.url
        if index == 2:
            expect(keyed(page, "present_smote_toy").locator(".js-plotly-plot .main-svg").first).to_be_visible()
            screenshot(page, screenshots_dir, "present", top=main.get_by_role("heading", name=title))
        if index < len(STEPS):
            keyed(page, "present_next").get_by_role("button").click()
    expect(keyed(page, "present_next").get_by_role("button")).to_be_disabled()

    # A prepared link opens its step directly, on a fresh page.
    page.goto(f"{app_url}/present?sample=medical&step=4")
    expect(main.get_by_role("heading", name=STEPS[3])).to_be_visible(timeout=ms(LOAD_SECONDS))


def test_quiz_answers_with_evidence_from_the_loaded_data(page: Page, app_url: str):
    page.goto(f"{app_url}/learn?sample=medical")
    expect(page_heading(page, "Learn")).to_be_visible(timeout=ms(LOAD_SECONDS))
    main = main_area(page)
    question = main.get_by_text("Why is accuracy not enough on imbalanced data?")
    question.scroll_into_view_if_needed()
    question.click()
    # 357 benign and 40 malignant rows: always answering benign scores 89.9% and catches none.
    expect(main).to_contain_text("Always answering 'benign' here scores 89.9% accuracy and catches 0 of the 40")
