// The mentor's flows end to end, at three tablet and laptop sizes: the real server, browser
// shells for two of a mentor's tablets and a coordinator's, and headless Chromium finding
// everything by accessible role and label. Every screen is screenshotted, checked with
// axe-core for WCAG 2.2 AA and measured for 44px touch targets. Any page error, console
// error or Rust panic in any page fails the test it happens in (the harness watches).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { VIEWPORTS, World, axe, launch, shot, signIn, smallTargets, takePageProblems, checkScreen, syncNow } from "../lib/harness.mjs";

const waiting = /change(s)? waiting to reach the office/;


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


// The harness's own checks must be able to fail, or they prove nothing.
describe("the harness", () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test("the touch-target check measures checkboxes and radio buttons themselves", async () => {
    const page = await browser.newPage({ viewport: { width: 768, height: 1024 } });
    const old = `<style>
        .check { display: flex; align-items: center; gap: 0.5rem; min-height: 44px; }
        .check input { width: 28px; height: 28px; min-height: 28px; margin: 8px; }
      </style>
      <div class="check"><input type="checkbox" id="a"><label for="a">Work</label></div>
      <div class="check"><input type="radio" name="r" id="b"><label for="b">Larger</label></div>`;
    await page.setContent(old);
    const small = await smallTargets(page);
    assert.equal(small.length, 4, `the old 28px style passed: ${JSON.stringify(small)}`);
    assert.match(small.join("\n"), /input\[checkbox\] "Work" 28×28/);
    assert.match(small.join("\n"), /input\[radio\] "Larger" 28×28/);
    await page.setContent(`<style>
        .check { display: flex; align-items: center; gap: 0.6rem; min-height: 48px; min-width: 48px; }
        .check input { width: 30px; height: 30px; margin: 0; }
      </style>
      <label class="check" for="a"><input type="checkbox" id="a"><span>Work</span></label>
      <label class="check" for="b"><input type="radio" name="r" id="b"><span>Larger</span></label>
      <input type="text" aria-label="Tiny" style="height: 20px">`);
    assert.deepEqual(await smallTargets(page), [`input[text] "Tiny" ${Math.round(await page.getByLabel("Tiny").evaluate((e) => e.getBoundingClientRect().width))}×20`]);
    await page.close();
  });

  test("a panic, a page error or a console error in a page fails the test", async () => {
    const page = await browser.newPage();
    await page.setContent("<p>hello</p>");
    await page.evaluate(() => {
      console.error("panicked at src/lib.rs:1:1:\nTried to access a reactive value that has already been disposed.");
      console.error("something else went wrong");
      setTimeout(() => {
        throw new Error("RuntimeError: unreachable");
      }, 0);
    });
    await page.waitForTimeout(200);
    const seen = takePageProblems();
    assert.equal(seen.length, 3, JSON.stringify(seen));
    assert.match(seen.join("\n"), /Rust panic [^\n]*panicked at[^\n]*\nTried to access a reactive value that has already been disposed/);
    assert.match(seen.join("\n"), /console\.error .*something else went wrong/);
    assert.match(seen.join("\n"), /page error .*unreachable/);
    await page.close();
  });
});

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
        return ctx.newPage();
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

    test("a change the office does not accept stays on the tablet with the reason, and the coordinator is told", async () => {
      // Another participant of mentor1's: a session logged offline, while the office moves
      // them to someone else's caseload.
      await a.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Caseload" }).click();
      const other = a.getByRole("table").getByRole("button").filter({ hasNotText: name }).first();
      const otherName = (await other.innerText()).trim();
      await other.click();
      await a.getByRole("heading", { level: 1, name: otherName }).waitFor();
      const participant = (await a.evaluate(() => location.hash)).split("/")[1];
      await world.stopServer();
      await a.getByRole("tab", { name: "Sessions" }).click();
      const notes = `Talked about the new job starting Monday (${tag}).`;
      await a.getByLabel("Duration (minutes)").fill("30");
      await a.getByLabel("Private notes").fill(notes);
      await a.getByRole("button", { name: "Save session" }).click();
      await a.getByRole("status").filter({ hasText: "Session saved." }).waitFor();
      // mentor1 is the demo's one cleared mentor.
      const mentor = world.users().find((u) => u.role === "mentor" && u.cleared).id;
      world.admin(["unassign", "--participant", participant, "--mentor", mentor]);
      await world.startServer();
      await a.getByRole("button", { name: "Sync now" }).click();
      await a.getByText(/did not accept 1 change/).waitFor();
      await a.getByRole("button", { name: /1 change not accepted by the office/ }).click();
      await a.getByRole("heading", { level: 1, name: "Not accepted by the office" }).waitFor();
      const held = a.getByRole("article").filter({ hasText: `Session logged — ${otherName}` });
      await held.getByText("no longer on your caseload").waitFor();
      await held.getByText(notes).waitFor();
      await checkScreen(a, vp, "07-not-accepted");
      // The coordinator sees who, about whom and why, but not what was written.
      await syncNow(c);
      await c.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Today" }).click();
      const told = c.getByRole("region", { name: "Changes the office did not accept" });
      await told.getByText(`Session logged — ${otherName}`).waitFor();
      await told.getByText("This person is not on their caseload.", { exact: false }).waitFor();
      assert.equal(await told.getByText(notes).count(), 0);
      await checkScreen(c, vp, "08-office-notices");
      // Dealt with: the mentor says so, and it leaves the list.
      await held.getByRole("button", { name: "I have dealt with this" }).click();
      await a.getByText("Everything saved on this tablet was accepted by the office.").waitFor();
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

// What a sync does to someone part-way through a form, at each size: tablet A syncs in the
// background every second; tablet B (the same mentor's other tablet) changes the same
// participant and syncs. A's open forms stay open, keep every character typed, and say what
// changed; nothing panics.
for (const vp of VIEWPORTS) {
  describe(`${vp.name}: syncs while typing`, () => {
    let world;
    let browser;
    let a;
    let b;
    const tag = `${vp.width}x${vp.height}`;

    before(async () => {
      world = new World();
      await world.startServer();
      browser = await launch();
      const page = async () => {
        const ctx = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, locale: "en-GB", timezoneId: "Europe/London" });
        return ctx.newPage();
      };
      a = await page();
      b = await page();
    });

    after(async () => {
      await browser?.close();
      await world?.close();
    });

    test("the caseload fills in as the first sync brings it, without leaving the screen", async () => {
      // The default timing: the first background sync starts five seconds after setting up.
      await signIn(a, await world.tablet("mentor-a", { syncEveryMs: 1000, syncSoonMs: 5000 }), world.url, "mentor1");
      await a.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Caseload" }).click();
      const syncing = a.getByRole("status").filter({ hasText: "Syncing your caseload" });
      await syncing.waitFor();
      await checkScreen(a, vp, "30-caseload-first-sync");
      // From here until the table shows, the screen never says there is no one.
      const said = await a.evaluate(
        () =>
          new Promise((resolve, reject) => {
            const until = Date.now() + 30000;
            const look = () => {
              const main = document.querySelector("main")?.innerText ?? "";
              if (main.includes("No one matches")) return resolve("no one");
              if (document.querySelector("table.caseload tbody tr")) return resolve("rows");
              if (Date.now() > until) return reject(new Error("the caseload never filled in"));
              setTimeout(look, 20);
            };
            look();
          }),
      );
      assert.equal(said, "rows");
      assert.equal(await syncing.count(), 0);
      assert.ok((await a.getByRole("table").getByRole("row").count()) > 1);
      await checkScreen(a, vp, "31-caseload-after-first-sync");
    });

    test("a sync never closes a form or drops what is typed, and says what changed", async () => {
      await signIn(b, await world.tablet("mentor-b"), world.url, "mentor1");
      await syncNow(b);
      const name = await openFirstParticipant(a);
      await a.getByRole("tab", { name: "Appointments" }).click();
      const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
      for (const [time, who] of [["09:00", `First coach ${tag}`], ["11:00", `Second coach ${tag}`]]) {
        await a.getByLabel("Date and time").fill(`${tomorrow}T${time}`);
        await a.getByLabel("Kind of appointment").selectOption({ label: "Job centre" });
        await a.getByLabel("With whom").fill(who);
        await a.getByRole("button", { name: "Save appointment" }).click();
        await a.getByRole("article").filter({ hasText: who }).waitFor();
      }
      await a.getByText("No changes waiting").waitFor({ timeout: 20000 });

      // The tester's steps: save one appointment's outcome, then open another's and type.
      const first = a.getByRole("article").filter({ hasText: `First coach ${tag}` });
      await first.getByRole("button", { name: "Record what happened" }).click();
      await first.getByLabel("Outcome").fill("Signed on.");
      await first.getByRole("button", { name: "Save what happened" }).click();
      await a.getByRole("article").filter({ hasText: `First coach ${tag}` }).getByText("Outcome: Signed on.").waitFor();
      const second = a.getByRole("article").filter({ hasText: `Second coach ${tag}` });
      await second.getByRole("button", { name: "Record what happened" }).click();
      const typed = `They asked about the warehouse job; we practised the interview (${tag})`;
      await second.getByLabel("Outcome").pressSequentially(typed.slice(0, 30), { delay: 5 });

      // Meanwhile the other tablet records that the same appointment was missed, and syncs.
      await syncNow(b);
      await openParticipant(b, name, "Appointments");
      const there = b.getByRole("article").filter({ hasText: `Second coach ${tag}` });
      await there.getByRole("button", { name: "Record what happened" }).click();
      await there.getByLabel("What happened").selectOption({ label: "Missed" });
      await there.getByLabel("Outcome").fill("Did not come; phoned later.");
      await there.getByRole("button", { name: "Save what happened" }).click();
      await b.getByRole("article").filter({ hasText: `Second coach ${tag}` }).getByText("Outcome: Did not come").waitFor();
      await syncNow(b);

      // Tablet A's background sync brings it in while the form is open and being typed in.
      const notice = second.getByRole("status").filter({ hasText: "This appointment was changed on another device" });
      await notice.waitFor({ timeout: 20000 });
      assert.match(await notice.innerText(), /what happened, outcome/);
      // The card under the form shows what is recorded now; the form still holds what was typed.
      await second.getByText("Outcome: Did not come; phoned later.").waitFor();
      assert.equal(await second.getByLabel("Outcome").inputValue(), typed.slice(0, 30));
      await second.getByLabel("Outcome").pressSequentially(typed.slice(30), { delay: 5 });
      assert.equal(await second.getByLabel("Outcome").inputValue(), typed);
      await checkScreen(a, vp, "32-outcome-form-changed-elsewhere");
      await second.getByRole("button", { name: "Got it" }).click();
      await notice.waitFor({ state: "detached" });
      await second.getByRole("button", { name: "Save what happened" }).click();
      await a.getByRole("article").filter({ hasText: `Second coach ${tag}` }).getByText(`Outcome: ${typed}`).waitFor();

      // A session being logged: the other tablet logs one for the same person meanwhile.
      await a.getByRole("tab", { name: "Sessions" }).click();
      const summary = `Talked through the bus route to the job centre (${tag}).`;
      await a.getByLabel("Duration (minutes)").fill("30");
      await a.getByLabel("Shared summary").pressSequentially(summary.slice(0, 20), { delay: 5 });
      await openParticipant(b, name, "Sessions");
      await b.getByLabel("Duration (minutes)").fill("20");
      await b.getByLabel("Shared summary").fill(`Phone check-in from the other tablet (${tag}).`);
      await b.getByRole("button", { name: "Save session" }).click();
      await b.getByRole("status").filter({ hasText: "Session saved." }).waitFor();
      await syncNow(b);
      const logNotice = a.getByRole("region", { name: "Log a session" }).getByRole("status").filter({ hasText: "This record was changed on another device" });
      await logNotice.waitFor({ timeout: 20000 });
      assert.match(await logNotice.innerText(), /sessions/);
      await a.getByText(`Phone check-in from the other tablet (${tag}).`).waitFor();
      assert.equal(await a.getByLabel("Shared summary").inputValue(), summary.slice(0, 20));
      assert.equal(await a.getByLabel("Duration (minutes)").inputValue(), "30");
      await a.getByLabel("Shared summary").pressSequentially(summary.slice(20), { delay: 5 });
      assert.equal(await a.getByLabel("Shared summary").inputValue(), summary);
      await checkScreen(a, vp, "33-session-form-changed-elsewhere");
      await a.getByRole("button", { name: "Save session" }).click();
      await a.getByRole("status").filter({ hasText: "Session saved." }).waitFor();
      await a.getByRole("article").filter({ hasText: summary }).waitFor();
    });
  });
}
