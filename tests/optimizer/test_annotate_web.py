"""The annotation page: token and escaping over plain HTTP, then end to end in headless Chromium."""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from autolibra.jsonl import read_jsonl
from autolibra.schema import Feedback
from optimizer.annotate import start_web

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "annotate_web.png"


@pytest.fixture
def run_dir(fixtures_dir, tmp_path) -> Path:
    return Path(shutil.copytree(fixtures_dir / "annotate" / "run", tmp_path / "run"))


@pytest.fixture
def web(run_dir):
    with start_web(run_dir, "alice") as server:
        yield server


def fetch(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_every_request_needs_the_token(web):
    base = web.url.split("?")[0].rstrip("/")
    for path in ("/", "/static/app.js", "/api/state", "/plots/success_rate.png", "/api/metrics"):
        assert fetch(base + path)[0] == 403, path
        assert fetch(base + path + "?token=wrong" + web.token[5:])[0] == 403, path
        assert fetch(base + path + "?token=" + web.token)[0] == 200, path
    assert fetch(base + "/api/state", headers={"X-Ladder-Token": web.token})[0] == 200
    body = json.dumps({"trajectory_id": "baba-001", "text": "sneaky"}).encode()
    assert fetch(base + "/api/feedback", body, {"Content-Type": "application/json"})[0] == 403
    assert base.startswith("http://127.0.0.1:") and not base.endswith(":0")


def test_api_saves_feedback_and_rejects_bad_requests(web, run_dir):
    base, auth = web.url.split("?")[0].rstrip("/"), {"X-Ladder-Token": web.token}
    ok = json.dumps({"trajectory_id": "baba-001", "text": "walked straight to the flag", "annotator": "bob"})
    status, reply = fetch(base + "/api/feedback", ok.encode(), auth)
    assert status == 200 and json.loads(reply)["saved"]["annotator"] == "human:bob"
    saved = read_jsonl(run_dir / "iterations/000/feedback.jsonl", Feedback)
    assert [(f.trajectory_id, f.annotator) for f in saved][-1] == ("baba-001", "human:bob")
    assert fetch(base + "/api/feedback", b"{not json", auth)[0] == 400
    unknown = json.dumps({"trajectory_id": "nope", "text": "x"}).encode()
    assert b"unknown trajectory" in fetch(base + "/api/feedback", unknown, auth)[1]
    assert fetch(base + "/plots/..%2Frun.json?token=" + web.token)[0] == 404
    assert fetch(base + "/api/state?annotator=bad%20name&token=" + web.token)[0] == 400


def test_page_escapes_what_the_server_writes(run_dir, fixtures_dir):
    # the run's name is shown in the page; a hostile one must arrive as text
    hostile = run_dir.parent / "<i>x&"
    shutil.copytree(run_dir, hostile)
    with start_web(hostile, "alice") as server:
        page = fetch(server.url)[1].decode()
    assert "&lt;i&gt;x&amp; / iteration 000" in page and "<i>" not in page


def _driver(user_dir: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1800", f"--user-data-dir={user_dir}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


@pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
@pytest.mark.timeout(120)
def test_annotate_in_headless_chromium(web, run_dir, tmp_path):
    pytest.importorskip("selenium")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _driver(tempfile.mkdtemp(prefix="chromium-", dir=tmp_path))
    wait = WebDriverWait(driver, 15)
    text = lambda element_id: driver.find_element(By.ID, element_id).text  # noqa: E731
    try:
        driver.get(web.url)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
        assert text("traj-title") == "baba-001" and text("step-counter") == "step 1 / 2"
        cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#grid td.rule")]
        assert cells[:3] == ["BABA", "IS", "YOU"]
        driver.find_element(By.ID, "next").click()
        assert text("step-counter") == "step 2 / 2" and text("action").startswith("right")
        # model output containing markup is shown as text and never runs
        driver.find_element(By.CSS_SELECTOR, "button[data-id='baba-002']").click()
        wait.until(lambda d: text("traj-title") == "baba-002")
        driver.find_element(By.CSS_SELECTOR, "#timeline li[data-step='1']").click()
        assert "<script>window.__pwned = 1</script>" in text("reasoning")
        assert "<img src=x" in text("reasoning")
        assert driver.execute_script("return window.__pwned === undefined")
        assert not driver.find_elements(By.CSS_SELECTOR, "#reasoning *")
        assert "human:carol vs human:dave" in text("pair-agreement") and "(agree)" in text("pair-agreement")
        box = driver.find_element(By.ID, "feedback")
        box.send_keys("Stuck between up and down from step 1; never went for the key.")
        driver.find_element(By.ID, "submit").click()
        wait.until(lambda d: text("status").startswith("saved feedback on baba-002"))
        saved = [f for f in read_jsonl(run_dir / "iterations/000/feedback.jsonl", Feedback)
                 if f.annotator == "human:alice"]
        assert [(f.trajectory_id, f.text) for f in saved] == [
            ("baba-002", "Stuck between up and down from step 1; never went for the key.")]
        assert text("progress").startswith("1 of 3")
        driver.find_element(By.CSS_SELECTOR, "button[data-id='baba-002']").click()
        wait.until(lambda d: d.find_element(By.ID, "traits-box").is_displayed())
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(tmp_path / "annotate_web.png"))
        driver.find_element(By.CSS_SELECTOR, "#tabs button[data-tab='metrics']").click()
        metrics = driver.find_element(By.ID, "metrics")
        wait.until(lambda d: "Goal-directed movement" in metrics.get_attribute("textContent"))
        driver.find_element(By.CSS_SELECTOR, "#tabs button[data-tab='plots']").click()
        wait.until(lambda d: d.execute_script("const i = document.querySelector('#plots img');"
                                              " return i !== null && i.complete && i.naturalWidth === 4"))
    finally:
        driver.quit()
    ARTIFACT.parent.mkdir(exist_ok=True)
    shutil.copyfile(tmp_path / "annotate_web.png", ARTIFACT)
    assert (tmp_path / "annotate_web.png").stat().st_size > 10_000
