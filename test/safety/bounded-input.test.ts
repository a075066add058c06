/**
 * Bounded work on any input. effnet reads at most 4 MiB of a spec from a file, a pipe or standard input
 * (`check /dev/zero` used to grow to 9.9 GB); a file that is not a spec, or one of more than 100,000 tokens,
 * is refused before it is parsed; at most 100 diagnostics reach the terminal, each quoting at most about 200
 * columns of its line, while --json and the library keep up to 10,000 and say when the list was cut. UTF-8 is
 * decoded strictly, and a lone CR ends a line.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DIAGNOSTICS } from '../../src/diagnostics/diagnostic.js';
import { formatDiagnostics, MAX_PRINTED } from '../../src/diagnostics/format.js';
import { compile } from '../../src/pipeline.js';
import { firstInvalidByte } from '../../src/source/decode.js';
import { bin, builtCli, effnet, freshDir, TINY } from './safety-helpers.js';

describe.skipIf(!builtCli)('inputs are read up to 4 MiB, whatever they are', () => {
  it('/dev/zero, and a spec symlinked to it, are refused at the cap in well under a second', () => {
    const d = freshDir('zero');
    symlinkSync('/dev/zero', path.join(d, 'z.effnet'));
    for (const p of ['/dev/zero', path.join(d, 'z.effnet')]) {
      const started = Date.now();
      const r = effnet(['check', p]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot read .*: the spec is larger than 4 MiB, the most effnet reads from one/);
      expect(Date.now() - started).toBeLessThan(30_000); // generous: the point is that it ends
    }
  });

  it('a directory, and a missing file, are named as such', () => {
    const d = freshDir('dir');
    mkdirSync(path.join(d, 'sub'));
    expect(effnet(['check', path.join(d, 'sub')]).stderr).toMatch(/cannot read .*sub: is a directory/);
    expect(effnet(['check', path.join(d, 'missing.effnet')]).stderr).toMatch(/cannot read .*missing\.effnet: no such file/);
  });

  it('standard input: check - and fmt - (stdin to stdout, for editors)', () => {
    const ok = effnet(['check', '-'], { input: TINY });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/^<stdin>: ok/);
    const bad = effnet(['check', '-'], { input: TINY.replace('mbconv  1', 'mbconf  1') });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^<stdin>:7:5: error\[E0301\]/);
    const fmt = effnet(['fmt', '-'], { input: TINY });
    expect(fmt.code).toBe(0);
    expect(fmt.stdout).toBe(effnet(['fmt', '-'], { input: fmt.stdout }).stdout);
    expect(effnet(['fmt', '--write', '-'], { input: TINY }).code).toBe(2);
  });

  it('a pipe (check <(generate)), read to its end', async () => {
    const d = freshDir('fifo');
    const fifo = path.join(d, 'spec.fifo');
    const { spawnSync } = await import('node:child_process');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = spawn(process.execPath, [bin, 'check', fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    writeFileSync(fifo, TINY); // blocks until effnet opens it for reading
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toMatch(/spec\.fifo: ok/);
    expect(code).toBe(0);
  });

  it('a minified TF.js model.json: one line saying it is not a spec, 100 diagnostics at most, each line cut around its caret', () => {
    const json = JSON.stringify({ modelTopology: { class_name: 'Model', config: { layers: Array.from({ length: 3000 }, (_, i) => ({ class_name: 'Conv2D', name: `layer_${i}`, config: { filters: 32, kernel_size: [3, 3] } })) } } });
    const d = freshDir('json');
    writeFileSync(path.join(d, 'model.json'), json);
    const started = Date.now();
    const r = effnet(['check', path.join(d, 'model.json')]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E0104\]: this is not an \.effnet spec: [\d,]+ characters the language does not use/);
    expect(r.stderr.match(/error\[E0\d+\]/g)!.length).toBe(MAX_PRINTED);
    expect(r.stderr).toMatch(/model\.json: [\d,]+ more errors not shown \(--json lists up to 10,000\)/);
    expect(r.stderr.length).toBeLessThan(100 * 1024);
    for (const line of r.stderr.split('\n')) expect([...line].length).toBeLessThan(260);
    const j = JSON.parse(effnet(['check', '--json', path.join(d, 'model.json')]).stdout);
    expect(j.ok).toBe(false);
    expect(j.files[0].diagnostics.length).toBe(MAX_DIAGNOSTICS);
    expect(j.files[0].diagnosticsDropped).toBeGreaterThan(0);
  });
});

describe('the front end refuses early what no spec is', () => {
  it('200,000 stage rows: refused on its token count before parsing, in well under a second', () => {
    const rows = Array.from({ length: 200_000 }, () => '    conv 1 8 3 1').join('\n');
    const text = `model big {\n  input 32x32x3\n  stages {\n${rows}\n  }\n}\n`;
    expect(text.length).toBeLessThan(4 * 1024 * 1024);
    const started = performance.now();
    const c = compile('big.effnet', text);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(c.diagnostics.map((d) => d.code)).toEqual(['E0105']);
    expect(c.diagnostics[0]!.message).toMatch(/the spec has 1,200,0\d\d tokens, more than the limit of 100,000/);
  });

  it('30,000 diagnostics keep 10,000 and count the rest (no stack overflow)', () => {
    const text = `model m {\n  input 32x32x3\n  stages {\n${'    conv 0 8 3 0\n'.repeat(15_000)}  }\n}\n`;
    const c = compile('m.effnet', text);
    expect(c.diagnostics.length).toBe(MAX_DIAGNOSTICS);
    expect(c.diagnosticsDropped).toBe(20_000);
    const printed = formatDiagnostics(c.diagnostics, c.file, { truncated: c.diagnosticsDropped });
    expect(printed.match(/error\[E0306\]/g)!.length).toBe(MAX_PRINTED);
    expect(printed).toMatch(/m\.effnet: 29,900 more errors not shown/);
  });

  it('a lone CR ends a line, as LF and CRLF do', () => {
    const text = TINY.replace(/\n/g, '\r').replace('mbconv  1', 'mbconf  1');
    const c = compile('cr.effnet', text);
    expect(c.diagnostics.map((d) => d.code)).toEqual(['E0301']);
    expect(formatDiagnostics(c.diagnostics, c.file)).toMatch(/^cr\.effnet:7:5: error\[E0301\][^\n]*\n {2}7 \| {5}mbconf {2}1/);
  });
});

describe('UTF-8 is decoded strictly: what TextDecoder would turn into U+FFFD is an error with a location', () => {
  it.each([
    ['a UTF-16 surrogate (ED A0 80)', [0xed, 0xa0, 0x80], 'the bytes ED A0 80 are'],
    ['an overlong form (E0 80 AF)', [0xe0, 0x80, 0xaf], 'the bytes E0 80 AF are'],
    ['an overlong two-byte form (C0 AF)', [0xc0, 0xaf], 'the byte C0 is'],
    ['a code point past U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80], 'the bytes F4 90 80 80 are'],
    ['a lead byte of no sequence (F5)', [0xf5, 0x80, 0x80, 0x80], 'the byte F5 is'],
    ['a truncated sequence (E2 82)', [0xe2, 0x82], 'the bytes E2 82 are'],
    ['a stray continuation byte (80)', [0x80], 'the byte 80 is'],
  ])('%s', (_what, bytes, shown) => {
    const prefix = new TextEncoder().encode('model m {\n  input 32 # caf\u00e9 ');
    const all = new Uint8Array([...prefix, ...bytes, ...new TextEncoder().encode('\n}\n')]);
    expect(firstInvalidByte(all)).toBe(prefix.length);
    const c = compile('u.effnet', all);
    expect(c.diagnostics.map((d) => d.code)).toEqual(['E0102']);
    expect(c.diagnostics[0]!.message).toContain(shown);
    expect(formatDiagnostics(c.diagnostics, c.file)).toMatch(/^u\.effnet:2:19: error\[E0102\]/);
  });

  it.each([
    ['2-byte \u00e9', '\u00e9'],
    ['3-byte \u20ac', '\u20ac'],
    ['the last BMP character before the surrogates, \ud7ff', '\ud7ff'],
    ['4-byte \u{1f600}', '\u{1f600}'],
    ['U+10FFFF', '\u{10ffff}'],
  ])('valid: %s', (_what, ch) => {
    expect(firstInvalidByte(new TextEncoder().encode(`# ${ch}\n`))).toBe(-1);
  });
});
