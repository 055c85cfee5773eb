"""Driving Debian's chromium headless through chromedriver (Selenium), offline.

A ``Browser`` is one chromium with its own profile (its own cookies), so a planner and an
agent can be signed in side by side. Screenshots go to ``WFM_ARTIFACTS`` (default
``tmp/artifacts`` under the repository) for review.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=zh-CN")
ARTIFACTS = Path(os.environ.get("WFM_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "tmp" / "artifacts"))


def missing_reason() -> str | None:
    """Why the browser tests cannot run here (None: they can)."""
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return "chromium is not installed (Debian package chromium; .ci/run installs it)"
    if not (os.path.exists(CHROMEDRIVER) and os.access(CHROMEDRIVER, os.X_OK)):
        return "chromedriver is not installed (Debian package chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn on a loopback port in a thread; yield its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Browser:
    """One headless chromium session."""

    def __init__(self, base_url: str, *, language: str = "zh-CN") -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag if not flag.startswith("--lang=") else f"--lang={language}")
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER),
                                       options=options)
        self.driver.set_page_load_timeout(30)
        self.base_url = base_url

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def text(self, css: str = "body") -> str:
        return str(self.find(css).text)

    @property
    def path(self) -> str:
        return str(self.driver.current_url).removeprefix(self.base_url)

    def wait_for(self, css: str, timeout: float = 15, text: str | None = None) -> Any:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        wait = WebDriverWait(self.driver, timeout)
        if text is not None:
            wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
        return wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))

    def click(self, css: str, timeout: float = 30) -> None:
        """Click a control that loads a new page, and wait until the new page is there."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        old = self.find("html")
        self.find(css).click()

        def old_page_gone(_driver: Any) -> bool:
            # While the old document is torn down chromium answers either "stale element" or
            # "node does not belong to the document": both mean the old page is gone.
            try:
                old.is_enabled()
            except WebDriverException:
                return True
            return False

        WebDriverWait(self.driver, timeout).until(old_page_gone)
        self.wait_for("footer", timeout)

    def sign_in(self, token: str) -> None:
        self.open("/login")
        self.find("#token").send_keys(token)
        self.click("#sign-in")

    def screenshot(self, name: str) -> Path:
        """A full-page screenshot (the window grown to the page's height, capped)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        height = int(self.driver.execute_script(
            "return Math.min(document.documentElement.scrollHeight, 4000)"))
        self.driver.set_window_size(1400, max(height + 200, 600))
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(1400, 1000)
        return path

    def close(self) -> None:
        self.driver.quit()
