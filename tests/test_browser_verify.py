"""The verifier in the page, in real headless Chromium on the built demo site (issue 13).

Every task page with a record is opened over HTTP and its button pressed from the keyboard: every
step must show ✓, as many steps as the Node runner (tests/js/verify.cjs) reports for that record.
The same from the built site opened from disk (file://, the folder chosen with
DOM.setFileInputFiles), from an insecure origin (a name mapped to 127.0.0.1: no WebCrypto, so the
vendored SHA-256 does the work), and on /verify/ with the site folder chosen there. Tampered copies
of the site (one changed snapshot row, ticket, or digit of the randomness) must show ✗ at the step
that checks what was changed, with both values. No console error, failed request or request to
another site anywhere.

One browser and one build for the module; the copies are hard links but for the changed file.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from test_browser import BROWSER, DevTools, _close_page, _new_page, _QuietHandler, chromium
from test_site import ROOT, build

NODE = shutil.which("node") or shutil.which("nodejs")
RECORDS = sorted(p.relative_to(ROOT).as_posix()
                 for p in [*ROOT.glob("plans/*/*/draws/*.json"), *ROOT.glob("plans/*/*/failures/*.json")])
INSECURE = "ssjpub.test"  # mapped to 127.0.0.1 in the browser only: http to it is not a secure context
TAMPERED = "plans/baofeng/2024/draws/2024-01.json"  # the record the tamper tests change the inputs of

pytestmark = [
    pytest.mark.skipif(BROWSER is None, reason="没有安装 Chromium：浏览器测试跳过（apt-get install -y chromium）"),
    pytest.mark.skipif(NODE is None, reason="没有安装 Node.js：浏览器测试需要用它得出每份记录的步骤数"),
]


# --- the built site, its tampered copies, one server over all of them, one browser -----------


def _link_copy(site: Path, dst: Path) -> Path:
    shutil.copytree(site, dst, copy_function=os.link)
    return dst


def _rewrite(path: Path, change) -> None:
    data = path.read_bytes()
    new = change(data)
    assert new != data, path
    path.unlink()  # a hard link: the original site keeps its bytes
    path.write_bytes(new)


def _tamper_snapshot(site: Path, record: dict) -> None:
    # One row of the snapshot: the last character of its second line, a digit changed to another.
    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        row = lines[2]
        i = max(i for i, c in enumerate(row) if chr(c).isalnum())
        lines[2] = row[:i] + (b"X" if row[i:i + 1] != b"X" else b"Y") + row[i + 1:]
        return b"\n".join(lines)
    _rewrite(site / "files" / record["population"]["file"], change)


def _tamper_ticket(site: Path, record: dict) -> None:
    ticket = record["targets"][0]["ticket"]
    flipped = ticket[:-1] + ("0" if ticket[-1] != "0" else "1")
    _rewrite(site / "files" / TAMPERED, lambda d: d.replace(ticket.encode(), flipped.encode(), 1))


def _tamper_randomness(site: Path, record: dict) -> None:
    # The first digit after the first `numbers` key (the lottery's drawn numbers).
    def change(data: bytes) -> bytes:
        text = data.decode()
        start = text.index("numbers")
        m = re.compile(r"\d").search(text, start)
        d = m.group()
        return (text[:m.start()] + ("1" if d != "1" else "2") + text[m.end():]).encode()
    _rewrite(site / "files" / record["randomness"]["file"], change)


TAMPERS = {"snapshot": _tamper_snapshot, "ticket": _tamper_ticket, "randomness": _tamper_randomness}


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("verify")
    site = build(ROOT / "content", base / "site")
    record = json.loads((ROOT / TAMPERED).read_text(encoding="utf-8"))
    for name, tamper in TAMPERS.items():
        tamper(_link_copy(site, base / name), record)
    for top in ("plans", "results"):  # what a clone holds of the data (not its .git or .venv)
        shutil.copytree(ROOT / top, base / "clone" / top)
    return base


@pytest.fixture(scope="module")
def server(sites):
    handler = functools.partial(_QuietHandler, directory=str(sites))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with chromium(f"--host-resolver-rules=MAP {INSECURE} 127.0.0.1") as port:
        yield port


@pytest.fixture(scope="module")
def pages(sites) -> dict[str, str]:
    """record path → its task page (relative to the site root), from the verifier markup."""
    found = {}
    for html in sorted((sites / "site").rglob("index.html")):
        m = re.search(r'<section id="verifier"[^>]*>', html.read_text(encoding="utf-8"))
        if m:
            record = re.search(r'data-record="([^"]+)"', m.group()).group(1)
            found[record] = html.parent.relative_to(sites / "site").as_posix() + "/"
    return found


@pytest.fixture(scope="module")
def node_steps() -> dict[str, list[str]]:
    """record path → the step ids the Node runner reports for it, on the repository itself."""
    done = subprocess.run([NODE, str(ROOT / "tests/js/verify.cjs"), str(ROOT)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {r["record"]: [s["id"] for s in r["steps"]] for r in lines}


# --- driving a page -------------------------------------------------------------------------


@contextlib.contextmanager
def _page(port: int, url: str, width: int = 1280):
    page, target_id = _new_page(port)
    try:
        for domain in ("Runtime", "Log", "Network", "Page"):
            page.call(f"{domain}.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1,
                  mobile=width < 600)
        page.call("Page.navigate", url=url)
        page.wait_for("Page.loadEventFired")
        yield page
    finally:
        page.ws.close()
        _close_page(port, target_id)


def _press_button(page: DevTools) -> None:
    """The button, from the keyboard: focused, then Enter."""
    assert page.evaluate("(() => { const b = document.querySelector('#verifier .verifier-button');"
                         " b.focus(); return document.activeElement === b && b.textContent; })()") == "在浏览器中重新计算这次抽取"
    for kind in ("keyDown", "keyUp"):
        page.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13,
                  **({"text": "\r"} if kind == "keyDown" else {}))


def _choose(page: DevTools, selector: str, *paths: Path) -> None:
    """Files or a folder chosen in a file input, as the person's file dialog would."""
    doc = page.call("DOM.getDocument")
    node = page.call("DOM.querySelector", nodeId=doc["root"]["nodeId"], selector=selector)["nodeId"]
    assert node, selector
    page.call("DOM.setFileInputFiles", files=[str(p) for p in paths], nodeId=node)


def _wait(page: DevTools, selector: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                              " return e && e.getAttribute('data-state'); })()")
        if state and state != "running":
            return state
        time.sleep(0.1)
    raise TimeoutError(selector)


RESULT = """((root) => [...root.querySelectorAll('.verifier-run')].map(run => ({
  state: run.getAttribute('data-state'), ms: Number(run.getAttribute('data-ms')),
  summary: run.querySelector('.verifier-summary').textContent,
  steps: [...run.querySelectorAll('.step')].map(li => ({id: li.dataset.step, status: li.dataset.status,
    text: li.textContent, mark: li.querySelector('.step-mark').textContent}))})))"""


def _runs(page: DevTools, scope: str) -> list[dict]:
    return page.evaluate(f"{RESULT}(document.querySelector({json.dumps(scope)}))")


def _problems(page: DevTools, origin: str) -> list[str]:
    out = []
    for e in page.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.exceptionThrown":
            out.append(p["exceptionDetails"].get("text"))
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            out.append(str(p.get("args")))
        elif m == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
            out.append(p["entry"].get("text"))
        elif m == "Network.loadingFailed":
            out.append(f"failed: {p.get('errorText')}")
        elif m == "Network.responseReceived" and p["response"]["status"] >= 400:
            out.append(f"{p['response']['status']} {p['response']['url']}")
        elif m == "Network.requestWillBeSent" and not p["request"]["url"].startswith((origin, "blob:", "data:")):
            out.append(f"external request: {p['request']['url']}")
    return out


def _all_ok(run: dict, expected_ids: list[str]) -> None:
    assert run["state"] == "ok", run["summary"]
    assert [s["id"] for s in run["steps"]] == expected_ids, run["summary"]
    assert all(s["status"] == "ok" and s["mark"] == "✓" for s in run["steps"]), run["steps"]
    assert run["summary"].startswith("✓ 全部"), run["summary"]


# --- the tests ------------------------------------------------------------------------------


def test_every_record_has_a_task_page_with_the_verifier(pages):
    assert sorted(pages) == RECORDS


@pytest.mark.parametrize("record", RECORDS)
def test_task_page_over_http_recomputes_every_step(server, browser, pages, node_steps, record):
    origin = f"http://127.0.0.1:{server}/"
    with _page(browser, origin + "site/" + pages[record]) as page:
        assert page.evaluate("document.querySelector('#verifier .verifier-ui').hidden") is False
        _press_button(page)
        _wait(page, "#verifier .verifier-run")
        (run,) = _runs(page, "#verifier")
        _all_ok(run, node_steps[record])
        assert "WebCrypto" in run["summary"] and "noble" not in run["summary"]
        assert not _problems(page, origin)
        print(f"\n{record}: {len(run['steps'])} steps in {run['ms']} ms (Chromium, WebCrypto)")


def test_task_page_from_disk_verifies_the_chosen_site_folder(sites, browser, pages, node_steps):
    record = "plans/yanshi/2023/draws/2023-02.json"  # the demo's biggest record
    site = sites / "site"
    with _page(browser, (site / pages[record] / "index.html").as_uri(), width=360) as page:
        # The page says why it needs the folder, and offers to choose it.
        text = page.evaluate("document.querySelector('#verifier .verifier-ui').innerText")
        assert "本地磁盘" in text and "文件夹" in text, text
        _choose(page, "#verifier .verifier-ui input[type=file]", site)
        _wait(page, "#verifier .verifier-run")
        (run,) = _runs(page, "#verifier")
        _all_ok(run, node_steps[record])
        # Readable on a phone: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert not _problems(page, site.as_uri())


def test_insecure_origin_uses_the_vendored_sha256(server, browser, pages, node_steps):
    record = TAMPERED
    origin = f"http://{INSECURE}:{server}/"
    with _page(browser, origin + "site/" + pages[record]) as page:
        assert page.evaluate("window.isSecureContext") is False
        assert page.evaluate("!!(window.crypto && window.crypto.subtle)") is False
        _press_button(page)
        _wait(page, "#verifier .verifier-run")
        (run,) = _runs(page, "#verifier")
        _all_ok(run, node_steps[record])
        assert "@noble/hashes" in run["summary"], run["summary"]
        assert not _problems(page, origin)


@pytest.mark.parametrize(("copy", "step", "where"), [
    ("snapshot", "snapshot-sha256", None),
    ("ticket", "targets", "ticket"),
    ("randomness", "randomness-", None),
])
def test_tampered_copy_shows_the_difference_at_its_step(server, browser, pages, copy, step, where):
    origin = f"http://127.0.0.1:{server}/"
    with _page(browser, origin + copy + "/" + pages[TAMPERED]) as page:
        _press_button(page)
        _wait(page, "#verifier .verifier-run")
        (run,) = _runs(page, "#verifier")
        assert run["state"] == "fail", run["summary"]
        failed = [s for s in run["steps"] if s["status"] == "fail"]
        first = failed[0]
        assert first["id"].startswith(step), (copy, failed)
        assert first["mark"] == "✗" and "不一致" in first["text"]
        # Both values, and where.
        assert "记录中" in first["text"] and "重新计算" in first["text"], first["text"]
        if where:
            assert where in first["text"], first["text"]
        # Steps before it were recomputed and agree; nothing is ✓ that was not recomputed.
        before = run["steps"][:run["steps"].index(first)]
        assert before and all(s["status"] == "ok" for s in before), before
        assert all(s["mark"] == {"ok": "✓", "fail": "✗", "skip": "—"}[s["status"]] for s in run["steps"])
        assert run["summary"].startswith("✗"), run["summary"]
        assert not _problems(page, origin)


def test_verify_page_checks_every_record_of_a_chosen_folder(server, sites, browser, node_steps):
    origin = f"http://127.0.0.1:{server}/"
    with _page(browser, origin + "ticket/verify/") as page:
        # The site copy with one changed ticket: every record recomputed (one ✗), and each file
        # compared with the one this site publishes (the changed record is "different").
        _choose(page, "#verifier-drop .verifier-ui input[type=file][webkitdirectory]", sites / "ticket")
        assert _wait(page, "#verifier-drop .verifier-ui", timeout=300) == "done"
        records = page.evaluate("[...document.querySelectorAll('.verifier-record')].map(li => li.dataset.record)")
        assert records == RECORDS
        runs = dict(zip(records, _runs(page, "#verifier-drop")))
        for record, run in runs.items():
            if record == TAMPERED:
                assert run["state"] == "fail" and any(s["status"] == "fail" for s in run["steps"]), run
            else:
                _all_ok(run, node_steps[record])
        groups = page.evaluate("Object.fromEntries([...document.querySelectorAll('.verifier-compare details')]"
                               ".map(d => [d.dataset.group, [...d.querySelectorAll('li')].map(li => li.textContent)]))")
        assert groups["different"] == [TAMPERED], groups
        assert "missing" not in groups, groups
        published = json.loads((sites / "site/files/index.json").read_text(encoding="utf-8"))["files"]
        assert sorted(groups["same"] + groups["different"]) == sorted(published)
        assert not _problems(page, origin)


def test_verify_page_takes_a_dropped_clone(server, sites, browser, node_steps):
    origin = f"http://127.0.0.1:{server}/"
    with _page(browser, origin + "site/verify/") as page:
        # A real drop of a folder (walked through its entries), laid out as a clone: files at the root.
        x, y = page.evaluate("(() => { const e = document.querySelector('#verifier-drop .verifier-ui');"
                             " e.scrollIntoView(); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + 10]; })()")
        data = {"items": [], "files": [str(sites / "clone")], "dragOperationsMask": 1}
        for kind in ("dragEnter", "dragOver", "drop"):
            page.call("Input.dispatchDragEvent", type=kind, x=x, y=y, data=data)
        assert _wait(page, "#verifier-drop .verifier-ui", timeout=300) == "done"
        records = page.evaluate("[...document.querySelectorAll('.verifier-record')].map(li => li.dataset.record)")
        assert records == RECORDS
        for record, run in zip(records, _runs(page, "#verifier-drop")):
            _all_ok(run, node_steps[record])
        overall = page.evaluate("document.querySelector('#verifier-drop .verifier-overall').textContent")
        assert overall.startswith(f"{len(RECORDS)} 份抽取记录中，{len(RECORDS)} 份"), overall
        groups = page.evaluate("Object.fromEntries([...document.querySelectorAll('.verifier-compare details')]"
                               ".map(d => [d.dataset.group, [...d.querySelectorAll('li')].map(li => li.textContent)]))")
        # The clone's YAML copies of the records are named as such, not as files the site lacks.
        assert list(groups) == ["same", "copies"], groups
        assert groups["copies"] == sorted(r[:-5] + ".yaml" for r in RECORDS if "/draws/" in r), groups["copies"]
        assert not _problems(page, origin)


def test_verify_page_takes_a_record_with_some_of_its_files_chosen_one_by_one(server, browser, node_steps):
    # Loose files, as a person saves them from the site: no folders, so the record's own fields
    # give their paths; what was not chosen (the plan, the randomness) is read from the site.
    record = json.loads((ROOT / TAMPERED).read_text(encoding="utf-8"))
    loose = [TAMPERED, record["population"]["file"]]
    origin = f"http://127.0.0.1:{server}/"
    with _page(browser, origin + "site/verify/") as page:
        _choose(page, "#verifier-drop .verifier-ui input[type=file][multiple]", *[ROOT / p for p in loose])
        assert _wait(page, "#verifier-drop .verifier-ui", timeout=120) == "done"
        assert page.evaluate("[...document.querySelectorAll('.verifier-record')].map(li => li.dataset.record)") == [TAMPERED]
        (run,) = _runs(page, "#verifier-drop")
        _all_ok(run, node_steps[TAMPERED])
        same = page.evaluate("[...document.querySelectorAll('.verifier-compare details[data-group=same] li')].map(li => li.textContent)")
        assert same == sorted(loose)
        assert not _problems(page, origin)
