"""The browser verifier core on every test vector and every whole-draw case, in real headless
Chromium (issue 13, item 4), as tests/test_js_verifier.py does in Node.

One browser, one page: a local HTTP server over a temporary folder holding theme/static/verify/,
tests/js/vector-compute.js, tests/vectors/*.json and a copy of every case of tests/vectors/draws/
(with a listing of its files, and a copy of the drand case with one byte of the signature
changed). The page, written here and never shipped, loads the scripts with <script src> in the
order core.js documents. Then, in a few Runtime.evaluate calls: every component vector computed
as in Node and compared with its expected outputs here; every draw and failure record of every
case re-executed with `verifyRecord` over a fetch-based reader, with WebCrypto and with noble —
every step ok and the recomputed record byte-equal to the committed one and to the Python
engine's; the tampered drand case fails at `randomness-signature`. No console error anywhere.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from test_browser import BROWSER, _close_page, _new_page, _QuietHandler, chromium
from test_browser_verify import _problems
from test_js_verifier import CASES, ROOT, VERIFY_DIR, assert_all_ok, assert_vectors_agree, python_records

VECTORS = ROOT / "tests" / "vectors"
TAMPERED = "drand-tampered"  # a copy of drand-and-lottery with one byte of the signature changed
DRAND_RECORD = "plans/shili/2024/draws/2024-01.json"

pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="没有安装 Chromium：浏览器测试跳过（apt-get install -y chromium）")


def _scripts() -> list[str]:
    """The verifier's scripts in the load order documented at the top of core.js."""
    head = (VERIFY_DIR / "core.js").read_text(encoding="utf-8").split("function ssjpubCore", 1)[0]
    order = head.split("Load, in this order:", 1)[1]
    files = re.findall(r"([\w/.-]+\.js) \(ssjpub\w+\)", order)
    assert files[-1] == "core.js" and all((VERIFY_DIR / f).is_file() for f in files), files
    return files


def _listing(case: Path) -> list[str]:
    return sorted(p.relative_to(case).as_posix() for p in case.rglob("*") if p.is_file())


PAGE = r"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>verifier vectors</title>
<link rel="icon" href="data:,">
{scripts}
</head><body><script>
// A reader over one case's folder on this server: only files in its listing are fetched (no 404s),
// list() gives the repo paths of plans/ and results/, as tests/js/load.cjs's dirReader does.
async function caseReader(base) {{
  const files = await (await fetch(base + "files.json")).json();
  const known = new Set(files);
  return {{
    read: async (p) => {{
      if (!known.has(p)) return null;
      const r = await fetch(base + p.split("/").map(encodeURIComponent).join("/"));
      return r.ok ? new Uint8Array(await r.arrayBuffer()) : null;
    }},
    list: async () => files.filter((p) => p.startsWith("plans/") || p.startsWith("results/")),
  }};
}}
async function verifyCases(names, sha256) {{
  const core = ssjpubCore(), out = {{}};
  for (const name of names) {{
    const reader = await caseReader("cases/" + name + "/");
    const records = (await reader.list()).filter((p) => /^plans\/[^/]+\/[^/]+\/(draws|failures)\/[^/]+\.json$/.test(p));
    out[name] = [];
    for (const p of records) {{
      const r = await core.verifyRecord(p, reader, {{ sha256 }});
      out[name].push({{ record: p, ok: r.ok, recomputed: r.recomputed, unchecked: r.unchecked,
        steps: r.steps.map((s) => ({{ id: s.id, status: s.status, where: s.where, expected: s.expected,
          actual: s.actual, detail: s.detail }})) }});
    }}
  }}
  return out;
}}
async function computeVectors(names) {{
  const files = {{}};
  for (const f of names) files[f] = await (await fetch("vectors/" + f)).json();
  return ssjpubVectorCompute(ssjpubCore())(files);
}}
</script></body></html>
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """http://127.0.0.1:<port>/ over the temporary folder, and the case names in it."""
    base = tmp_path_factory.mktemp("browser-vectors")
    shutil.copytree(VERIFY_DIR, base / "verify")
    shutil.copy(ROOT / "tests" / "js" / "vector-compute.js", base / "vector-compute.js")
    (base / "vectors").mkdir()
    for f in VECTORS.glob("*.json"):
        shutil.copy(f, base / "vectors" / f.name)
    for case in CASES:
        shutil.copytree(case, base / "cases" / case.name)
    # One byte of the drand signature changed: its last hex digit.
    tampered = shutil.copytree(base / "cases" / "drand-and-lottery", base / "cases" / TAMPERED)
    randomness = tampered / "plans/shili/2024/randomness/2024-01.yaml"
    text = randomness.read_text(encoding="utf-8")
    sig = re.search(r"signature: ([0-9a-f]{96})", text).group(1)
    randomness.write_text(text.replace(sig, sig[:-1] + ("0" if sig[-1] != "0" else "1")), encoding="utf-8")
    for case in (base / "cases").iterdir():
        (case / "files.json").write_text(json.dumps(_listing(case)), encoding="utf-8")
    scripts = [f"verify/{f}" for f in _scripts()] + ["vector-compute.js"]
    (base / "index.html").write_text(PAGE.format(
        scripts="\n".join(f'<script src="{s}"></script>' for s in scripts)), encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(base))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", base / "cases"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def page(served):
    """The test page, loaded once in one Chromium."""
    origin, _ = served
    with chromium() as port:
        tab, target_id = _new_page(port)
        try:
            for domain in ("Runtime", "Log", "Network", "Page"):
                tab.call(f"{domain}.enable")
            tab.call("Page.navigate", url=origin + "index.html")
            tab.wait_for("Page.loadEventFired")
            yield tab
        finally:
            tab.ws.close()
            _close_page(port, target_id)


def _run(tab, expression: str, label: str):
    """The awaited value of `expression` in the page; a thrown error fails the test."""
    tab.ws.sock.settimeout(300)  # every case in one call: seconds, but the machine is shared
    start = time.monotonic()
    result = tab.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
    assert "exceptionDetails" not in result, result["exceptionDetails"]
    print(f"\n{label}: {time.monotonic() - start:.2f} s in Chromium")
    return result["result"]["value"]


def test_the_page_is_a_secure_context_with_webcrypto(page):
    assert page.evaluate("isSecureContext && typeof crypto.subtle.digest === 'function'") is True


def test_every_vector_file_through_the_component_functions(page):
    names = sorted(p.name for p in VECTORS.glob("*.json"))
    computed = _run(page, f"computeVectors({json.dumps(names)})", "every vector")
    assert sum(len(v) for v in computed.values()) >= 30
    assert_vectors_agree(computed)


@pytest.fixture(scope="module")
def reports(page) -> dict[str, dict]:
    """sha256 option → case name → that case's reports, every case in one evaluate per option."""
    names = [c.name for c in CASES]
    return {how: _run(page, f"verifyCases({json.dumps(names)}, {json.dumps(how)})", f"every case ({how})")
            for how in ("webcrypto", "noble")}


@pytest.mark.parametrize("how", ["webcrypto", "noble"])
def test_every_whole_draw_case_recomputes_its_committed_record(reports, how):
    by_case = reports[how]
    assert sorted(by_case) == [c.name for c in CASES]
    kinds = set()
    for case in CASES:
        cases = by_case[case.name]
        assert cases, case.name
        assert_all_ok(cases, case)  # every step ok, recomputed == the committed bytes
        assert {r["record"]: r["recomputed"] for r in cases} == python_records(case)
        kinds |= {"failures" if "/failures/" in r["record"] else "draws" for r in cases}
    assert kinds == {"draws", "failures"}
    drand = [s for r in by_case["drand-and-lottery"] for s in r["steps"] if s["id"] == "randomness-signature"]
    assert [s["status"] for s in drand] == ["ok"]  # a real quicknet round, BLS-verified in the browser
    print(f"\n{how}: {sum(map(len, by_case.values()))} records in {len(by_case)} cases, all ok")


def test_webcrypto_and_noble_give_the_same_reports(reports):
    assert reports["webcrypto"] == reports["noble"]


def test_a_changed_byte_of_the_drand_signature_fails_at_the_signature(page):
    [report] = _run(page, f"verifyCases({json.dumps([TAMPERED])}, 'webcrypto')", "the tampered drand case")[TAMPERED]
    assert report["record"] == DRAND_RECORD and not report["ok"]
    step = next(s for s in report["steps"] if s["id"] == "randomness-signature")
    assert step["status"] == "fail" and step["where"].endswith("sources[0].signature"), step


def test_no_console_error_failed_request_or_external_request(served, page, reports):
    page.evaluate("1")  # the events sent so far are in
    fetched = [e["params"]["request"]["url"] for e in page.events if e.get("method") == "Network.requestWillBeSent"]
    assert sum(u.endswith("/files.json") for u in fetched) >= 2 * len(CASES)  # the check saw the requests
    assert not _problems(page, served[0])
