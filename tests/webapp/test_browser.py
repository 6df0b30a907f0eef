"""The web app in a real chromium (Playwright), served on 127.0.0.1 from a COPY of the atlas.

Each test checks the browser console stayed clean, apart from the message
cytoscape.js always logs because dash-cytoscape sets a wheel sensitivity.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from .conftest import Subject, copy_atlas, make_subject

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader"]
# cytoscape.js's note about dash-cytoscape's wheel sensitivity, and chromium's software-GL performance notes
# for plotly's WebGL raster (headless chromium has no GPU).
HARMLESS = ("You have set a custom wheel sensitivity", "GL Driver Message")
TIMEOUT = 20_000  # ms
expect.set_options(timeout=TIMEOUT)  # a shared 2-core machine can be slow to answer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_listening(server: subprocess.Popen[bytes], port: int, log: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"drive-atlas serve exited with {server.returncode}:\n{log.read_text(errors='replace')}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"drive-atlas serve did not listen on port {port} within {seconds:g} s")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Subject]]:
    """``drive-atlas serve`` in its own process, as a user starts it: the app never shares this process's NEST state."""
    if not Path(CHROMIUM).exists():
        pytest.skip("needs /usr/bin/chromium")
    base = tmp_path_factory.mktemp("webapp")
    subject = make_subject(copy_atlas(base / "atlas"))
    port = _free_port()
    env = {**os.environ, "DRIVE_ATLAS_WEBAPP_CACHE": str(base / "cache"), "PYNEST_QUIET": "1"}
    command = [sys.executable, "-m", "drive_atlas", "serve", "--root", str(subject.root), "--port", str(port), "--max-duration", "60",
               "--max-concurrent", "1"]  # one slot: a cancelled job that kept its slot would block the next run
    log = base / "serve.log"  # a file, not a pipe: nobody drains a pipe, and a full one would stall the server's request log
    with log.open("wb") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(server, port, log)
        yield f"http://127.0.0.1:{port}", subject
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser_context() -> Iterator[object]:
    with playwright_sync.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(tempfile.mkdtemp(), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                                       accept_downloads=True)
        context.set_default_timeout(TIMEOUT)
        yield context
        context.close()


@pytest.fixture
def page(browser_context: object) -> Iterator[object]:
    page = browser_context.new_page()  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning")
            and not any(h in m.text for h in HARMLESS) else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    yield page
    page.close()
    assert problems == [], "browser console problems"


def _tap(page: object, element_id: str) -> None:
    """Tap a graph element as a click would; return nothing (serialising a cytoscape collection takes seconds)."""
    page.evaluate("id => { window.cy.getElementById(id).emit('tap'); }", element_id)  # type: ignore[attr-defined]


def _enter(page: object, selector: str, value: str) -> None:
    """Type into a number input and leave it, so Dash has the value before the next click."""
    page.fill(selector, value)  # type: ignore[attr-defined]
    page.press(selector, "Tab")  # type: ignore[attr-defined]


def _editor_text(page: object) -> str:
    return page.locator("#yaml-editor").input_value()  # type: ignore[attr-defined]


def test_atlas_search_then_graph_and_evidence(served: tuple[str, Subject], page: object) -> None:
    url, subject = served
    c = subject.circuit
    page.goto(url + "/")
    grid = page.locator("#circuit-grid")
    expect(grid.get_by_role("link", name=c.id, exact=True)).to_be_visible()
    page.fill("#circuit-search", subject.receptor)
    row = grid.locator(".ag-row", has=page.get_by_role("link", name=c.id, exact=True))  # other circuits may match too
    expect(row.get_by_text(f"receptor:{subject.receptor}")).to_be_visible()
    page.fill("#circuit-search", "NoSuchGeneAnywhere")
    expect(grid.get_by_role("link", name=c.id, exact=True)).to_have_count(0)
    page.fill("#circuit-search", "")
    grid.get_by_role("link", name=c.id, exact=True).click()

    expect(page.locator("#circuit-ref")).to_contain_text(f"{c.id}@{c.version}")
    page.wait_for_function("window.cy && window.cy.nodes().length > 0")
    assert page.evaluate("window.cy.nodes().length") == len(c.populations) + len(c.inputs)
    assert page.evaluate("window.cy.edges('.signalling').length") > 0, "peptide/hormone signalling is drawn"
    population = next(p for p in c.populations if p.id == subject.population)
    _tap(page, population.id)
    details = page.locator("#details")
    expect(details).to_contain_text(population.name)
    expect(details).to_contain_text("Evidence")
    expect(details).to_contain_text(f"Expresses {population.receptors[0].receptor}")
    if any(k in subject_refs_with_doi(subject) for e in population.evidence for k in e.refs):
        expect(details.locator("a[href^='https://doi.org/']").first).to_be_visible()
    edge = c.projections[0]
    _tap(page, edge.id)
    expect(details).to_contain_text(f"Projection {edge.id}")


def subject_refs_with_doi(subject: Subject) -> set[str]:
    from drive_atlas.atlas import Atlas

    return {k for k, r in Atlas.load(subject.root).references.items() if r.doi}


def test_invalid_yaml_shows_the_error_at_its_line_and_is_not_saved(served: tuple[str, Subject], page: object) -> None:
    url, subject = served
    before = subject.path.read_text()
    page.goto(f"{url}/edit/{subject.circuit.id}")
    expect(page.locator("#validation-ok")).to_be_visible()
    lines = _editor_text(page).splitlines()
    target = next(i for i, line in enumerate(lines) if line.strip().startswith("size:"))
    lines[target] = re.sub(r"size:.*", "size: -5", lines[target])
    page.fill("#yaml-editor", "\n".join(lines) + "\n")
    error = page.locator(".spec-error").filter(has_text=f"line {target + 1}:")
    expect(error).to_contain_text("size")
    page.fill("#changelog-entry", "broken on purpose")
    page.click("#save-button")
    expect(page.locator("#save-status")).to_contain_text("not saved")
    assert subject.path.read_text() == before


def test_save_a_form_edit_as_a_new_version(served: tuple[str, Subject], page: object) -> None:
    url, subject = served
    c = subject.circuit
    page.goto(f"{url}/edit/{c.id}")
    expect(page.locator("#validation-ok")).to_be_visible()
    pop = c.populations[0]
    page.locator("#form-size-pop").click()
    page.get_by_role("option", name=pop.id, exact=True).click()
    expect(page.locator("#form-size")).to_have_value(str(pop.size))
    page.fill("#form-size", str(pop.size + 7))
    page.click("#form-size-apply")
    expect(page.locator("#draft-diff")).to_contain_text(f"populations.{pop.id}.size")
    assert f"size: {pop.size + 7}" in _editor_text(page)
    major, minor, patch = c.version.split(".")
    page.fill("#new-version", f"{major}.{minor}.{int(patch) + 2}")  # a valid version, but not the next one
    page.fill("#changelog-entry", "a bigger population")
    page.click("#save-button")
    expect(page.locator("#save-status")).to_contain_text("is not the next version")  # the rule drive-atlas check applies
    new_version = ".".join([*c.version.split(".")[:2], str(int(c.version.split(".")[2]) + 1)])
    page.fill("#new-version", new_version)
    page.click("#save-button")
    expect(page.locator("#save-status")).to_contain_text(f"saved {c.id}@{new_version}")
    saved = subject.path.read_text()
    assert f'version: "{new_version}"' in saved and f"size: {pop.size + 7}" in saved and "a bigger population" in saved
    page.goto(f"{url}/circuit/{c.id}")
    expect(page.locator("#circuit-ref")).to_contain_text(f"{c.id}@{new_version}")
    expect(page.locator("#changelog")).to_contain_text("a bigger population")


def test_a_save_that_conflicts_with_a_change_on_disk_is_refused(served: tuple[str, Subject], page: object) -> None:
    url, subject = served
    page.goto(f"{url}/edit/{subject.circuit.id}")
    expect(page.locator("#validation-ok")).to_be_visible()
    mine = _editor_text(page) + "# my edit\n"
    page.fill("#yaml-editor", mine)
    theirs = subject.path.read_text() + "# someone else's edit\n"
    subject.path.write_text(theirs)
    page.fill("#new-version", "99.0.0")
    page.fill("#changelog-entry", "my change")
    page.click("#save-button")
    expect(page.locator("#save-status")).to_contain_text("changed on disk")
    assert subject.path.read_text() == theirs
    assert _editor_text(page) == mine, "the researcher keeps their text"


def test_run_a_short_simulation_and_compare_runs(served: tuple[str, Subject], page: object) -> None:
    url, subject = served
    page.goto(f"{url}/test/{subject.circuit.id}")
    _enter(page, "#run-duration", "600")
    page.click("#run-button")
    expect(page.locator("#run-status")).to_contain_text("longer than this server's limit")
    _enter(page, "#run-duration", "0.5")
    page.click("#run-button")
    expect(page.locator("#run-status")).to_contain_text("done", timeout=180_000)  # a fresh worker process imports NEST first
    expect(page.locator("#run-status")).to_contain_text("(0.5 s, seed 1)")
    expect(page.locator("#run-figure .main-svg").first).to_be_visible(timeout=TIMEOUT)  # reading the run's NIX file takes a moment
    expect(page.locator("#run-summary")).to_contain_text("mean drive")
    with page.expect_download() as download:
        page.click("#download-csv-button")
    assert download.value.suggested_filename.endswith(".zip")
    stored = list((subject.root.parent / "cache" / "runs").iterdir())
    assert stored and all(p.suffix == ".nix" for p in stored), "runs are stored as NIX, never as pickles"
    _enter(page, "#run-seed", "2")
    page.click("#run-button")
    expect(page.locator("#run-status")).to_contain_text("0.5 s, seed 2", timeout=180_000)
    page.locator("#compare-run").click()
    page.get_by_role("option", name=re.compile(r"0\.5 s, seed 1")).click()
    expect(page.locator("#compare-figure .main-svg").first).to_be_visible(timeout=TIMEOUT)


def test_cancelled_runs_and_assays_stop_and_free_their_slot(served: tuple[str, Subject], page: object) -> None:
    url, subject = served
    page.goto(f"{url}/test/{subject.circuit.id}")
    _enter(page, "#run-duration", "60")  # long enough (tens of seconds) to be cancelled while it runs
    page.click("#run-button")
    expect(page.locator("#run-progress-label")).to_contain_text("/ 60.0 s simulated", timeout=180_000)
    page.click("#cancel-button")
    expect(page.locator("#run-button")).to_be_enabled()
    expect(page.locator("#cancel-button")).to_be_disabled()
    page.wait_for_timeout(2_000)
    expect(page.locator("#run-status")).not_to_contain_text("60 s, seed")

    page.click("#assay-button")
    expect(page.locator("#assay-progress-label")).to_contain_text("seed", timeout=180_000)
    expect(page.locator("#assay-cancel")).to_be_enabled()
    page.click("#assay-cancel")
    expect(page.locator("#assay-button")).to_be_enabled()
    expect(page.locator("#assay-cancel")).to_be_disabled()
    expect(page.locator("#assay-grid")).to_have_count(0)

    _enter(page, "#run-duration", "0.5")  # this server runs one simulation at a time: the killed jobs' slot is free again
    page.click("#run-button")
    expect(page.locator("#run-status")).to_contain_text("done", timeout=180_000)


def test_each_run_uses_the_duration_typed_just_before_it(served: tuple[str, Subject], page: object) -> None:
    """A fresh page; every click must send the value in the field now, not the one typed before it."""
    url, subject = served
    page.goto(f"{url}/test/{subject.circuit.id}")
    status = page.locator("#run-status")
    _enter(page, "#run-duration", "600")
    page.click("#run-button")
    expect(status).to_contain_text("600 s is longer than this server's limit")
    _enter(page, "#run-duration", "0.5")
    page.click("#run-button")
    expect(status).to_contain_text("done", timeout=180_000)
    expect(status).to_contain_text("(0.5 s, seed 1)")
    _enter(page, "#run-duration", "2")
    page.click("#run-button")
    expect(status).to_contain_text("(2 s, seed 1)", timeout=180_000)


def test_a_composite_circuit_runs(served: tuple[str, Subject], page: object) -> None:
    """A composite is simulated flattened with the circuits it includes."""
    url, _ = served
    page.goto(f"{url}/test/hunger_pain")
    _enter(page, "#run-duration", "0.3")
    page.click("#run-button")
    expect(page.locator("#run-status")).to_contain_text("done: hunger_pain@", timeout=180_000)
    expect(page.locator("#run-status")).to_contain_text("(0.3 s, seed 1)")
    expect(page.locator("#run-figure .main-svg").first).to_be_visible(timeout=TIMEOUT)
