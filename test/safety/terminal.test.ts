/**
 * No input can send a terminal escape sequences: control characters in file names, flag values, block
 * strings and commander's own messages are escaped on stderr (effnet's colours excepted), and text printed to
 * a terminal's stdout is escaped too, while stdout into a pipe or file stays byte-exact (fmt's output is the
 * file's content).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { escapeForStderr } from '../../src/diagnostics/control-characters.js';
import { builtCli, effnet, freshDir, TINY } from './safety-helpers.js';

const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const evil = '\x1b]0;PWNED\x07\x1b[2J';

describe.skipIf(!builtCli)('stderr never carries a raw control character', () => {
  it.each([
    ['a missing file named with escapes', () => ['check', `${evil}x.effnet`], /cannot read \\x1b\]0;PWNED\\x07\\x1b\[2Jx\.effnet: no such file/],
    ['a flag value echoed back', () => ['compile', 'specs/efficientnet-b0.effnet', '--opset', evil, '-o', 'x.onnx'], /unsupported opset '\\x1b\]0;PWNED/],
    ['an unknown variant', () => ['check', 'specs/efficientnet-b0.effnet', '--variant', evil], /unknown variant '\\x1b\]0;PWNED/],
    ["commander's unknown option", () => ['check', `--${evil}`], /unknown option '--\\x1b\]0;PWNED/],
    ['a timm block string', () => ['import', '--timm', `ir_r1_k3${evil}`], /block string 'ir_r1_k3\\x1b\]0/],
    ['a bidi override in a flag value', () => ['check', 'specs/efficientnet-b0.effnet', '--variant', 'b\u202e1'], /b\\u202e1/],
  ])('%s', (_what, args, shown) => {
    const r = effnet(args());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(shown);
    expect(r.stderr).not.toMatch(RAW);
  });

  it('a spec whose file name holds escapes: the diagnostic header shows them escaped', () => {
    const d = freshDir('name');
    const name = path.join(d, `${evil}.effnet`);
    writeFileSync(name, TINY.replace('mbconv  1', 'mbconf  1'));
    const r = effnet(['check', name]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\\x1b\]0;PWNED\\x07\\x1b\[2J\.effnet:7:5: error\[E0301\]/);
    expect(r.stderr).not.toMatch(RAW);
  });
});

describe('colour codes pass, and only they', () => {
  it('keeps SGR sequences when colour is on, escapes everything else', () => {
    expect(escapeForStderr('\x1b[1;31merror\x1b[0m', true)).toBe('\x1b[1;31merror\x1b[0m');
    expect(escapeForStderr('\x1b[1;31merror\x1b[0m', false)).toBe('\\x1b[1;31merror\\x1b[0m');
    expect(escapeForStderr(`${evil}\ttab\nline`, true)).toBe('\\x1b]0;PWNED\\x07\\x1b[2J\ttab\nline');
  });
});

describe('fmt prints comments to a terminal escaped, and to a pipe exactly', () => {
  const spec = `# title \x1b[2J\u202e\nmodel m {\n  input 32\n  stages {\n    conv 1 8 3 1\n  }\n}\n`;
  const run = async (outIsTTY: boolean) => {
    const d = freshDir('fmt');
    writeFileSync(path.join(d, 's.effnet'), spec);
    let out = '';
    const code = await runCli(['fmt', path.join(d, 's.effnet')], { out: (t) => { out += t; }, err: () => {}, color: false, errIsTTY: false, outIsTTY });
    return { code, out };
  };
  it('on a terminal', async () => {
    const r = await run(true);
    expect(r.code).toBe(0);
    expect(r.out).toContain('# title \\u001b[2J\\u202e');
    expect(r.out).not.toMatch(RAW);
  });
  it('into a pipe', async () => {
    const r = await run(false);
    expect(r.out.startsWith('# title \x1b[2J\u202e\n')).toBe(true);
  });
});
