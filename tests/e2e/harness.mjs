// A small W3C WebDriver client and the processes an end-to-end run needs: Xvfb, tauri-driver
// (which spawns WebKitWebDriver, which launches the app). Plain fetch with a timeout on every
// request, so a hung driver fails the test instead of hanging CI.

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");
export const fixtures = join(here, "fixtures");
export const screenshotDir = join(here, "screenshots");

export const W3C_ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const REQUEST_TIMEOUT_MS = 60_000;

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Starts Xvfb on a display it picks itself (-displayfd), never a fixed number. */
function startXvfb() {
  return new Promise((res, rej) => {
    const proc = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1440x900x24", "-nolisten", "tcp"], {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => rej(new Error(`Xvfb did not report a display: ${err}`)), 20_000);
    proc.stderr.on("data", (d) => (err += d));
    proc.stdio[3].on("data", (d) => {
      out += d;
      if (out.includes("\n")) {
        clearTimeout(timer);
        res({ proc, display: `:${out.trim()}` });
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`Xvfb exited with ${code}: ${err}`));
    });
  });
}

function findTauriDriver() {
  const candidates = [process.env.TAURI_DRIVER, join(process.env.HOME ?? "/root", ".cargo/bin/tauri-driver")];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return "tauri-driver"; // on PATH
}

/** The core's CLI, built next to the app (cargo test --workspace builds it). */
export function cliBinary() {
  const target = process.env.CARGO_TARGET_DIR ?? join(repoRoot, "target");
  const bin = process.env.BEIAN_CLI_BINARY ?? join(target, "debug", "beian");
  if (!existsSync(bin)) throw new Error(`CLI binary not found at ${bin}; build it with cargo build`);
  return resolve(bin);
}

export function appBinary() {
  const target = process.env.CARGO_TARGET_DIR ?? join(repoRoot, "target");
  const bin = process.env.BEIAN_APP_BINARY ?? join(target, "debug", "beian-app");
  if (!existsSync(bin)) {
    throw new Error(`app binary not found at ${bin}; build it with ./dev (or set BEIAN_APP_BINARY)`);
  }
  return resolve(bin);
}

export class Session {
  constructor(base, id, procs, dataHome) {
    this.base = base;
    this.id = id;
    this.procs = procs;
    this.dataHome = dataHome;
  }

  async cmd(method, path, body) {
    const url = `${this.base}/session/${this.id}${path}`;
    const r = await fetch(url, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const json = await r.json();
    if (!r.ok || (json.value && json.value.error)) {
      const e = new Error(`${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
      e.webdriver = json.value?.error;
      throw e;
    }
    return json.value;
  }

  /** An element id as a script argument (the page receives the DOM element). */
  static el(id) {
    return { [W3C_ELEMENT]: id };
  }

  /** Runs a script in the page; the function body gets `arguments`. */
  exec(script, ...args) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** Runs an async script: the last argument is the callback to call with the result. */
  execAsync(script, ...args) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return v[W3C_ELEMENT];
  }

  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => e[W3C_ELEMENT]);
  }

  async findXPath(xpath) {
    const v = await this.cmd("POST", "/element", { using: "xpath", value: xpath });
    return v[W3C_ELEMENT];
  }

  click(el) {
    return this.cmd("POST", `/element/${el}/click`, {});
  }

  text(el) {
    return this.cmd("GET", `/element/${el}/text`);
  }

  type(el, text) {
    return this.cmd("POST", `/element/${el}/value`, { text });
  }

  clear(el) {
    return this.cmd("POST", `/element/${el}/clear`, {});
  }

  /**
   * Hands a path to the Import screen as a drop would. The screen sets its hook in an effect,
   * which can run a moment after the drop zone is on screen.
   */
  async openPath(path) {
    await this.waitFor("the Import screen's hook", () => this.exec("return !!window.__beianE2E;"));
    await this.exec("window.__beianE2E.openPath(arguments[0]);", path);
  }

  /** Presses keys (WebDriver key codes, e.g. "\uE015" for ArrowDown) on whatever has focus. */
  async keys(...keys) {
    const actions = keys.flatMap((value) => [
      { type: "keyDown", value },
      { type: "keyUp", value },
    ]);
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.cmd("DELETE", "/actions");
  }

  /** Polls until fn returns a truthy value; returns it. */
  async waitFor(what, fn, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      try {
        const v = await fn();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      await sleep(200);
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
  }

  /** Waits until an element matching the XPath exists and returns it. */
  waitXPath(xpath, timeoutMs) {
    return this.waitFor(`xpath ${xpath}`, () => this.findXPath(xpath), timeoutMs);
  }

  waitCss(css, timeoutMs) {
    return this.waitFor(`css ${css}`, () => this.find(css), timeoutMs);
  }

  /**
   * Waits until Ant Design's open/close animations have finished: a click that lands while a
   * dialog is still zooming in can miss its target on a loaded machine.
   */
  async settle(timeoutMs = 3_000) {
    await this.waitFor(
      "animations to finish",
      () =>
        this.exec(
          "return !document.getAnimations || document.getAnimations().every(a => a.playState !== 'running');",
        ),
      timeoutMs,
    ).catch(() => {});
    await sleep(150);
  }

  /** The visible text of the whole page. */
  bodyText() {
    return this.exec("return document.body.innerText;");
  }

  waitText(needle, timeoutMs) {
    return this.waitFor(`text ${JSON.stringify(needle)}`, async () => (await this.bodyText()).includes(needle), timeoutMs);
  }

  async screenshot(name) {
    // See `shippedDrawing` in startApp: WebKitWebDriver cannot take this picture then.
    if (this.shippedDrawing) return null;
    mkdirSync(screenshotDir, { recursive: true });
    // Let Ant Design's transitions settle so the picture shows the end state.
    await sleep(400);
    const b64 = await this.cmd("GET", "/screenshot");
    const file = join(screenshotDir, `${name}.png`);
    writeFileSync(file, Buffer.from(b64, "base64"));
    return file;
  }

  async close() {
    try {
      await fetch(`${this.base}/session/${this.id}`, { method: "DELETE", signal: AbortSignal.timeout(15_000) });
    } catch {
      // The driver may already be gone; the processes are killed below anyway.
    }
    for (const p of this.procs.reverse()) {
      if (p.exitCode === null) p.kill("SIGTERM");
    }
    await sleep(300);
    for (const p of this.procs) {
      if (p.exitCode === null) p.kill("SIGKILL");
    }
    if (!process.env.BEIAN_E2E_KEEP) rmSync(this.dataHome, { recursive: true, force: true });
  }
}

/**
 * Starts Xvfb, tauri-driver and the app with a fresh data directory; returns a Session.
 * `opts.db` points the app at a given database file (BEIAN_DB) instead of a fresh seeded one.
 *
 * The app draws without accelerated compositing (src-tauri/src/webview.rs), and WebKitWebDriver's
 * screenshot never returns for some screens drawn that way (the import preview): sessions turn
 * compositing back on (BEIAN_WEBKIT_COMPOSITING=1) so every screen can be photographed. With
 * `opts.shippedDrawing` the app draws as shipped and `screenshot()` takes no picture
 * (tests/e2e/drawing.test.mjs drives the main paths that way).
 */
export async function startApp(opts = {}) {
  const application = appBinary();
  const dataHome = mkdtempSync(join(tmpdir(), "beian-e2e-"));
  const procs = [];
  const log = (name) => (d) => {
    if (process.env.BEIAN_E2E_VERBOSE) process.stderr.write(`[${name}] ${d}`);
  };
  try {
    let display = process.env.DISPLAY;
    if (!display || process.env.BEIAN_E2E_XVFB !== "0") {
      const x = await startXvfb();
      procs.push(x.proc);
      display = x.display;
    }
    const port = await freePort();
    const nativePort = await freePort();
    const env = { ...process.env, DISPLAY: display, XDG_DATA_HOME: dataHome };
    // The database must start fresh: never inherit a developer's BEIAN_DB.
    delete env.BEIAN_DB;
    if (opts.db) env.BEIAN_DB = opts.db;
    if (opts.shippedDrawing) delete env.BEIAN_WEBKIT_COMPOSITING;
    else env.BEIAN_WEBKIT_COMPOSITING = "1";
    delete env.WAYLAND_DISPLAY;
    const driver = spawn(findTauriDriver(), ["--port", String(port), "--native-port", String(nativePort)], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    procs.push(driver);
    driver.stdout.on("data", log("tauri-driver"));
    driver.stderr.on("data", log("tauri-driver"));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const r = await fetch(`${base}/status`, { signal: AbortSignal.timeout(2_000) });
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (driver.exitCode !== null) throw new Error(`tauri-driver exited with ${driver.exitCode}`);
      if (Date.now() > deadline) throw new Error("tauri-driver did not start within 30 s");
      await sleep(250);
    }
    const r = await fetch(`${base}/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        capabilities: {
          alwaysMatch: { browserName: "wry", "tauri:options": { application } },
        },
      }),
      signal: AbortSignal.timeout(120_000),
    });
    const json = await r.json();
    if (!r.ok || !json.value?.sessionId) {
      throw new Error(`could not start a session: ${JSON.stringify(json)}`);
    }
    const session = new Session(base, json.value.sessionId, procs, dataHome);
    session.shippedDrawing = !!opts.shippedDrawing;
    return session;
  } catch (e) {
    for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
    rmSync(dataHome, { recursive: true, force: true });
    throw e;
  }
}
