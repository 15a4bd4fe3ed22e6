// The end-to-end harness: the real onward-server on a loopback port with the synthetic demo
// organisation, browser shells (one per tablet, each with its own profile directory), and
// Debian's Chromium driven by playwright-core. Binaries come from ONWARD_BIN_DIR (the
// target directory's debug or release folder), the built UI from ONWARD_DIST.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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
   * sets the key's cookie and lands on `/`.
   */
  async tablet(name) {
    const data = join(this.dir, name);
    mkdirSync(data, { recursive: true });
    const shell = spawn(
      join(BIN, "onward-browser"),
      ["--data", data, "--dist", DIST, "--listen", "127.0.0.1:0"],
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
 * Records what must never happen on a page: an uncaught error, or anything the
 * Content-Security-Policy blocked. Returns the list, for a test to assert empty.
 */
export function watch(page) {
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content.Security.Policy|panicked/i.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  return problems;
}

export async function launch() {
  return chromium.launch({
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

/** Controls smaller than 44×44 CSS pixels (WCAG 2.5.5 target size, enhanced). */
export async function smallTargets(page) {
  return page.evaluate(() => {
    const small = [];
    for (const el of document.querySelectorAll("button, a[href], input, select, textarea, summary, [role=tab]")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not shown
      if (el.classList.contains("skip")) continue; // off screen until focused
      // A checkbox or radio counts with its label, which is the touch target.
      let w = r.width;
      let h = r.height;
      if ((el.type === "checkbox" || el.type === "radio") && el.labels?.length) {
        const l = el.labels[0].getBoundingClientRect();
        const box = el.closest(".check")?.getBoundingClientRect() ?? l;
        w = Math.max(w, box.width);
        h = Math.max(h, box.height);
      }
      if (w < 44 || h < 44) {
        small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.getAttribute("aria-label") || el.id || "").trim().slice(0, 40)}" ${Math.round(w)}×${Math.round(h)}`);
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
