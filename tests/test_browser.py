"""The built site in a real browser: Debian's headless Chromium, driven over the Chrome DevTools
Protocol with the standard library only (a minimal WebSocket client below; no Selenium, no
Playwright, nothing downloaded at test time).

The home page, a task page and the checklist are loaded at 1280 px and at 360 px (a phone). Each
must show no horizontal page overflow (tables scroll inside their own box) and no console error or
failed request; screenshots go to tests/artifacts/ (ignored by git) for a person to look at.

Skipped, with the reason, when no Chromium is installed: `.ci/run` installs it, so CI runs these.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from test_site import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
PAGES = {
    "home": "",
    "task": "baofeng/2024/2024-01/",
    "checklist": "baofeng/checklist/",
    "list": "baofeng/targets/list/2/",
}
WIDTHS = (1280, 360)
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="没有安装 Chromium：浏览器测试跳过（Debian 上用 apt-get install -y chromium 安装；.ci/run 会自动安装）",
)


# --- a minimal WebSocket client (RFC 6455), enough for the DevTools protocol on localhost ------


class WebSocket:
    def __init__(self, url: str, timeout: float = 30) -> None:
        assert url.startswith("ws://")
        hostport, _, path = url[5:].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("WebSocket handshake failed")
            head += chunk
        status, _, rest = head.partition(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n")[0]:
            raise ConnectionError(status.decode(errors="replace"))
        self.buffer = rest

    def send(self, text: str) -> None:
        data = text.encode()
        header = bytes([0x81])
        n = len(data)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("WebSocket closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def recv(self) -> str:
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack(">H", self._read(2))
            elif n == 127:
                (n,) = struct.unpack(">Q", self._read(8))
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise ConnectionError("WebSocket closed by the browser")
            if opcode in (0x9, 0xA):  # ping/pong: not used by Chromium here
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class DevTools:
    """One page target: commands with ids, events kept for the checks."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == method:
                return msg
            self.events.append(msg)
        raise TimeoutError(method)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")


# --- fixtures: the built site served on 127.0.0.1, and one browser ------------------------------


@pytest.fixture(scope="module")
def served(demo_served):
    return demo_served


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def browser():
    with chromium() as port:
        yield port


@contextlib.contextmanager
def chromium(*flags: str):
    """A headless Chromium with its DevTools port; `flags` are added to its command line."""
    profile = tempfile.mkdtemp(prefix="ssjpub-chromium-")
    cmd = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--hide-scrollbars",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        *flags,
        "about:blank",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.is_file() or not port_file.read_text().strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("Chromium did not start (no DevToolsActivePort)")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def _new_page(port: int) -> tuple[DevTools, str]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
    with urllib.request.urlopen(req, timeout=30) as r:
        target = json.load(r)
    return DevTools(WebSocket(target["webSocketDebuggerUrl"])), target["id"]


def _close_page(port: int, target_id: str) -> None:
    with contextlib.suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/json/close/{target_id}", timeout=10):
        pass


OVERFLOW = """(() => {
  const d = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    if (e.closest('.table-wrap')) return false;
    const r = e.getBoundingClientRect();
    return r.right > d.clientWidth + 1;
  }).slice(0, 5).map(e => e.tagName + '.' + e.className);
  return {scroll: d.scrollWidth, client: d.clientWidth, wide: wide,
          tables: [...document.querySelectorAll('.table-wrap')].every(w => w.getBoundingClientRect().right <= d.clientWidth + 1)};
})()"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_the_screen_without_console_errors(served, browser, name, width):
    page, target_id = _new_page(browser)
    try:
        page.call("Runtime.enable")
        page.call("Log.enable")
        page.call("Network.enable")
        page.call("Page.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1,
                  mobile=width < 600)
        page.call("Page.navigate", url=served + PAGES[name])
        page.wait_for("Page.loadEventFired")
        page.evaluate("document.fonts ? document.fonts.ready.then(() => true) : true")
        metrics = page.evaluate(OVERFLOW)
        # Nothing went wrong: no console error, no exception, no failed request.
        problems = []
        for e in page.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                problems.append(p["exceptionDetails"].get("text"))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                problems.append(str(p.get("args")))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                problems.append(p["entry"].get("text"))
            elif m == "Network.loadingFailed":
                problems.append(f"failed: {p.get('errorText')}")
            elif m == "Network.responseReceived" and p["response"]["status"] >= 400:
                problems.append(f"{p['response']['status']} {p['response']['url']}")
            elif m == "Network.requestWillBeSent" and not p["request"]["url"].startswith((served, "data:")):
                problems.append(f"external request: {p['request']['url']}")
        assert not problems, (name, width, problems)
        # A screenshot of the top of the page (at most 3000 px), for a person to look at.
        height = int(page.evaluate("Math.min(document.documentElement.scrollHeight, 3000)"))
        shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{name}-{width}.png").write_bytes(base64.b64decode(shot["data"]))
        if name == "task":  # and the draw record's tables further down
            top = int(page.evaluate("document.getElementById('eligible-h').getBoundingClientRect().top + scrollY"))
            shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                             clip={"x": 0, "y": top, "width": width, "height": 2000, "scale": 1})
            (ARTIFACTS / f"{name}-{width}-draw.png").write_bytes(base64.b64decode(shot["data"]))
        assert metrics["scroll"] <= metrics["client"], (name, width, metrics)
        assert metrics["tables"], (name, width, metrics)
    finally:
        page.ws.close()
        _close_page(browser, target_id)


def test_keyboard_focus_is_visible_and_reaches_the_skip_link(served, browser):
    page, target_id = _new_page(browser)
    try:
        page.call("Page.enable")
        page.call("Page.navigate", url=served + PAGES["task"])
        page.wait_for("Page.loadEventFired")
        page.call("Input.dispatchKeyEvent", type="keyDown", key="Tab", code="Tab", windowsVirtualKeyCode=9)
        page.call("Input.dispatchKeyEvent", type="keyUp", key="Tab", code="Tab", windowsVirtualKeyCode=9)
        focused = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return {cls: e.className, text: e.textContent, outline: s.outlineStyle, left: e.getBoundingClientRect().left}; })()"
        )
        assert focused["cls"] == "skip" and focused["text"] == "跳到正文", focused
        assert focused["outline"] != "none" and focused["left"] >= 0, focused
    finally:
        page.ws.close()
        _close_page(browser, target_id)


def _open(port: int, url: str, width: int = 1280, media: str = "") -> tuple[DevTools, str]:
    page, target_id = _new_page(port)
    page.call("Page.enable")
    page.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)
    if media:
        page.call("Emulation.setEmulatedMedia", media=media)
    page.call("Page.navigate", url=url)
    page.wait_for("Page.loadEventFired")
    return page, target_id


# WCAG 2.1 contrast (1.4.3, AA) of every piece of visible text against the background it is drawn
# on: the first ancestor with an opaque background colour. 4.5:1, or 3:1 for large text (24 px, or
# 18.66 px bold). The theme uses no background images, so colours are the whole story.
CONTRAST = """(() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = e => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = []; const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || seen.has(e)) continue;
    seen.add(e);
    const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    if (!r.width || !r.height || s.visibility === 'hidden') continue;  // off-screen text counts too
    const fg = rgb(s.color).slice(0, 3), bg = background(e);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    out.push({tag: e.tagName, cls: e.className, text: n.textContent.trim().slice(0, 20),
              ratio: Math.round(ratio * 100) / 100, need: need});
  }
  return out;
})()"""


@pytest.mark.parametrize("name", list(PAGES))
def test_text_contrast_meets_wcag_aa(served, browser, name):
    page, target_id = _open(browser, served + PAGES[name])
    try:
        checked = page.evaluate(CONTRAST)
        assert len(checked) > 20, name  # the walk saw the page's text
        low = [c for c in checked if c["ratio"] < c["need"]]
        assert not low, (name, low[:5])
        assert any(c["cls"] == "skip" for c in checked)  # the skip link, shown on focus, too
    finally:
        page.ws.close()
        _close_page(browser, target_id)


# An A4 page at 96 px to the inch, less the theme's @page margins (12 mm each side): 703 px.
A4_CONTENT_PX = round((210 - 2 * 12) / 25.4 * 96)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_prints_on_a4_without_cutting_anything_off(served, browser, name):
    page, target_id = _open(browser, served + PAGES[name], width=A4_CONTENT_PX, media="print")
    try:
        # With print styles, nothing is wider than the printable width (tables included: they
        # do not scroll on paper), and the navigation is gone.
        metrics = page.evaluate("""(() => {
          const d = document.documentElement;
          const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > d.clientWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
          const shown = sel => [...document.querySelectorAll(sel)].some(e => e.getClientRects().length);
          return {scroll: d.scrollWidth, client: d.clientWidth, wide: wide, nav: shown('.bar nav'), skip: shown('.skip')};
        })()""")
        assert metrics["scroll"] <= metrics["client"] and not metrics["wide"], (name, metrics)
        assert not metrics["nav"], name
        pdf = base64.b64decode(page.call("Page.printToPDF", preferCSSPageSize=True, printBackground=False)["data"])
        assert pdf.startswith(b"%PDF-")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{name}-a4.pdf").write_bytes(pdf)
        # Every page of the PDF is A4 (595 × 842 points), as the theme's @page asks.
        boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf))
        assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes), boxes
    finally:
        page.ws.close()
        _close_page(browser, target_id)
