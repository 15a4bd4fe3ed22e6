// The real Tauri window under Xvfb, driven through tauri-driver and WebKitWebDriver: sign in,
// open a participant, log a session, and find it again after restarting the app. Skipped,
// with a message saying why, only where tauri-driver, WebKitWebDriver, Xvfb or the built app
// are missing (`cargo xtask test` installs and builds them).

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, BIN, PASSWORD, World } from "../lib/harness.mjs";

const APP = join(BIN, "onward-app");
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const missing = [
  ["tauri-driver", has("tauri-driver")],
  ["WebKitWebDriver", has("WebKitWebDriver")],
  ["xvfb-run", has("xvfb-run")],
  [APP, existsSync(APP)],
]
  .filter(([, ok]) => !ok)
  .map(([what]) => what);
const skip = missing.length ? `SKIPPED: the Tauri window test needs ${missing.join(", ")}` : false;
if (skip) console.log(skip);

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** A minimal W3C WebDriver client over fetch. */
class Driver {
  constructor(url) {
    this.url = url;
  }

  async req(method, path, body) {
    const r = await fetch(`${this.url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await r.json();
    if (!r.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  }

  async start() {
    const value = await this.req("POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application: APP } } },
    });
    this.session = value.sessionId;
  }

  async quit() {
    if (this.session) await this.req("DELETE", `/session/${this.session}`);
    this.session = undefined;
  }

  /** Waits for an element matched by `xpath`, up to `ms`. */
  async find(xpath, ms = 20000) {
    const until = Date.now() + ms;
    for (;;) {
      try {
        const found = await this.req("POST", `/session/${this.session}/elements`, { using: "xpath", value: xpath });
        if (found.length) return found[0][ELEMENT];
      } catch {
        // the page is still loading
      }
      if (Date.now() > until) throw new Error(`no element matches ${xpath}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async click(xpath) {
    await this.req("POST", `/session/${this.session}/element/${await this.find(xpath)}/click`, {});
  }

  async type(label, text) {
    const el = await this.find(`//*[@id=//label[normalize-space()='${label}']/@for]`);
    await this.req("POST", `/session/${this.session}/element/${el}/clear`, {});
    await this.req("POST", `/session/${this.session}/element/${el}/value`, { text });
  }

  async text(xpath) {
    return this.req("GET", `/session/${this.session}/element/${await this.find(xpath)}/text`);
  }

  async screenshot(name) {
    const png = await this.req("GET", `/session/${this.session}/screenshot`);
    const dir = join(ARTIFACTS, "tauri-window");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.png`), Buffer.from(png, "base64"));
  }
}

const button = (name) => `//button[normalize-space()='${name}']`;
const nav = (name) => `//nav[@aria-label='Main']//button[normalize-space()='${name}']`;

describe("the Tauri window", { skip }, () => {
  let world;
  let driver;
  let tauriDriver;
  let data;

  before(async () => {
    world = new World();
    await world.startServer();
    data = join(world.dir, "window-profile");
    const port = 4444 + Math.floor(Math.random() * 500);
    tauriDriver = spawn("xvfb-run", ["-a", "tauri-driver", "--port", String(port), "--native-port", String(port + 1000)], {
      env: { ...process.env, ONWARD_DATA: data },
      stdio: ["ignore", "ignore", "inherit"],
      // Its own process group, so Xvfb, tauri-driver, WebKitWebDriver and the app all stop
      // with it (xvfb-run alone leaves them running, and the test runner waits on them).
      detached: true,
    });
    driver = new Driver(`http://127.0.0.1:${port}`);
    const until = Date.now() + 30000;
    for (;;) {
      try {
        const status = await driver.req("GET", "/status");
        if (status.ready !== false) break;
      } catch {
        // not up yet
      }
      if (Date.now() > until) throw new Error("tauri-driver did not start");
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    await driver?.quit().catch(() => {});
    if (tauriDriver?.pid) {
      try {
        process.kill(-tauriDriver.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await world?.close();
  });

  test("sign in, log a session, and find it after restarting the app", async () => {
    await driver.start();
    await driver.find("//h1[normalize-space()='Set up this tablet']");
    await driver.type("Server address", world.url);
    await driver.click("//summary[normalize-space()='Sign in with a username instead']");
    await driver.type("Username", "mentor1");
    await driver.type("Password", PASSWORD);
    await driver.click(button("Set up this tablet"));
    await driver.find("//nav[@aria-label='Main']");
    await driver.click(button("Sync now"));
    await driver.find("//*[normalize-space()='Synced.']");
    await driver.click(nav("Caseload"));
    const name = (await driver.text("(//table//button)[1]")).trim();
    await driver.click("(//table//button)[1]");
    await driver.find(`//h1[normalize-space()='${name}']`);
    await driver.click("//button[@role='tab' and normalize-space()='Sessions']");
    await driver.type("Duration (minutes)", "30");
    await driver.type("Shared summary", "Logged in the Tauri window.");
    await driver.click(button("Save session"));
    await driver.find("//*[contains(normalize-space(), 'Session saved.')]");
    await new Promise((r) => setTimeout(r, 1000));
    await driver.screenshot("session-logged");
    await driver.quit();

    await driver.start();
    await driver.find("//nav[@aria-label='Main']");
    await driver.click(nav("Caseload"));
    await driver.click(`//table//button[normalize-space()='${name}']`);
    await driver.click("//button[@role='tab' and normalize-space()='Sessions']");
    const found = await driver.text("//*[contains(normalize-space(), 'Logged in the Tauri window.')]");
    assert.match(found, /Logged in the Tauri window\./);
    await new Promise((r) => setTimeout(r, 1000));
    await driver.screenshot("after-restart");
  });
});
