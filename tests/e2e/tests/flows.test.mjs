// The mentor's flows end to end, at three tablet and laptop sizes: the real server, browser
// shells for two of a mentor's tablets and a coordinator's, and headless Chromium finding
// everything by accessible role and label. Every screen is screenshotted, checked with
// axe-core for WCAG 2.2 AA and measured for 44px touch targets.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { VIEWPORTS, World, axe, launch, shot, signIn, smallTargets, watch } from "../lib/harness.mjs";

const waiting = /change(s)? waiting to reach the office/;

async function syncNow(page) {
  await page.getByRole("button", { name: "Sync now" }).click();
  await page.getByText(/^Synced/).waitFor();
  await page.getByRole("button", { name: "Sync now" }).waitFor();
}

async function openFirstParticipant(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Caseload" }).click();
  const first = page.getByRole("table").getByRole("button").first();
  const name = (await first.innerText()).trim();
  await first.click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
  return name;
}

async function openParticipant(page, name, tab) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Caseload" }).click();
  await page.getByRole("table").getByRole("button", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
  if (tab) await page.getByRole("tab", { name: tab }).click();
}

// Page errors and CSP refusals seen on each page, checked with every screen.
const problems = new Map();

async function checkScreen(page, vp, name) {
  await page.waitForTimeout(150);
  assert.deepEqual(problems.get(page) ?? [], [], `${name} at ${vp.name}: page errors or CSP refusals`);
  await shot(page, vp.name, name);
  const violations = await axe(page);
  assert.deepEqual(violations, [], `${name} at ${vp.name}: accessibility violations`);
  const small = await smallTargets(page);
  assert.deepEqual(small, [], `${name} at ${vp.name}: touch targets under 44px`);
}

for (const vp of VIEWPORTS) {
  describe(vp.name, () => {
    let world;
    let browser;
    let a; // mentor1's first tablet
    let b; // mentor1's second tablet
    let c; // the coordinator's
    let name; // the participant the flows use
    const tag = `${vp.width}x${vp.height}`;

    before(async () => {
      world = new World();
      await world.startServer();
      browser = await launch();
      const page = async () => {
        const ctx = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, locale: "en-GB", timezoneId: "Europe/London" });
        const p = await ctx.newPage();
        problems.set(p, watch(p));
        return p;
      };
      a = await page();
      b = await page();
      c = await page();
    });

    after(async () => {
      await browser?.close();
      await world?.close();
    });

    test("sign in on two of a mentor's tablets and the coordinator's", async () => {
      const urlA = await world.tablet("mentor-a");
      await a.goto(urlA);
      await a.getByRole("heading", { name: "Set up this tablet" }).waitFor();
      await checkScreen(a, vp, "01-enrol");
      // A wrong password is refused with a reason, and the form keeps what was typed.
      await a.getByLabel("Server address").fill(world.url);
      await a.getByText("Sign in with a username instead").click();
      await a.getByLabel("Username").fill("mentor1");
      await a.getByLabel("Password").fill("not the password");
      await a.getByRole("button", { name: "Set up this tablet" }).click();
      await a.getByRole("alert").filter({ hasText: "not accepted" }).waitFor();
      assert.equal(await a.getByLabel("Server address").inputValue(), world.url);
      await signIn(a, urlA, world.url, "mentor1");
      await signIn(b, await world.tablet("mentor-b"), world.url, "mentor1");
      await signIn(c, await world.tablet("coordinator"), world.url, "coordinator");
      await a.getByRole("heading", { name: "Today", exact: true }).waitFor();
    });

    test("log a session while the server is stopped, sync when it returns, see it on the other tablet", async () => {
      await syncNow(a);
      await syncNow(b);
      name = await openFirstParticipant(a);
      await world.stopServer();
      await a.getByRole("tab", { name: "Sessions" }).click();
      const summary = `We practised interview answers (${tag}).`;
      await a.getByLabel("Duration (minutes)").fill("0");
      await a.getByText("Enter a number from 1 to 720").waitFor();
      await a.getByLabel("Duration (minutes)").fill("45");
      await a.getByLabel("Mood before (1 to 5)").fill("2");
      await a.getByLabel("Mood after (1 to 5)").fill("4");
      await a.getByLabel("Work", { exact: true }).check();
      await a.getByLabel("Shared summary").fill(summary);
      await a.getByLabel("Private notes").fill("Seemed tired; check in about sleep.");
      await a.getByRole("button", { name: "Save session" }).click();
      await a.getByRole("status").filter({ hasText: "Session saved. It will reach the office" }).waitFor();
      await a.getByText(waiting).waitFor();
      await a.getByText("Saved on this tablet.").waitFor();
      // With the server down, Sync now says so in plain words and keeps the changes.
      await a.getByRole("button", { name: "Sync now" }).click();
      await a.getByText(/could not reach the office/).first().waitFor();
      await a.getByText(waiting).waitFor();
      await checkScreen(a, vp, "02-sessions-waiting");

      // Until it is signed off, a session can be changed; afterwards only addenda.
      const card = a.getByRole("article").filter({ hasText: summary });
      await card.getByRole("button", { name: "Change this session" }).click();
      await card.getByLabel("Duration (minutes)").fill("50");
      await card.getByRole("button", { name: "Save changes" }).click();
      await a.getByRole("status").filter({ hasText: "Session changed." }).waitFor();
      const changed = a.getByRole("article").filter({ hasText: summary });
      await changed.getByRole("heading", { name: /50 minutes/ }).waitFor();
      await changed.getByRole("button", { name: "Sign off this session" }).click();
      await a.getByRole("article").filter({ hasText: summary }).getByText("Signed off.").waitFor();
      assert.equal(await a.getByRole("article").filter({ hasText: summary }).getByRole("button", { name: "Change this session" }).count(), 0);

      await world.startServer();
      await syncNow(a);
      await a.getByText("No changes waiting").waitFor();
      await syncNow(b);
      await openParticipant(b, name, "Sessions");
      await b.getByText(summary).waitFor();
      await b.getByRole("article").filter({ hasText: summary }).getByRole("heading", { name: /50 minutes/ }).waitFor();
    });

    test("set a goal and review it", async () => {
      await openParticipant(a, name, "Goals");
      const title = `Get my forklift licence (${tag})`;
      await a.getByRole("button", { name: "Save goal" }).click();
      await a.getByText("Enter the goal, in their words").waitFor();
      await a.getByLabel("Goal, in their words").fill(title);
      // Closing the app (here: reloading the page) keeps what was typed.
      await a.waitForTimeout(300);
      await a.reload();
      await a.getByRole("tab", { name: "Goals", selected: true }).waitFor();
      await a.waitForFunction(
        (t) => [...document.querySelectorAll("input")].some((i) => i.value === t),
        title,
      );
      assert.equal(await a.getByLabel("Goal, in their words").inputValue(), title);
      await a.getByLabel("Pathway").selectOption({ label: "Work" });
      await a.getByLabel("Why it matters to them").fill("So I can apply for warehouse jobs.");
      await a.getByRole("button", { name: "Save goal" }).click();
      await a.getByRole("status").filter({ hasText: "Goal added." }).waitFor();
      const card = a.getByRole("article", { name: title });
      await card.getByRole("button", { name: "Review progress" }).click();
      await card.getByLabel("How is it going? (0 to 10)").fill("11");
      await card.getByText("Enter a number from 0 to 10").waitFor();
      await card.getByRole("button", { name: "Save review" }).click();
      await card.getByRole("alert").waitFor();
      await card.getByLabel("How is it going? (0 to 10)").fill("4");
      await card.getByLabel("Comment, in their words").fill("Booked the course.");
      await card.getByRole("button", { name: "Save review" }).click();
      await a.getByRole("article", { name: title }).getByText("Latest review: 4 out of 10").waitFor();
      await a.getByRole("article", { name: title }).getByRole("button", { name: "Participant signs off this goal" }).click();
      await a.getByRole("article", { name: title }).getByText("Signed off by the participant.").waitFor();
      await checkScreen(a, vp, "03-goals");
      await a.getByRole("article", { name: title }).getByRole("button", { name: "Mark as achieved" }).click();
      await a.getByRole("article", { name: title }).getByText(/Work · Achieved/).waitFor();
      // Changing the goal later: a new review date, kept in the edit form's draft meanwhile.
      await a.getByRole("article", { name: title }).getByRole("button", { name: "Change goal" }).click();
      await a.getByRole("article", { name: title }).getByLabel("Why it matters to them").fill("So I can apply for warehouse jobs near home.");
      await a.getByRole("article", { name: title }).getByRole("button", { name: "Save changes" }).click();
      await a.getByRole("article", { name: title }).getByText("Why it matters: So I can apply for warehouse jobs near home.").waitFor();
    });

    test("plan an appointment and record that the mentor went", async () => {
      await openParticipant(a, name, "Appointments");
      const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
      await a.getByLabel("Date and time").fill(`${tomorrow}T10:30`);
      await a.getByLabel("Kind of appointment").selectOption({ label: "Job centre" });
      await a.getByLabel("With whom").fill(`Work coach ${tag}`);
      await a.getByLabel("I will go with them").check();
      await a.getByRole("button", { name: "Save appointment" }).click();
      await a.getByRole("status").filter({ hasText: "Appointment planned." }).waitFor();
      const card = a.getByRole("article").filter({ hasText: `Work coach ${tag}` });
      await card.getByRole("button", { name: "Record what happened" }).click();
      await card.getByLabel("What happened").selectOption({ label: "Attended" });
      await card.getByLabel("I went with them").check();
      await card.getByLabel("Outcome").fill("Signed on; next review in two weeks.");
      await card.getByLabel("Travel expenses (£)").fill("4.5x");
      await card.getByText("Enter an amount like 4.50").waitFor();
      await card.getByLabel("Travel expenses (£)").fill("4.50");
      await card.getByRole("button", { name: "Save what happened" }).click();
      const saved = a.getByRole("article").filter({ hasText: `Work coach ${tag}` });
      await saved.getByText("Travel expenses: £4.50").waitFor();
      await saved.getByText(/mentor went with them/).waitFor();
      await checkScreen(a, vp, "04-appointments");
    });

    test("raise a concern and see it on the coordinator's device after sync", async () => {
      await openParticipant(a, name, "Concerns");
      const what = `Says the landlord is threatening to evict (${tag}).`;
      await a.getByLabel("Category").selectOption({ label: "Housing" });
      await a.getByLabel("Urgency").selectOption({ label: "High" });
      await a.getByLabel("What happened").fill(what);
      await a.getByRole("button", { name: "Raise concern" }).click();
      await a.getByRole("status").filter({ hasText: "Concern raised." }).waitFor();
      await checkScreen(a, vp, "05-concerns");
      await syncNow(a);
      await syncNow(c);
      await c.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Today" }).click();
      await c.getByRole("region", { name: "Open safeguarding concerns" }).getByRole("button", { name }).first().click();
      await c.getByText(what).waitFor();
      // The coordinator responds; the mentor sees the response after both sync.
      const concern = c.getByRole("article").filter({ hasText: what });
      await concern.getByRole("button", { name: "Respond" }).click();
      await concern.getByLabel("Response").fill(`Spoke to the housing officer (${tag}).`);
      await concern.getByLabel("Status").selectOption({ label: "Acknowledged" });
      await concern.getByRole("button", { name: "Save response" }).click();
      await c.getByRole("article").filter({ hasText: what }).getByText(/Acknowledged\): Spoke to the housing officer/).waitFor();
      await checkScreen(c, vp, "06-concern-response");
      await syncNow(c);
      await syncNow(a);
      await a.getByRole("article").filter({ hasText: what }).getByText(/Spoke to the housing officer/).waitFor();
    });

    test("change a participant's details; record a qualification and a progression, and check it lasted", async () => {
      await openParticipant(a, name, "Overview");
      await a.getByRole("button", { name: "Change details" }).click();
      await a.getByLabel("Programme").fill(`Next Steps ${tag}`);
      await a.getByLabel("Somewhere to live").check();
      await a.getByRole("button", { name: "Save details" }).click();
      await a.getByRole("status").filter({ hasText: "Details saved." }).waitFor();
      await a.getByText(`Next Steps ${tag} · Active`).waitFor();
      await a.locator("dd").filter({ hasText: "Somewhere to live" }).waitFor();

      await a.getByRole("tab", { name: "Achievements" }).click();
      await a.getByLabel("Kind").selectOption({ label: "Qualification" });
      await a.getByLabel("What they achieved").fill(`Food hygiene (${tag})`);
      await a.getByLabel("Level").fill("2");
      await a.getByLabel("A certificate was issued").check();
      await a.getByRole("button", { name: "Save achievement" }).click();
      await a.getByRole("status").filter({ hasText: "Achievement recorded." }).waitFor();
      await a.getByText("Level 2 · certificate issued").first().waitFor();

      const started = new Date(Date.now() - 20 * 7 * 86400000).toISOString().slice(0, 10);
      await a.getByLabel("Into").selectOption({ label: "Into work" });
      await a.getByLabel("Job, course or placement").fill(`Kitchen porter (${tag})`);
      await a.getByLabel("Start date").fill(started);
      await a.getByRole("button", { name: "Save progression" }).click();
      await a.getByRole("status").filter({ hasText: "Progression recorded." }).waitFor();
      const row = a.getByRole("listitem").filter({ hasText: `Kitchen porter (${tag})` });
      await row.getByText("26-week check due").waitFor();
      await row.getByRole("group", { name: "13-week check" }).getByRole("button", { name: "Yes" }).click();
      await a.getByRole("listitem").filter({ hasText: `Kitchen porter (${tag})` }).getByText("13 weeks: still going").waitFor();
      await checkScreen(a, vp, "07-achievements");
    });

    test("every screen at this size", async () => {
      const nav = (label) => a.getByRole("navigation", { name: "Main" }).getByRole("button", { name: label }).click();
      await nav("Today");
      await a.getByRole("heading", { name: "Today", exact: true }).waitFor();
      await checkScreen(a, vp, "10-today");
      await nav("Caseload");
      await a.getByRole("table").waitFor();
      await checkScreen(a, vp, "11-caseload");
      await nav("Settings");
      await a.getByRole("heading", { name: "Text size" }).waitFor();
      await checkScreen(a, vp, "12-settings");
      for (const [i, tab] of ["Overview", "Goals", "Sessions", "Appointments", "Achievements", "Check-ins", "Concerns"].entries()) {
        await openParticipant(a, name, tab);
        await a.getByRole("tab", { name: tab, selected: true }).waitFor();
        await checkScreen(a, vp, `2${i}-participant-${tab.toLowerCase()}`);
      }
    });
  });
}
