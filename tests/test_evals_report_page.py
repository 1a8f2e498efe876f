"""report.html in real headless Chromium at phone and desktop width: nothing overflows the
page sideways (wide tables scroll inside their own box)."""

from __future__ import annotations

import pytest

from evals.output import write_outputs
from tests.test_evals_report import make_report, scored
from tests.test_page_chat import CHROMIUM, SCREENSHOTS, browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install chromium)"
)


@pytest.mark.parametrize(("name", "width"), [("phone", 390), ("desktop", 1280)])
def test_report_fits_the_screen(browser, tmp_path, name, width) -> None:  # noqa: F811
    results = scored()
    results[0].id = "a-very-long-question-identifier-" * 3  # long words must wrap, not overflow
    report = write_outputs(tmp_path / "out", results, make_report(results))["report.html"]
    phone = width < 600
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=phone,
                                  device_scale_factor=2 if phone else 1)
    tab = context.new_page()
    tab.goto(report.as_uri())
    assert tab.locator("h1").inner_text().startswith("Evaluation")
    page_width = tab.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"the page is {page_width} px wide on a {width} px screen"
    tables = tab.locator(".wide").count()
    assert tables >= 3 and tab.locator("table").count() == tables  # every table in a scroller
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"eval-report-{name}.png"), full_page=True)
    context.close()
