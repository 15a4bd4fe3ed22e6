// Prints the tablet app's start-up figures: time from opening the app to the caseload shown
// with a 40-participant caseload (three years of history), measured from the moment the WASM
// has loaded and from navigation start; and the size of the release WASM bundle, gzipped.
// Run by `cargo xtask bench` (release binaries, release UI in dist/).

import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DIST, World, launch, signIn } from "../lib/harness.mjs";

const RUNS = 15;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const world = new World();
const browser = await launch();
try {
  // 120 participants shared by three mentors: mentor1's caseload is 40.
  await world.startServer({ participants: 120 });
  const url = await world.tablet("bench");
  const setup = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  await signIn(setup, url, world.url, "mentor1");
  await setup.getByRole("button", { name: "Sync now" }).click();
  await setup.getByText(/^Synced/).waitFor();
  await setup.close();

  const afterWasm = [];
  const fromNavigation = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await page.goto(`${url}#caseload`);
    await page.waitForFunction(() => performance.getEntriesByName("onward-caseload-shown").length > 0, null, { timeout: 30000 });
    const t = await page.evaluate(() => ({
      start: performance.getEntriesByName("onward-start")[0].startTime,
      shown: performance.getEntriesByName("onward-caseload-shown")[0].startTime,
    }));
    rows = await page.getByRole("table").getByRole("row").count();
    afterWasm.push(t.shown - t.start);
    fromNavigation.push(t.shown);
    await page.close();
  }
  console.log(
    `app start to caseload shown (${rows - 1} participants, browser shell, release UI, ${RUNS} runs): ` +
      `median ${median(afterWasm).toFixed(0)} ms after the WASM loaded [target <= 300 ms]; ` +
      `median ${median(fromNavigation).toFixed(0)} ms from navigation start`,
  );
  const wasm = readFileSync(join(DIST, "onward_ui_bg.wasm"));
  const js = readFileSync(join(DIST, "onward_ui.js"));
  const css = statSync(join(DIST, "app.css")).size;
  console.log(
    `release UI bundle: wasm ${(wasm.length / 1024).toFixed(0)} KB, ${(gzipSync(wasm, { level: 9 }).length / 1024).toFixed(0)} KB gzipped; ` +
      `JS glue ${(gzipSync(js, { level: 9 }).length / 1024).toFixed(1)} KB gzipped; CSS ${(css / 1024).toFixed(1)} KB`,
  );
} finally {
  await browser.close();
  await world.close();
}
