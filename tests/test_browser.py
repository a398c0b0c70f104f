"""JupyterLab in Debian's Chromium (Playwright): the cluster map renders and follows a killed broker.

Starts JupyterLab headless on 127.0.0.1 (free port, token) over a copy of tests/notebooks/widgets_demo.md,
runs the notebook (it starts a three-broker cluster), clicks a broker's kill button in the map and waits
until the DOM shows that broker down and its partitions led by others. Screenshots go to
artifacts/browser/<run>/ at the repo root.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kafkalab.waiting import wait_for

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("KAFKALAB_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
CLUSTER = "browser-demo"


def _need(ok: bool, why: str) -> None:
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser test cannot run in CI: {why}")
    pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NotYet(Exception):
    """The page is still loading, the server not up yet (its cause)."""


def _wait(condition, timeout: float, what: str):
    """kafkalab's wait_for; a RuntimeError (a process died) is fatal, any other error means "not yet"."""
    def attempt():
        try:
            return condition()
        except RuntimeError:
            raise
        except Exception as err:
            raise _NotYet(f"{type(err).__name__}: {err}") from err

    try:
        return wait_for(attempt, timeout, what, every=0.25, retry_on=(_NotYet,))[0]
    except TimeoutError as err:
        raise AssertionError(str(err)) from err


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server over a copy of the demo notebook; yields (base url, token); stops it after."""
    try:
        import jupytext
    except ImportError:
        pytest.fail("jupytext is a dependency of kafkalab")
    root = tmp_path / "root"
    root.mkdir()
    nb = jupytext.read(ROOT / "tests" / "notebooks" / "widgets_demo.md")
    jupytext.write(nb, root / "widgets_demo.ipynb")
    port, token = _free_port(), os.urandom(16).hex()
    env = {**os.environ, "KAFKALAB_LANG": "en", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false", "checkForUpdates": false}')  # no pop-up over the widgets
    log = open(tmp_path / "jupyter.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
         "--ServerApp.port_retries=0", "--expose-app-in-browser", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        def answers():
            if server.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {(tmp_path / 'jupyter.log').read_text()[-2000:]}")
            return urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).status == 200

        _wait(answers, 60, "JupyterLab to answer")
        yield base, token
    finally:
        try:  # shut the kernel down first: it holds the notebook's widgets and clients
            import json

            kernels = json.load(urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=5))
            for k in kernels:
                req = urllib.request.Request(f"{base}/api/kernels/{k['id']}?token={token}", method="DELETE")
                urllib.request.urlopen(req, timeout=10)
        except Exception:
            pass
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        log.close()
        import kafkalab

        if CLUSTER in [c.name for c in kafkalab.clusters()]:
            kafkalab.attach(CLUSTER).down()


def _dismiss_dialogs(page) -> None:
    """Accept "Select Kernel"; dismiss "Server Connection Error" (a busy machine misses a ping)."""
    buttons = page.locator(".jp-Dialog .jp-Dialog-footer button")
    if buttons.count():
        buttons.last.click(timeout=2_000)


def _map_state(page) -> dict:
    return page.evaluate("""() => {
        const nodes = {};
        for (const el of document.querySelectorAll('.kl-cluster-map .kl-node')) {
            if (el.offsetParent !== null) nodes[el.dataset.node] = el.dataset.alive === 'true';
        }
        const leaders = {};
        for (const row of document.querySelectorAll('.kl-cluster-map tr.kl-partition')) {
            leaders[row.dataset.partition] = row.dataset.leader;
        }
        return {nodes, leaders};
    }""")


def test_cluster_map_in_jupyterlab(lab, capsys):
    _need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (scripts/setup --tests installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "Python playwright is not installed (pip install 'kafkalab[browser]')")
    base, token = lab
    shots = ROOT / "artifacts" / "browser" / time.strftime("%Y%m%d-%H%M%S")
    shots.mkdir(parents=True, exist_ok=True)
    with capsys.disabled():
        print(f"\nbrowser screenshots: {shots}")
    profile = shots / "profile"
    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 1100})
        try:
            page = browser.pages[0] if browser.pages else browser.new_page()
            page.goto(f"{base}/lab/tree/widgets_demo.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            def kernel_ready():
                _dismiss_dialogs(page)
                return page.evaluate("() => !!window.jupyterapp && "
                                     "!!window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel")

            _wait(kernel_ready, 60, "the kernel")
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            state = _wait(lambda: (s := _map_state(page)) and len([n for n in s["nodes"] if n.startswith("broker")]) == 3
                          and all(s["nodes"].values()) and len(s["leaders"]) == 3
                          and all(v != "" for v in s["leaders"].values()) and s, 180, "the cluster map")
            # the panels work too: the consumer got the four messages the producer cell sent, the group has a member
            _wait(lambda: _dismiss_dialogs(page) or page.locator(".kl-received-row").count() == 4
                  and page.locator('.kl-group[data-members="1"]').count() == 1, 90, "the consumer panel and group")
            page.locator(".kl-group-view").first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "panels.png"))
            state = _map_state(page)
            page.locator(".kl-cluster-map").first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "before.png"))
            page.locator(".kl-cluster-map").first.screenshot(path=str(shots / "map-before.png"))

            victim = state["leaders"]["0"]
            led = [p for p, leader in state["leaders"].items() if leader == victim]
            _dismiss_dialogs(page)
            page.locator(f".kl-kill-broker-{victim}").first.click()
            after = _wait(lambda: (s := _map_state(page)) and s["nodes"].get(f"broker-{victim}") is False
                          and all(s["leaders"].get(p) not in ("", victim) for p in led) and s, 60,
                          f"broker-{victim} down and its partitions {led} led by others")
            page.locator(".kl-cluster-map").first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "after.png"))
            page.locator(".kl-cluster-map").first.screenshot(path=str(shots / "map-after.png"))
            assert [n for n, alive in after["nodes"].items() if not alive] == [f"broker-{victim}"]
            assert all(after["leaders"][p] in {"0", "1", "2"} - {victim} for p in led)
        except BaseException:
            page.screenshot(path=str(shots / "failure.png"))
            raise
        finally:
            browser.close()
            shutil.rmtree(profile, ignore_errors=True)
    for name in ("panels.png", "before.png", "after.png", "map-before.png", "map-after.png"):
        assert (shots / name).stat().st_size > 5_000, name
