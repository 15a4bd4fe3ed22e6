// The end-to-end harness: the real onward-server on a loopback port with the synthetic demo
// organisation, browser shells (one per tablet, each with its own profile directory), and
// Debian's Chromium driven by playwright-core. Binaries come from ONWARD_BIN_DIR (the
// target directory's debug or release folder), the built UI from ONWARD_DIST.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, afterEach } from "node:test";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../../..");
export const BIN = process.env.ONWARD_BIN_DIR ?? join(root, "target/debug");
export const DIST = process.env.ONWARD_DIST ?? join(root, "dist");
export const ARTIFACTS = process.env.ONWARD_ARTIFACTS ?? join(root, "target/e2e-artifacts");
export const PASSWORD = "onward-demo";

export const VIEWPORTS = [
  { name: "portrait-768x1024", width: 768, height: 1024 },
  { name: "landscape-1024x768", width: 1024, height: 768 },
  { name: "laptop-1280x800", width: 1280, height: 800 },
];

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

async function waitFor(check, what, ms = 20000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A world: a temp dir, a server with the demo organisation, and tablets. */
export class World {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "onward-e2e-"));
    this.children = [];
  }

  serverEnv() {
    return {
      ...process.env,
      ONWARD_DATABASE_URL: `sqlite://${join(this.dir, "server.db")}`,
      ONWARD_LISTEN: `127.0.0.1:${this.port}`,
      ONWARD_LOG: "warn",
    };
  }

  /** Creates the demo organisation and starts the server. */
  async startServer({ participants = 12 } = {}) {
    if (!this.port) {
      this.port = await freePort();
      const seeded = spawnSync(join(BIN, "onward-server"), ["seed-demo", "--participants", String(participants)], {
        env: this.serverEnv(),
        encoding: "utf8",
      });
      if (seeded.status !== 0) throw new Error(`seed-demo failed: ${seeded.stderr}`);
    }
    this.server = spawn(join(BIN, "onward-server"), ["serve"], {
      env: this.serverEnv(),
      stdio: ["ignore", "ignore", "inherit"],
    });
    this.children.push(this.server);
    await waitFor(async () => (await fetch(`${this.url}/health`)).ok, "the server");
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Runs an `onward-server` admin command on this world's database; its JSON answer. */
  admin(args) {
    const out = spawnSync(join(BIN, "onward-server"), ["--json", ...args], {
      env: this.serverEnv(),
      encoding: "utf8",
    });
    if (out.status !== 0) throw new Error(`onward-server ${args.join(" ")} failed: ${out.stderr}`);
    return JSON.parse(out.stdout);
  }

  /** The demo organisation's people: `{ id, role, cleared, … }`. */
  users() {
    return this.admin(["users", "--org", "Demo Mentoring Charity"]).users;
  }

  async stopServer() {
    const s = this.server;
    if (!s || s.exitCode !== null) return;
    const exited = new Promise((r) => s.once("exit", r));
    s.kill("SIGTERM");
    await exited;
  }

  /**
   * Starts a browser shell on a new profile directory; returns the address it prints on its
   * first line, with the key made for this start (`http://127.0.0.1:PORT/?key=KEY`). Opening it
   * sets the key's cookie and lands on `/`. `syncEveryMs` and `syncSoonMs` shorten its
   * background sync (between syncs, and after an edit).
   */
  async tablet(name, { syncEveryMs, syncSoonMs } = {}) {
    const data = join(this.dir, name);
    mkdirSync(data, { recursive: true });
    const timing = [];
    if (syncEveryMs !== undefined) timing.push("--sync-every-ms", String(syncEveryMs));
    if (syncSoonMs !== undefined) timing.push("--sync-soon-ms", String(syncSoonMs));
    const shell = spawn(
      join(BIN, "onward-browser"),
      ["--data", data, "--dist", DIST, "--listen", "127.0.0.1:0", ...timing],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    this.children.push(shell);
    const url = await new Promise((ok, fail) => {
      let out = "";
      shell.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/running at (http:\/\/127\.0\.0\.1:\d+\/\?key=[0-9a-f]{64})\n/);
        if (m) ok(m[1]);
        else if (out.includes("\n")) fail(new Error(`onward-browser printed ${JSON.stringify(out.split("\n")[0].replace(/key=\w+/, "key=…"))}`));
      });
      shell.once("exit", (code) => fail(new Error(`onward-browser exited (${code})`)));
    });
    return url;
  }

  async close() {
    for (const c of this.children) {
      if (c.exitCode === null) c.kill("SIGTERM");
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * What went wrong in any page of any browser from `launch()` since the last test ended: page
 * errors (uncaught exceptions, a WebAssembly trap), `console.error` calls and Rust panics
 * (the panic hook logs them). Every test fails if this is not empty when it ends (the hooks
 * below), so a panic in the UI can never pass unnoticed.
 */
const problems = [];

/** The problems seen since the last call, and forgets them. */
export function takePageProblems() {
  return problems.splice(0);
}

function failOnPageProblems() {
  const seen = takePageProblems();
  if (seen.length) {
    throw new Error(`the page reported ${seen.length} problem(s):\n${seen.join("\n")}`);
  }
}
// Only under the test runner: a script that borrows the harness (the start-up benchmark) must
// not start node:test's own reporting.
if (process.env.NODE_TEST_CONTEXT) {
  afterEach(failOnPageProblems);
  after(failOnPageProblems);
}

/**
 * The browser shell answers a refused request (a wrong password, an invalid form value, a
 * server that cannot be reached) with an HTTP error status and the ApiError as JSON, which the
 * UI shows in words; Chromium also logs each such answer as a console error. Those are
 * expected; any other console error is not.
 */
function expectedConsoleError(msg) {
  const url = msg.location()?.url ?? "";
  return (
    /^Failed to load resource: the server responded with a status of \d{3}/.test(msg.text()) &&
    /\/api\/call\//.test(url)
  );
}

/** Records the problems `page` reports. */
export function watchPage(page) {
  const where = () => {
    try {
      return new URL(page.url()).hash || "/";
    } catch {
      return "?";
    }
  };
  page.on("pageerror", (e) => problems.push(`page error at ${where()}: ${e.message}`));
  page.on("console", (msg) => {
    const text = msg.text();
    if (/panicked at|RuntimeError: unreachable/.test(text)) {
      problems.push(`Rust panic at ${where()}: ${text.slice(0, 2000)}`);
    } else if (msg.type() === "error" && !expectedConsoleError(msg)) {
      const from = msg.location()?.url ? ` (${msg.location().url})` : "";
      problems.push(`console.error at ${where()}: ${text.slice(0, 2000)}${from}`);
    }
  });
  page.on("crash", () => problems.push(`the page crashed at ${where()}`));
}

/**
 * Launches Chromium; every page opened in it (through `newContext` or `newPage`, which uses
 * it) is watched for problems (`watchPage`).
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => {
    const context = await newContext(...args);
    context.on("page", watchPage);
    return context;
  };
  return browser;
}

/** Signs a tablet in with a demo username through the enrolment screen. */
export async function signIn(page, tabletUrl, serverUrl, username) {
  await page.goto(tabletUrl);
  await page.getByRole("heading", { name: "Set up this tablet" }).waitFor();
  await page.getByLabel("Server address").fill(serverUrl);
  await page.getByText("Sign in with a username instead").click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Name for this tablet").fill(`E2E ${username}`);
  await page.getByRole("button", { name: "Set up this tablet" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

const axeSource = readFileSync(join(import.meta.dirname, "../node_modules/axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core for WCAG 2.2 A/AA and returns the violations. axe is evaluated through the
 * DevTools protocol rather than added as an inline script, which the shell's CSP refuses.
 */
export async function axe(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
  });
}

/**
 * Controls smaller than 44×44 CSS pixels (WCAG 2.5.5 target size, enhanced): every button,
 * link, tab, summary, input, select and text area on screen. A checkbox or radio button counts
 * as its own box, or as the `<label>` around it when there is one (a tap anywhere on that label
 * works the control); a box merely sitting in a tall row does not count. Each label of a
 * checkbox or radio button is a touch target too and is measured the same way.
 */
export async function smallTargets(page) {
  return page.evaluate(() => {
    const small = [];
    const describe = (el) => {
      const kind = el.tagName === "INPUT" ? `input[${el.type}]` : el.tagName.toLowerCase();
      const name = (el.innerText || el.labels?.[0]?.innerText || el.getAttribute("aria-label") || el.id || "")
        .trim()
        .slice(0, 40);
      return `${kind} "${name}"`;
    };
    const measure = (el, box, what) => {
      if (box.width < 44 || box.height < 44) {
        small.push(`${what} ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    };
    const shown = (el) => {
      const r = el.getBoundingClientRect();
      return !(r.width === 0 && r.height === 0) && getComputedStyle(el).visibility !== "hidden";
    };
    const selector = "button, a[href], input:not([type=hidden]), select, textarea, summary, [role=tab]";
    for (const el of document.querySelectorAll(selector)) {
      if (!shown(el)) continue; // not shown
      if (el.classList.contains("skip")) continue; // off screen until focused
      if (el.type === "checkbox" || el.type === "radio") {
        const wrapper = el.closest("label");
        measure(el, (wrapper ?? el).getBoundingClientRect(), describe(el));
        for (const label of el.labels ?? []) {
          if (label !== wrapper && shown(label)) {
            measure(label, label.getBoundingClientRect(), `label of ${describe(el)}`);
          }
        }
      } else {
        measure(el, el.getBoundingClientRect(), describe(el));
      }
    }
    return small;
  });
}

/** Saves a full-page screenshot as a test artifact. */
export async function shot(page, viewport, name) {
  const dir = join(ARTIFACTS, viewport);
  mkdirSync(dir, { recursive: true });
  // From the top, so the pinned sync bar is drawn where it sits, not where the page was
  // scrolled to.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** Presses "Sync now" and waits until the sync bar says it synced. */
export async function syncNow(page) {
  await page.getByRole("button", { name: "Sync now" }).click();
  await page.getByText(/^Synced/).waitFor();
  await page.getByRole("button", { name: "Sync now" }).waitFor();
}

/** Screenshots the screen, then fails on any axe violation or touch target under 44px. */
export async function checkScreen(page, vp, name) {
  await page.waitForTimeout(150);
  await shot(page, vp.name, name);
  const violations = await axe(page);
  assert.deepEqual(violations, [], `${name} at ${vp.name}: accessibility violations`);
  const small = await smallTargets(page);
  assert.deepEqual(small, [], `${name} at ${vp.name}: touch targets under 44px`);
}
