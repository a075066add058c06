/**
 * Every page and plot effnet draws, rendered in headless Chromium and checked for what it shows:
 *
 * - a screenshot (chromium --screenshot, as a person would first see the page), whose colours must be there
 *   and in the right places: the MACs (red) and params (blue) bars, the sweep plot's series in their panels;
 * - the laid-out page, every <details> opened: no text outside the box or picture it labels, no two labels
 *   on top of each other, no table cell or summary column spilling into the next, nothing wider than the page.
 *
 * Set EFFNET_SCREENSHOTS=DIR to keep the screenshots (closed and opened) for looking at; they are not committed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { chromium, reportSkip, runPage, skipBrowser } from '../browser/browser-harness.js';
import { cli } from '../cli/run-cli.js';

reportSkip('the rendering tests of the HTML report and the sweep plot');

const dir = mkdtempSync(path.join(tmpdir(), 'effnet-pictures-'));
const keep = process.env.EFFNET_SCREENSHOTS;

interface Picture {
  readonly name: string;
  /** The effnet command line that writes it (OUT is replaced by its path). */
  readonly args: readonly string[];
  readonly file: string;
  /** Window for the screenshot. */
  readonly size: readonly [number, number];
}

const b0 = 'specs/efficientnet-b0.effnet';
const pictures: readonly Picture[] = [
  { name: 'B2 report', args: ['report', b0, '--variant', 'b2', '--html', 'OUT'], file: 'b2.html', size: [1200, 900] },
  { name: 'ResNet-50 report', args: ['report', 'specs/resnet.effnet', '--html', 'OUT'], file: 'resnet.html', size: [1200, 900] },
  { name: 'MobileNetV3 report', args: ['report', 'specs/mobilenet-v3-large.effnet', '--html', 'OUT'], file: 'mnv3.html', size: [1200, 900] },
  { name: 'ResNet-50 beside B0', args: ['report', 'specs/resnet.effnet', b0, '--html', 'OUT'], file: 'compare.html', size: [1200, 1200] },
  { name: 'B0 at three sizes', args: ['report', b0, '--resolutions', '31,160,224', '--html', 'OUT'], file: 'sizes.html', size: [1200, 900] },
  { name: 'B0 sweep plot', args: ['scale', b0, '--sweep', '0..7', '--plot', 'OUT'], file: 'sweep.svg', size: [760, 810] },
  { name: 'ResNet sweep plot', args: ['scale', 'specs/resnet.effnet', '--sweep', '0..3:0.5', '--plot', 'OUT'], file: 'resnet-sweep.svg', size: [760, 810] },
];

async function write(p: Picture): Promise<string> {
  const out = path.join(dir, p.file);
  const r = await cli(...p.args.map((a) => (a === 'OUT' ? out : a)));
  expect(r.code, r.stderr).toBe(0);
  return out;
}

interface Pixels {
  readonly width: number;
  readonly height: number;
  /** How many pixels are near the colour, and their mean row (0 at the top, 1 at the bottom). */
  count(rgb: readonly [number, number, number], tolerance?: number): { n: number; meanY: number };
}

async function screenshot(file: string, [w, h]: readonly [number, number], tag: string): Promise<Pixels> {
  const png = path.join(dir, `${path.basename(file)}.${tag}.png`);
  const run = spawnSync(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--hide-scrollbars', `--user-data-dir=${dir}/profile`, `--screenshot=${png}`, `--window-size=${w},${h}`, `file://${file}`], { timeout: 60_000 });
  expect(run.status, run.stderr?.toString()).toBe(0);
  if (keep) {
    mkdirSync(keep, { recursive: true });
    copyFileSync(png, path.join(keep, path.basename(png)));
  }
  const { data, info } = await sharp(readFileSync(png)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    count([r, g, b], tolerance = 40) {
      let n = 0;
      let ys = 0;
      for (let i = 0; i < info.width * info.height; i++) {
        if (Math.abs(data[3 * i]! - r) + Math.abs(data[3 * i + 1]! - g) + Math.abs(data[3 * i + 2]! - b) <= tolerance) {
          n++;
          ys += Math.floor(i / info.width);
        }
      }
      return { n, meanY: n ? ys / n / info.height : NaN };
    },
  };
}

/**
 * Runs in a page that holds the picture in a same-origin iframe: opens every <details>, lets it lay out, and
 * lists what a reader would see as broken.
 */
const layoutCheck = `
const frame = document.getElementById('picture');
frame.addEventListener('load', async () => {
  try {
    const d = frame.contentDocument;
    d.querySelectorAll('details').forEach((x) => { x.open = true; });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const problems = [];
    const box = (e) => e.getBoundingClientRect();
    const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
    const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    const say = (what, e) => problems.push(what + ': ' + (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 80));
    let texts = 0;
    for (const svg of d.querySelectorAll('svg')) {
      const all = [...svg.querySelectorAll('text')];
      texts += all.length;
      const rects = all.map(box);
      all.forEach((t, i) => { if (!inside(rects[i], box(svg))) say('text outside its picture', t); });
      // Labels on top of each other (rotated axis titles are boxes too; they stand apart from everything).
      for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) if (overlap(rects[i], rects[j])) say('labels overlap', all[i]);
      // A group holding a box: its labels stay inside the box (stage boxes, layer boxes).
      for (const g of svg.querySelectorAll('g')) {
        const frameRect = g.querySelector(':scope > rect');
        if (!frameRect) continue;
        for (const t of g.querySelectorAll(':scope > text')) if (!inside(box(t), box(frameRect))) say('text outside its box', t);
      }
    }
    // Summary columns side by side, never one over the next: measured on their text, which may run past
    // the column it is in (a grid cell does not grow with nowrap text).
    const ink = (e) => { const r = d.createRange(); r.selectNodeContents(e); return r.getBoundingClientRect(); };
    for (const s of d.querySelectorAll('summary')) {
      const parts = [...s.children].filter((c) => c.textContent.trim() !== '');
      for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) if (overlap(ink(parts[i]), ink(parts[j]))) say('summary columns overlap', s);
    }
    for (const c of d.querySelectorAll('td, th')) if (c.scrollWidth > c.clientWidth + 1) say('cell spills over', c);
    for (const w of d.querySelectorAll('.wide, .diagram')) if (w.scrollWidth > w.clientWidth + 1) say('wider than the page', w.firstElementChild || w);
    const root = d.documentElement;
    if (root.scrollWidth > frame.clientWidth + 1) problems.push('the page is ' + root.scrollWidth + ' px wide in a ' + frame.clientWidth + ' px window');
    effnet.report({ problems, texts, details: d.querySelectorAll('details').length, svgs: d.querySelectorAll('svg').length + (d.documentElement.tagName === 'svg' ? 1 : 0) });
  } catch (e) { effnet.fail(e); }
});
`;

interface Layout {
  readonly problems: string[];
  readonly texts: number;
  readonly details: number;
  readonly svgs: number;
}

async function layout(file: string, width: number): Promise<Layout> {
  const svg = file.endsWith('.svg');
  const route = svg ? '/picture.svg' : '/picture.html';
  const r = await runPage<Layout>({
    page: `<!doctype html><html><body style="margin:0"><script src="/effnet-harness.js"></script><iframe id="picture" src="${route}" style="border:0;width:${width}px;height:900px"></iframe><script>${layoutCheck}</script></body></html>`,
    routes: { [route]: { type: svg ? 'image/svg+xml' : 'text/html', body: readFileSync(file, 'utf8') } },
    gpu: 'none',
    timeoutMs: 60_000,
  });
  expect(r.error, r.log.join('\n')).toBeUndefined();
  return r as unknown as Layout;
}

/** The page with every <details> open, for a screenshot of what opening shows. */
function opened(file: string): string {
  const out = file.replace(/\.html$/, '.opened.html');
  writeFileSync(out, readFileSync(file, 'utf8').replaceAll('<details', '<details open'));
  return out;
}

const red = [217, 83, 79] as const; // MACs
const blue = [51, 122, 183] as const; // params

describe.skipIf(skipBrowser)('pictures in headless Chromium', () => {
  it.each(pictures)('$name: laid out with every part open, nothing overflows or overlaps', async (p) => {
    const file = await write(p);
    const l = await layout(file, p.size[0]);
    expect(l.problems).toEqual([]);
    expect(l.texts).toBeGreaterThan(10);
  });

  it('the report: the strip and the stage bars show on the first screen; opened, the layer graphs show their kinds', async () => {
    const file = await write(pictures[0]!);
    const shot = await screenshot(file, [1200, 900], 'closed');
    expect(shot.count([29, 35, 48], 60).n).toBeGreaterThan(5_000); // text
    expect(shot.count(red).n).toBeGreaterThan(1_000);
    expect(shot.count(blue).n).toBeGreaterThan(1_000);
    const open = await screenshot(opened(file), [1200, 2400], 'opened');
    // Conv boxes (light blue), batch norms (lavender) and activations (pink) fill the first screens.
    for (const fill of [[231, 239, 250], [241, 235, 248], [253, 238, 238]] as const) expect(open.count(fill, 6).n).toBeGreaterThan(20_000);
  });

  it('the comparison: both models, deltas in green and red', async () => {
    const shot = await screenshot(await write(pictures[3]!), [1200, 1200], 'closed');
    expect(shot.count([30, 123, 52], 50).n).toBeGreaterThan(300); // a stage only B has: +
    expect(shot.count([176, 42, 42], 50).n).toBeGreaterThan(300); // B smaller: -
    expect(shot.count(red).n).toBeGreaterThan(800);
    expect(shot.count(blue).n).toBeGreaterThan(800);
  });

  it('the sizes: MACs in the upper panel, activations in the lower', async () => {
    const shot = await screenshot(await write(pictures[4]!), [1200, 900], 'closed');
    const macs = shot.count(red, 30);
    const activations = shot.count([44, 160, 44], 30);
    expect(macs.n).toBeGreaterThan(300);
    expect(activations.n).toBeGreaterThan(300);
    expect(macs.meanY).toBeLessThan(activations.meanY);
  });

  it('the sweep: MACs, params and the multipliers each in their own panel, top to bottom', async () => {
    const shot = await screenshot(await write(pictures[5]!), pictures[5]!.size, 'plot');
    const series = { macs: shot.count(red, 30), params: shot.count(blue, 30), depth: shot.count([44, 160, 44], 30), width: shot.count([148, 103, 189], 30), resolution: shot.count([230, 126, 34], 30) };
    for (const [name, s] of Object.entries(series)) expect(s.n, name).toBeGreaterThan(200);
    expect(series.macs.meanY).toBeLessThan(0.4);
    expect(series.params.meanY).toBeGreaterThan(0.35);
    expect(series.params.meanY).toBeLessThan(0.65);
    for (const m of [series.depth, series.width, series.resolution]) expect(m.meanY).toBeGreaterThan(0.65);
    // The guides of B1-B7: dotted gold lines.
    expect(shot.count([201, 162, 39], 40).n).toBeGreaterThan(300);
  });
});
