// The coordinator's Reports screen end to end, at three tablet and laptop sizes: a coordinator
// signs in to the demo organisation, chooses a period covering the demo's whole history, reads
// the figures and charts, downloads the CSV and the PDF, and the three are compared with one
// another (the screen against the CSV, the CSV against the PDF's text from pdftotext). A mentor
// never sees Reports. Screens are screenshotted, checked with axe-core and measured for 44px
// touch targets; any page error fails the test (the harness watches).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, BIN, VIEWPORTS, World, axe, launch, shot, signIn, smallTargets, checkScreen, syncNow } from "../lib/harness.mjs";

// Wide enough for the demo's history (up to three years back from today).
const FROM = "2020-01-01";
const TO = "2030-12-31";
// The same period as people read it, written out by hand.
const PERIOD_WORDS = "1 January 2020 to 31 December 2030";



/** The figure in the row named `label` of the table captioned `caption`, as shown. */
async function figure(page, caption, label) {
  const row = page.getByRole("table", { name: caption }).getByRole("row", { name: label, exact: false });
  return (await row.getByRole("cell").first().innerText()).trim();
}

/** CSV text as rows of fields (the report's CSV quotes only where a field needs it). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else if (c !== "\r") field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

for (const vp of VIEWPORTS) {
  describe(`reports at ${vp.name}`, () => {
    let world;
    let browser;
    let coordinator;
    let mentor;
    const shown = {};

    before(async () => {
      world = new World();
      await world.startServer();
      browser = await launch();
      const page = async () => {
        const ctx = await browser.newContext({
          viewport: { width: vp.width, height: vp.height },
          locale: "en-GB",
          timezoneId: "Europe/London",
          acceptDownloads: true,
        });
        return ctx.newPage();
      };
      coordinator = await page();
      mentor = await page();
    });

    after(async () => {
      await browser?.close();
      await world?.close();
    });

    test("a coordinator opens Reports, chooses a period and reads the figures and charts", async () => {
      const c = coordinator;
      await signIn(c, await world.tablet("coordinator"), world.url, "coordinator");
      await syncNow(c);
      await c.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Reports" }).click();
      await c.getByRole("heading", { level: 1, name: "Reports" }).waitFor();
      // The period starts as this financial year; choosing dates makes it a custom one.
      await c.getByRole("table", { name: "Participants, referrals, starts and sessions" }).waitFor();
      await c.getByLabel("From", { exact: true }).fill(FROM);
      await c.getByLabel("To (included)").fill(TO);
      assert.equal(await c.getByLabel("Period").inputValue(), "custom");
      await c.getByRole("heading", { level: 2, name: /^1 January 2020 to 31 December 2030/ }).waitFor();

      const people = "Participants, referrals, starts and sessions";
      shown.sessions = await figure(c, people, "Sessions delivered");
      shown.supported = await figure(c, people, "Participants supported");
      shown.hours = await figure(c, people, "Contact hours");
      // The demo's history has sessions; a report of nothing would prove little.
      assert.match(shown.sessions, /^[1-9]\d*$/, `sessions delivered: ${shown.sessions}`);
      assert.match(shown.hours, /^\d+\.\d\d$/);
      shown.work = await figure(c, "Goals achieved, by pathway", "Work");

      for (const chart of [
        "Goals achieved, by pathway",
        "Progressions, by kind",
        "Participants whose score improved, by pathway",
      ]) {
        await c.getByRole("img", { name: chart }).waitFor();
      }
      // Each bar's label and figure are written on the chart as text (the demo's history has
      // progressions into work).
      shown.intoWork = await figure(c, "Progressions, by kind", "Into work");
      assert.match(shown.intoWork, /^[1-9]\d*$/, `progressions into work: ${shown.intoWork}`);
      const chart = await c.getByRole("img", { name: "Progressions, by kind" }).innerHTML();
      assert.ok(chart.includes(`>Into work</text>`), chart.slice(0, 600));
      assert.ok(chart.includes(`>${shown.intoWork}</text>`), chart.slice(0, 600));
      await checkScreen(c, vp, "20-reports");

      // A period that ends before it starts is refused with what to do.
      await c.getByLabel("To (included)").fill("2019-12-31");
      await c.getByRole("alert").filter({ hasText: "ends before it starts" }).waitFor();
      await checkScreen(c, vp, "21-reports-bad-period");
      await c.getByLabel("To (included)").fill(TO);
      await c.getByRole("table", { name: people }).waitFor();
    });

    test("the CSV download holds the figures the screen shows", async () => {
      const c = coordinator;
      const [download] = await Promise.all([
        c.waitForEvent("download"),
        c.getByRole("link", { name: "Download CSV" }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `onward-report-${FROM}-${TO}.csv`);
      const rows = parseCsv(readFileSync(await download.path(), "utf8"));
      assert.deepEqual(rows[0], ["measure", "group", "value"]);
      assert.deepEqual(rows.slice(1, 5), [
        ["period_start", "", FROM],
        ["period_end", "", TO],
        ["programme", "", ""],
        ["mentor", "", ""],
      ]);
      const value = (measure, group = "") => rows.find((r) => r[0] === measure && r[1] === group)?.[2];
      assert.equal(value("sessions_delivered"), shown.sessions);
      assert.equal(value("participants_supported"), shown.supported);
      assert.equal(value("contact_hours"), shown.hours);
      assert.equal(value("goals_achieved", "employment"), shown.work);
      assert.equal(value("progressions", "employment"), shown.intoWork);
      // The same text, byte for byte, as the CLI's CSV from the same tablet's records.
      const tablet = join(world.dir, "coordinator");
      const cli = spawnSync(
        join(BIN, "onward"),
        ["--data", tablet, "--key-file", join(tablet, "device.key"), "funder-report", "--from", FROM, "--to", TO, "--csv"],
        { encoding: "utf8" },
      );
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal(readFileSync(await download.path(), "utf8"), cli.stdout);
    });

    test("the PDF download holds the period and the same figures", async () => {
      const c = coordinator;
      const [download] = await Promise.all([
        c.waitForEvent("download"),
        c.getByRole("button", { name: "Download PDF" }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `onward-report-${FROM}-${TO}.pdf`);
      const file = join(world.dir, `report-${vp.name}.pdf`);
      await download.saveAs(file);
      assert.equal(readFileSync(file).subarray(0, 5).toString(), "%PDF-");
      // Kept with the screenshots, to be looked at.
      mkdirSync(join(ARTIFACTS, vp.name), { recursive: true });
      copyFileSync(file, join(ARTIFACTS, vp.name, "23-report.pdf"));
      const out = spawnSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
      assert.equal(out.status, 0, out.stderr);
      const text = out.stdout;
      assert.ok(text.includes(`Period: ${PERIOD_WORDS}`), text.slice(0, 600));
      assert.ok(text.includes("Programme: every programme"), text.slice(0, 600));
      const line = (label) => text.match(new RegExp(`^\\s*${label}\\s+(\\S+)\\s*$`, "m"))?.[1];
      assert.equal(line("Sessions delivered"), shown.sessions);
      assert.equal(line("Participants supported"), shown.supported);
      assert.equal(line("Contact hours"), shown.hours);
      // The charts are there, with their titles.
      assert.ok(text.includes("Progressions, by kind"));
      assert.ok(text.includes("Participants whose score improved, by pathway"));
    });

    test("a mentor never sees Reports, and the screen refuses them", async () => {
      const m = mentor;
      await signIn(m, await world.tablet("mentor"), world.url, "mentor1");
      const nav = m.getByRole("navigation", { name: "Main" });
      await nav.getByRole("button", { name: "Caseload" }).waitFor();
      assert.equal(await nav.getByRole("button", { name: "Reports" }).count(), 0);
      await m.evaluate(() => {
        window.location.hash = "reports";
      });
      await m.getByRole("alert").filter({ hasText: "Only a coordinator can do this." }).waitFor();
      assert.equal(await m.getByRole("table").count(), 0);
      await checkScreen(m, vp, "22-reports-mentor-refused");
    });
  });
}
