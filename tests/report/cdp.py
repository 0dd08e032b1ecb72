"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (fds 3 and 4, messages ended by NUL):
enough to evaluate expressions in a page, with no websocket library."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any


class Browser:
    def __init__(self, chromium: str, profile: Path, args: list[str]) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def fds() -> None:  # in the child: our pipe ends become its fds 3 (read) and 4 (write)
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        cmd = [chromium, "--headless", "--remote-debugging-pipe", f"--user-data-dir={profile}", *args]
        self.proc = subprocess.Popen(
            # fds 3 and 4 are made by ``fds`` before the child closes what it does not keep
            cmd,
            preexec_fn=fds,
            pass_fds=(3, 4),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buf:
            chunk = os.read(self._from_child, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        return dict(json.loads(raw))

    def close(self) -> str:
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError):
            self.proc.kill()
        _, err = self.proc.communicate(timeout=30)
        os.close(self._to_child)
        os.close(self._from_child)
        return err.decode(errors="replace")


class Page:
    """One page target, attached in flat mode; ``evaluate`` returns the expression's JSON value."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Network", "Page", "Log"):
            browser.send(f"{domain}.enable", session=self.session)
        browser.send("Page.navigate", {"url": url}, session=self.session)
        scheme = url.split(":", 1)[0] + ":"
        self.wait_for(f"location.protocol === {json.dumps(scheme)} && document.readyState === 'complete'")

    def wait_for(self, condition: str, timeout: float = 30.0) -> None:
        """Poll until ``condition`` is true in the page (a navigation may still replace the context meanwhile)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.evaluate(condition) is True:
                    return
            except RuntimeError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"page: {condition} still false after {timeout} s")

    def evaluate(self, expression: str) -> Any:
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        result = self.browser.send("Runtime.evaluate", params, session=self.session)
        if "exceptionDetails" in result:
            raise RuntimeError(str(result["exceptionDetails"]))
        return result["result"].get("value")
