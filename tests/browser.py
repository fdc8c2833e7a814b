"""Render a local HTML file in headless Chromium and say whether it loaded cleanly.

For tests of the pages triptych writes (`triptych show --html`, the report):
`render(path)` opens the page, waits for its load event, and returns the console
errors, uncaught exceptions and failed loads, the elements that did not load
(images, scripts, stylesheets, iframes), every URL the page asked for, how much
ink each image has, and optionally a full-page screenshot.

It talks to Chromium over the DevTools protocol through `--remote-debugging-pipe`
(JSON messages on file descriptors 3 and 4, each ended by a NUL byte), so it
needs nothing beyond the standard library: no websocket client, no playwright.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)

# Elements whose resource did not load: images that are broken, and scripts,
# stylesheets and frames that fired `error` (recorded by LISTEN_FOR_ERRORS).
FIND_BROKEN = """(() => {
  const broken = Array.from(document.images)
    .filter(img => !img.complete || img.naturalWidth === 0)
    .map(img => 'img ' + (img.currentSrc || img.src));
  return Array.from(new Set(broken.concat(window.__failedElements || [])));
})()"""
IMAGES_RENDERED = """Array.from(document.images)
  .filter(img => img.complete && img.naturalWidth > 0).length"""
# Per image, the share of its pixels that differ from its top-left pixel: 0 for
# a blank picture (data: URIs are same-origin, so the canvas may read them).
IMAGE_INK = """Array.from(document.images).map(img => {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4)
    if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) ink++;
  return ink / (d.length / 4);
})"""
LISTEN_FOR_ERRORS = """window.__failedElements = [];
addEventListener('error', e => {
  const t = e.target;
  if (t && t !== window && t.tagName)
    window.__failedElements.push(t.tagName.toLowerCase() + ' ' + (t.src || t.href));
}, true);"""


@dataclass
class Rendered:
    """What Chromium made of a page."""

    console_errors: list[str] = field(default_factory=list)  # errors of any kind
    broken: list[str] = field(default_factory=list)  # elements that did not load
    title: str = ""
    images: int = 0  # <img> elements on the page
    images_rendered: int = 0  # of them, loaded with a natural width above 0
    image_ink: list[float] = field(default_factory=list)  # per image, 0: blank
    requests: list[str] = field(default_factory=list)  # every URL asked for
    screenshot: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.console_errors and not self.broken


def find_chromium() -> str | None:
    """The Chromium (or Chrome) binary: $CHROMIUM if set, else the first on PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


def render(
    page: str | Path,
    screenshot: str | Path | None = None,
    width: int = 1400,
    height: int = 900,
    timeout: float = 60.0,
    binary: str | None = None,
) -> Rendered:
    """Open the local HTML file `page` in headless Chromium and report on it.

    `screenshot`: where to write a PNG of the whole page (width `width`), if given.
    Raises FileNotFoundError when there is no Chromium, TimeoutError when the page
    does not load within `timeout` seconds.
    """
    binary = binary or find_chromium()
    if binary is None:
        raise FileNotFoundError(f"no Chromium binary found (tried {CANDIDATES})")
    url = Path(page).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="triptych-chromium-") as profile:
        with _Browser(binary, profile, timeout) as browser:
            return browser.visit(url, screenshot, width, height)


class _Browser:
    """One headless Chromium, driven over the DevTools pipe."""

    def __init__(self, binary: str, profile: str, timeout: float):
        self.deadline = time.monotonic() + timeout
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def as_fds_3_and_4():  # in the child: Chromium reads fd 3 and writes fd 4
            # first out of the way (a pipe end may itself be fd 3 or 4), then into
            # place; dup2 to a different number also clears close-on-exec
            high = [
                fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
                for fd in (to_chrome_r, from_chrome_w)
            ]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,  # fds 3 and 4 must reach Chromium
            preexec_fn=as_fds_3_and_4,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer, self.events, self.next_id = b"", [], 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.send("Browser.close")
        except (OSError, TimeoutError, RuntimeError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)

    def visit(self, url, screenshot, width, height) -> Rendered:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):  # Log: failed loads
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Page.addScriptToEvaluateOnNewDocument",
            session=session,
            source=LISTEN_FOR_ERRORS,
        )
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session=session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Page.navigate", session=session, url=url)
        self.wait_for("Page.loadEventFired", session)
        rendered = Rendered(
            broken=self.evaluate(session, FIND_BROKEN),
            title=self.evaluate(session, "document.title"),
            images=self.evaluate(session, "document.images.length"),
            images_rendered=self.evaluate(session, IMAGES_RENDERED),
            image_ink=self.evaluate(session, IMAGE_INK),
            requests=self.requests(session),
        )
        if screenshot is not None:
            rendered.screenshot = self.capture(session, Path(screenshot), width)
        rendered.console_errors = self.errors(session)
        return rendered

    def evaluate(self, session: str, expression: str):
        result = self.send(
            "Runtime.evaluate",
            session=session,
            expression=expression,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def capture(self, session: str, path: Path, width: int) -> Path:
        """A PNG of the whole page, beyond the viewport (up to Chromium's limit)."""
        size = self.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
        clip = dict(x=0, y=0, width=width, height=min(size["height"], 16000), scale=1)
        shot = self.send(
            "Page.captureScreenshot",
            session=session,
            format="png",
            captureBeyondViewport=True,
            clip=clip,
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def requests(self, session: str) -> list[str]:
        """The URL of every request the page made (Network.requestWillBeSent)."""
        return [
            event["params"]["request"]["url"]
            for event in self.events
            if event.get("sessionId") == session
            and event["method"] == "Network.requestWillBeSent"
        ]

    def errors(self, session: str) -> list[str]:
        """Console errors, uncaught exceptions and failed loads, in order."""
        found = []
        for event in self.events:
            if event.get("sessionId") != session:
                continue
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in (
                "error",
                "assert",
            ):
                text = " ".join(str(a.get("value", a)) for a in params["args"])
                found.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description", details["text"])
                found.append(f"exception: {text}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                found.append(
                    f"{entry['source']}: {entry['text']} {entry.get('url', '')}"
                )
        return found

    # ------------------------------------------------------------ the protocol

    def send(self, method: str, session: str | None = None, **params) -> dict:
        """Send one command and wait for its answer (events meanwhile are kept)."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        for event in self.events:
            if event["method"] == method and event.get("sessionId") == session:
                return event
        while True:
            event = self.receive()
            if "method" in event:
                self.events.append(event)
                if event["method"] == method and event.get("sessionId") == session:
                    return event

    def receive(self) -> dict:
        """The next message from Chromium, waiting at most until the deadline."""
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError(
                    f"Chromium exited (status {self.process.poll()}) before answering"
                )
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)
