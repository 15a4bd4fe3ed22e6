// The browser shell attacked by a real page in a real browser: the mentor has the shell open
// (its cookie is set), then visits a page on another port of the same computer — the same
// *site*, so even a SameSite=Strict cookie goes along — which tries what a malicious page can:
// a no-preflight text/plain POST to enrol the tablet, a JSON POST, reading the change counter,
// an auto-submitted form, and framing the shell. The enrolments it tries would work (the real
// server, a demo user's password), so a shell that let one through would end up with a profile.
// Nothing may change.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { PASSWORD, World, launch, takePageProblems } from "../lib/harness.mjs";

function attackPage(shell, server) {
  const ENROL = JSON.stringify({ server, username: "mentor1", password: PASSWORD, device_name: "Attacker" });
  const formName = ENROL.slice(0, -1) + ',"pad":"';
  return `<!doctype html><title>Attacker</title>
<iframe id="framed" src="${shell}/" title="framed"></iframe>
<form id="form" method="POST" action="${shell}/api/call/enrol" enctype="text/plain" target="sink">
  <input name='${formName}' value='"}'>
</form>
<iframe name="sink" title="sink"></iframe>
<script>
  const results = {};
  const tries = [
    ["text/plain no-cors", () => fetch("${shell}/api/call/enrol", { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: ${JSON.stringify(ENROL)} })],
    ["json cors", () => fetch("${shell}/api/call/enrol", { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: ${JSON.stringify(ENROL)} }).then((r) => r.text())],
    ["read changes", () => fetch("${shell}/api/changes?after=0", { credentials: "include" }).then((r) => r.text())],
    ["read session", () => fetch("${shell}/api/call/session", { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: "{}" }).then((r) => r.text())],
  ];
  (async () => {
    for (const [name, go] of tries) {
      try { const r = await go(); results[name] = typeof r === "string" ? "read: " + r : "sent (opaque)"; }
      catch (e) { results[name] = "blocked"; }
    }
    document.getElementById("form").submit();
    await new Promise((r) => setTimeout(r, 1000));
    window.results = results;
  })();
</script>`;
}

let world;
let browser;
let attacker;

before(async () => {
  world = new World();
  await world.startServer();
  browser = await launch();
});

after(async () => {
  attacker?.close();
  await browser?.close();
  await world?.close();
});

test("a page on another port of this computer cannot use the shell, even with its cookie set", async () => {
  const address = await world.tablet("victim");
  const { origin: shell } = new URL(address);
  const key = new URL(address).searchParams.get("key");
  const session = async () => {
    const r = await fetch(`${shell}/api/call/session`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-onward-key": key },
      body: "{}",
    });
    assert.equal(r.status, 200);
    return r.json();
  };

  const page = await (await browser.newContext()).newPage();
  await page.goto(address);
  assert.equal(new URL(page.url()).search, "", "the key left the address bar");
  await page.getByRole("heading", { name: "Set up this tablet" }).waitFor();
  // Its own page runs under its CSP without a refusal or an error (CSP refusals are console
  // errors, which the harness records).
  assert.deepEqual(takePageProblems(), [], "the shell's own page runs under its CSP");
  const cookies = await page.context().cookies(shell);
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].sameSite, "Strict");

  attacker = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(attackPage(shell, world.url));
  });
  await new Promise((ok) => attacker.listen(0, "127.0.0.1", ok));
  await page.goto(`http://127.0.0.1:${attacker.address().port}/`);
  const results = await page.waitForFunction(() => window.results, null, { timeout: 20000 }).then((h) => h.jsonValue());

  // The attacker's page logs its blocked requests and the refused frame: expected here.
  takePageProblems();
  // The browser may send the opaque text/plain POST; the shell must refuse it. Nothing the
  // attacker reads may come back.
  assert.equal(results["json cors"], "blocked", JSON.stringify(results));
  assert.equal(results["read changes"], "blocked", JSON.stringify(results));
  assert.equal(results["read session"], "blocked", JSON.stringify(results));
  // The framed shell is not shown.
  const framed = page.frames().find((f) => f.name() === "" && f.url().startsWith(shell));
  if (framed) {
    assert.equal(await framed.getByRole("heading", { name: "Set up this tablet" }).count(), 0, "the shell was framed");
  }

  // Nothing changed: still no profile, as the shell's own page and a direct query both say.
  assert.deepEqual(await session(), { identity: null });
  await page.goto(`${shell}/`);
  await page.getByRole("heading", { name: "Set up this tablet" }).waitFor();
});
