// The coordinator's screens end to end: the organisation at a glance (every number opens the
// list behind it) and the concern inbox. A peer mentor raises a concern while the server is
// away; after both sync the coordinator finds it in the inbox, responds, and the peer mentor
// sees the response. The overview and the inbox are checked at every viewport with axe,
// 44px targets and screenshots; a page error or Rust panic fails the test (the harness).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { VIEWPORTS, World, axe, launch, shot, signIn, smallTargets, checkScreen, syncNow } from "../lib/harness.mjs";



/** The sync bar's count of urgent open concerns (no button: none). */
async function urgentCount(page) {
  const button = page.getByRole("button", { name: /urgent concerns? open/ });
  if ((await button.count()) === 0) return 0;
  return Number((await button.innerText()).match(/^(\d+)/)[1]);
}

const nav = (page, name) => page.getByRole("navigation", { name: "Main" }).getByRole("button", { name, exact: true });

describe("the coordinator's overview and concern inbox", () => {
  let world;
  let browser;
  let peer;
  let office;
  let second; // mentor2's tablet
  const referral = "Referral Ezra";

  before(async () => {
    world = new World();
    await world.startServer();
    browser = await launch();
    const page = async () => {
      const ctx = await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: "en-GB", timezoneId: "Europe/London" });
      return ctx.newPage();
    };
    peer = await page();
    office = await page();
    second = await page();
  });

  after(async () => {
    await browser?.close();
    await world?.close();
  });

  test("a coordinator lands on the organisation at a glance; a mentor has no office screens", async () => {
    // Background sync waits, so the test sees an order waiting for the office.
    await signIn(office, await world.tablet("office", { syncSoonMs: 600000, syncEveryMs: 600000 }), world.url, "coordinator");
    await signIn(peer, await world.tablet("peer"), world.url, "peer-mentor");
    await syncNow(office);
    await syncNow(peer);
    await office.getByRole("heading", { level: 1, name: "The organisation at a glance" }).waitFor();
    // The demo organisation has 12 participants, every one counted under some status.
    const people = office.getByRole("region", { name: "Participants by status" });
    await people.getByText("12 participants").waitFor();
    const counts = await people.getByRole("button").allInnerTexts();
    const sum = counts.map((t) => Number(t.match(/: (\d+)$/)[1])).reduce((a, b) => a + b, 0);
    assert.equal(sum, 12, `status counts ${JSON.stringify(counts)}`);
    // A status opens the caseload filtered by it, with as many rows as the figure said.
    const active = counts.find((t) => t.startsWith("Active:"));
    const activeCount = Number(active.match(/: (\d+)$/)[1]);
    await people.getByRole("button", { name: active }).click();
    await office.getByRole("heading", { level: 1, name: "Caseload" }).waitFor();
    assert.equal(await office.getByLabel("Status").inputValue(), "active");
    if (activeCount > 0) {
      await office.getByRole("table").getByText(`${activeCount} participant`).waitFor();
    }
    await office.getByLabel("Status").selectOption({ label: "Any status" });
    // The peer mentor's navigation has no office screens.
    await nav(peer, "Today").waitFor();
    assert.equal(await nav(peer, "Overview").count(), 0);
    assert.equal(await nav(peer, "Concerns").count(), 0);
  });

  test("a concern raised offline by a peer mentor reaches the inbox; the response reaches them", async () => {
    const before = await urgentCount(office);
    // The peer mentor is at a hostel with no signal.
    await nav(peer, "Caseload").click();
    const first = peer.getByRole("table").getByRole("button").first();
    const name = (await first.innerText()).trim();
    await first.click();
    await peer.getByRole("heading", { level: 1, name }).waitFor();
    await world.stopServer();
    await peer.getByRole("tab", { name: "Concerns" }).click();
    const what = "Says a former associate keeps turning up at the hostel.";
    await peer.getByLabel("Category").selectOption({ label: "Housing" });
    await peer.getByLabel("Urgency").selectOption({ label: "High" });
    await peer.getByLabel("What happened").fill(what);
    await peer.getByRole("button", { name: "Raise concern" }).click();
    await peer.getByRole("status").filter({ hasText: "Concern raised." }).waitFor();
    // Back in signal: both sync.
    await world.startServer();
    await syncNow(peer);
    await syncNow(office);
    await office.getByRole("button", { name: /urgent concerns? open/ }).waitFor();
    assert.equal(await urgentCount(office), before + 1);
    await nav(office, "Concerns").click();
    await office.getByRole("heading", { level: 1, name: "Safeguarding concerns" }).waitFor();
    // The newest unanswered high concern about this participant, raised today by a colleague.
    const row = office
      .getByRole("row")
      .filter({ has: office.getByRole("button", { name, exact: true }) })
      .filter({ hasText: "No answer yet" })
      .filter({ hasText: "today" });
    await row.first().waitFor();
    const text = await row.first().innerText();
    assert.match(text, /High/);
    assert.match(text, /Housing/);
    assert.match(text, /A colleague/);
    // Urgent rows come before the rest.
    const urgencies = await office.locator("table.inbox tbody tr td:first-child strong").allInnerTexts();
    const rank = { Immediate: 0, High: 1, Medium: 2, Low: 3 };
    const ranks = urgencies.map((u) => rank[u]);
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), `inbox order ${JSON.stringify(urgencies)}`);
    // Respond from the participant's record.
    await row.first().getByRole("button", { name, exact: true }).click();
    await office.getByText(what).waitFor();
    const concern = office.getByRole("article").filter({ hasText: what });
    await concern.getByRole("button", { name: "Respond" }).click();
    await concern.getByLabel("Response").fill("Spoke to the hostel manager; a keyworker will call.");
    await concern.getByLabel("Status").selectOption({ label: "Acknowledged" });
    await concern.getByRole("button", { name: "Save response" }).click();
    await office.getByRole("article").filter({ hasText: what }).getByText(/Acknowledged\): Spoke to the hostel manager/).waitFor();
    // The inbox shows it answered.
    await nav(office, "Concerns").click();
    await office.getByRole("row").filter({ has: office.getByRole("button", { name, exact: true }) }).filter({ hasText: "Last answered" }).first().waitFor();
    await syncNow(office);
    await syncNow(peer);
    await peer.getByRole("article").filter({ hasText: what }).getByText(/Spoke to the hostel manager/).waitFor();
  });

  test("a referral is recorded and assigned; the mentor's tablet has it after sync, and loses it when reassigned", async () => {
    await signIn(second, await world.tablet("mentor2"), world.url, "mentor2");
    await syncNow(second);
    const people = world.users();
    const mentor2 = people.find((u) => u.role === "mentor" && !u.cleared).name;
    const peerName = people.find((u) => u.role === "peer-mentor").name;
    // The participant and their referral, recorded at the office.
    await nav(office, "Caseload").click();
    await office.getByRole("button", { name: "Add a participant" }).click();
    await office.getByLabel("Name they like to be called").fill(referral);
    await office.getByLabel("Programme").fill("Next Steps");
    await office.getByRole("button", { name: "Save", exact: true }).click();
    await office.getByRole("table").getByRole("button", { name: referral, exact: true }).click();
    await office.getByRole("heading", { level: 1, name: referral }).waitFor();
    await office.getByRole("button", { name: "Record the referral" }).click();
    await office.getByLabel("Referred by (source)").selectOption({ label: "Probation" });
    await office.getByLabel("Referrer's name").fill("Case manager (synthetic)");
    await office.getByLabel("Reason for referral").fill("Wants help finding warehouse work.");
    await office.getByLabel("Risk level as given by the referrer").selectOption({ label: "Low" });
    await office.getByRole("button", { name: "Save referral" }).click();
    await office.getByRole("status").filter({ hasText: "Referral saved." }).waitFor();
    await office.getByRole("button", { name: "Record consent" }).click();
    await office.getByLabel("Consent form version").fill("v1");
    await office.getByLabel("Given by").fill("Participant");
    await office.getByLabel("What they agreed to").fill("Sharing their plan with their mentor.");
    await office.getByRole("button", { name: "Save consent" }).click();
    await office.getByRole("status").filter({ hasText: "Consent saved." }).waitFor();
    await office.getByText("Case manager (synthetic)").waitFor();
    // The office learns of it at the next sync: waiting for a mentor.
    await syncNow(office);
    const mentors = office.getByRole("region", { name: "Mentors", exact: true });
    await mentors.getByText("No mentor is assigned yet.").waitFor();
    // The list shows each mentor's caseload size and clearance.
    const choice = mentors.getByLabel("Assign a mentor");
    const options = await choice.locator("option").allInnerTexts();
    assert.ok(options.some((o) => o.startsWith(`${mentor2} (`) && /\d+ participants?, Mentor, not cleared/.test(o)), JSON.stringify(options));
    await choice.selectOption({ label: options.find((o) => o.startsWith(`${mentor2} (`)) });
    await mentors.getByRole("button", { name: "Assign", exact: true }).click();
    await mentors.getByText(`Assign ${mentor2}`).waitFor();
    await mentors.getByText(/waiting for the next sync/).waitFor();
    await checkScreen(office, { name: "768x1024" }, "22-mentors-waiting");
    await syncNow(office);
    await mentors.getByText(/done by the office/).waitFor();
    await mentors.getByRole("button", { name: `Unassign ${mentor2}` }).waitFor();
    // mentor2's tablet has the participant after its next sync.
    await syncNow(second);
    await nav(second, "Caseload").click();
    await second.getByRole("table").getByRole("button", { name: referral, exact: true }).waitFor();
    // Reassigned to the peer mentor: it leaves mentor2's tablet and reaches the peer's.
    await mentors.getByRole("button", { name: `Unassign ${mentor2}` }).click();
    await mentors.getByText(`Unassign ${mentor2}`).first().waitFor();
    await choice.selectOption({ label: (await choice.locator("option").allInnerTexts()).find((o) => o.startsWith(`${peerName} (`)) });
    await mentors.getByRole("button", { name: "Assign", exact: true }).click();
    await syncNow(office);
    await mentors.getByRole("button", { name: `Unassign ${peerName}` }).waitFor();
    await syncNow(second);
    await nav(second, "Caseload").click();
    await second.getByRole("table").waitFor();
    assert.equal(await second.getByRole("button", { name: referral, exact: true }).count(), 0, "still on mentor2's tablet");
    await syncNow(peer);
    await nav(peer, "Caseload").click();
    await peer.getByRole("table").getByRole("button", { name: referral, exact: true }).waitFor();
    // The peer mentor never sees the referral.
    await peer.getByRole("table").getByRole("button", { name: referral, exact: true }).click();
    await peer.getByRole("heading", { level: 1, name: referral }).waitFor();
    assert.equal(await peer.getByText("Case manager (synthetic)").count(), 0);
  });

  test("people and devices: a code for a new tablet as text and QR code, and a tablet withdrawn", async () => {
    const mentor2 = world.users().find((u) => u.role === "mentor" && !u.cleared).name;
    await nav(office, "People").click();
    await office.getByRole("heading", { level: 1, name: "People and devices" }).waitFor();
    const person = office.getByRole("article", { name: mentor2 });
    await person.getByText("E2E mentor2").waitFor();
    await person.getByRole("button", { name: `New enrolment code for ${mentor2}` }).click();
    await office.getByRole("status").filter({ hasText: "Code requested." }).waitFor();
    await office.getByRole("region", { name: "Enrolment codes" }).getByText(/Enrolment code for .*: waiting for the next sync/).waitFor();
    await syncNow(office);
    const codes = office.getByRole("region", { name: "Enrolment codes" });
    const code = (await codes.locator("p.code").first().innerText()).trim();
    assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    await codes.getByRole("img", { name: "The enrolment code as a QR code" }).first().waitFor();
    // The code sets up a new tablet, once.
    const fresh = await (await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: "en-GB" })).newPage();
    await fresh.goto(await world.tablet("mentor2-new"));
    await fresh.getByRole("heading", { name: "Set up this tablet" }).waitFor();
    await fresh.getByLabel("Server address").fill(world.url);
    await fresh.getByLabel("Enrolment code").fill(code.toLowerCase());
    await fresh.getByLabel("Name for this tablet").fill("Spare tablet");
    await fresh.getByRole("button", { name: "Set up this tablet" }).click();
    await fresh.getByRole("navigation", { name: "Main" }).waitFor();
    // Withdraw mentor2's first tablet, after a confirmation.
    await syncNow(office);
    await person.getByText("Spare tablet").waitFor();
    await person.getByRole("button", { name: "Withdraw E2E mentor2" }).click();
    await person.getByRole("button", { name: /Yes, withdraw E2E mentor2/ }).click();
    await office.getByRole("status").filter({ hasText: "Withdrawal saved." }).waitFor();
    await syncNow(office);
    await office.getByRole("region", { name: "Changes sent to the office" }).getByText(/Withdraw a tablet .*: done by the office/).waitFor();
    assert.equal(await person.getByText("E2E mentor2").count(), 0);
    await second.getByRole("button", { name: "Sync now" }).click();
    await second.getByText(/withdrawn/).first().waitFor();
    await checkScreen(office, { name: "768x1024" }, "23-people-codes");
  });

  test("every figure opens the list behind it", async () => {
    await nav(office, "Overview").click();
    await office.getByRole("heading", { level: 1, name: "The organisation at a glance" }).waitFor();
    for (const [card, list] of [
      ["Waiting for a mentor", "Participants waiting for a mentor"],
      ["Goal reviews overdue", "Goals whose review is overdue"],
      ["Appointments this week", "This week's appointments"],
      ["Sessions this month", "This month's sessions"],
    ]) {
      const opener = office.getByRole("region", { name: card, exact: true }).getByRole("button");
      await opener.click();
      assert.equal(await opener.getAttribute("aria-expanded"), "true");
      const region = office.getByRole("region", { name: list, exact: true });
      await region.waitFor();
      // The figure on the button is the number of rows listed (the demo has fewer than 500):
      // for sessions, those delivered and those missed.
      const words = await opener.innerText();
      const numbers = (words.match(/\d+/g) ?? []).map(Number);
      const figure = card === "Sessions this month" ? numbers[0] + numbers[1] : (words.match(/^(\d+)/) ? numbers[0] : 0);
      await region.locator("ul.rows, p.quiet").first().waitFor();
      assert.equal(await region.locator("ul.rows > li").count(), figure, `${card}: ${await opener.innerText()}`);
    }
  });

  for (const vp of VIEWPORTS) {
    test(`the overview and the inbox at ${vp.name}`, async () => {
      await office.setViewportSize({ width: vp.width, height: vp.height });
      await nav(office, "Overview").click();
      await office.getByRole("heading", { level: 1, name: "The organisation at a glance" }).waitFor();
      await checkScreen(office, vp, "20-overview");
      await nav(office, "Concerns").click();
      await office.getByRole("table").waitFor();
      await checkScreen(office, vp, "21-concern-inbox");
      await nav(office, "Caseload").click();
      await office.getByRole("table").getByRole("button", { name: referral, exact: true }).click();
      await office.getByRole("region", { name: "Mentors", exact: true }).getByLabel("Assign a mentor").waitFor();
      await checkScreen(office, vp, "22-participant-mentors");
      await nav(office, "People").click();
      await office.getByRole("heading", { level: 1, name: "People and devices" }).waitFor();
      await checkScreen(office, vp, "23-people");
    });
  }
});
