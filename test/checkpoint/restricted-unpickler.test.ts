/**
 * The restricted unpickler: plain Python data in protocols 2 to 5 (pickled by Python itself) becomes JS data;
 * a global outside the allowlist stops the read at the GLOBAL that names it, so nothing runs; malformed
 * pickles are CheckpointErrors naming the byte offset.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unpickle, type UnpickleOptions } from '../../src/checkpoint/restricted-unpickler.js';
import { torchGlobal, torchRefusalHint } from '../../src/checkpoint/torch-globals.js';
import { concat, expectCheckpointError, python, runPython, tempDir } from './fixtures.js';

const options: UnpickleOptions = {
  findGlobal: torchGlobal,
  persistentLoad: (pid) => ({ pid }),
  where: 'test.pkl',
};

/** Pickle bytes from opcode bytes and latin1 text. */
const pk = (...parts: (number | string)[]) => concat(parts.map((p) => (typeof p === 'number' ? Uint8Array.of(p) : Uint8Array.from(p, (c) => c.charCodeAt(0)))));

/** Python pickles of `expression` in each protocol, as base64. */
function pythonPickles(expression: string, protocols: readonly number[]): Uint8Array[] {
  const out = runPython([
    'import base64, collections, json, pickle, sys',
    `value = ${expression}`,
    `print(json.dumps([base64.b64encode(pickle.dumps(value, protocol=p)).decode() for p in ${JSON.stringify(protocols)}]))`,
  ].join('\n'));
  return (JSON.parse(out) as string[]).map((b) => Uint8Array.from(Buffer.from(b, 'base64')));
}

const noPython = !existsSync(python);

describe('unpickle', () => {
  it.skipIf(noPython)('reads plain Python data pickled in protocols 2, 3, 4 and 5', () => {
    const expression = `collections.OrderedDict([("ints", [0, 255, 40000, -5, -2**31, 2**31, 2**70, -2**70]), ("floats", (1.5, -0.0, 1e300)),
      ("text", "h\\u00e9llo \\u4e2d"), ("flags", [True, False, None]), ("nested", {"t1": (1,), "t2": (1, 2), "t3": (1, 2, 3), "empty": ()}),
      ("shared", [[1], [1]])])`;
    for (const [i, bytes] of pythonPickles(expression, [2, 3, 4, 5]).entries()) {
      const v = unpickle(bytes, options) as Map<string, unknown>;
      expect(v, `protocol ${i + 2}`).toEqual(new Map<string, unknown>([
        ['ints', [0, 255, 40000, -5, -(2 ** 31), 2 ** 31, 2n ** 70n, -(2n ** 70n)]],
        ['floats', [1.5, -0, 1e300]],
        ['text', 'h\u00e9llo \u4e2d'],
        ['flags', [true, false, null]],
        ['nested', new Map<string, unknown>([['t1', [1]], ['t2', [1, 2]], ['t3', [1, 2, 3]], ['empty', []]])],
        ['shared', [[1], [1]]],
      ]));
      expect(Object.isFrozen((v.get('nested') as Map<string, unknown>).get('t2'))).toBe(true);
    }
  });

  it.skipIf(noPython)('reads bytes, sets and frozensets (protocol 5)', () => {
    const [bytes] = pythonPickles('{"b": b"\\x00\\xff", "s": {1, 2}, "f": frozenset([3]), "ba": bytearray(b"xy")}', [5]);
    const v = unpickle(bytes!, options) as Map<string, unknown>;
    expect(v.get('b')).toEqual(Uint8Array.of(0, 255));
    expect(v.get('s')).toEqual(new Set([1, 2]));
    expect(v.get('f')).toEqual(new Set([3]));
    expect(v.get('ba')).toEqual(Uint8Array.of(0x78, 0x79));
  });

  it('keeps memo references shared, as Python does', () => {
    // [l, l] where l = []: EMPTY_LIST BINPUT 0 ... BINGET 0.
    const v = unpickle(pk(0x80, 2, ']', 'q', 0, 'h', 0, 0x86, '.'), options) as unknown[][];
    expect(v[0]).toBe(v[1]);
  });

  it('passes persistent ids to persistentLoad', () => {
    expect(unpickle(pk(0x80, 2, 'X', 1, 0, 0, 0, 's', 'Q', '.'), options)).toEqual({ pid: 's' });
  });

  it.skipIf(noPython)('never runs a pickle that calls os.system, in any protocol', async () => {
    const dir = tempDir('unpickle');
    const marker = path.join(dir, 'ran');
    const out = runPython([
      'import base64, json, os, pickle, sys',
      'class Evil:',
      '    def __reduce__(self):',
      '        return (os.system, ("touch " + sys.argv[1],))',
      'print(json.dumps([base64.b64encode(pickle.dumps(Evil(), protocol=p)).decode() for p in (0, 2, 4, 5)]))',
    ].join('\n'), marker);
    for (const b of JSON.parse(out) as string[]) {
      const bytes = Uint8Array.from(Buffer.from(b, 'base64'));
      await expectCheckpointError(() => unpickle(bytes, options), /test\.pkl byte \d+: loading this file would run code: global posix\.system is not allowed; effnet loads only state_dicts of tensors/);
    }
    expect(existsSync(marker)).toBe(false);
    // And the marker is writable, so the test would notice if something had run.
    runPython('import sys; open(sys.argv[1], "w").close()', marker);
    expect(readFileSync(marker, 'utf8')).toBe('');
  });

  it.each([
    ['builtins.eval', pk(0x80, 2, 'c', 'builtins\neval\n', '.')],
    ['torch.storage._load_from_bytes', pk(0x80, 2, 'c', 'torch.storage\n_load_from_bytes\n', '.')],
    ['argparse.Namespace', pk(0x80, 2, 'c', 'argparse\nNamespace\n', '.')],
    ['torch.nn.modules.conv.Conv2d', pk(0x80, 4, 0x8c, 21, 'torch.nn.modules.conv', 0x8c, 6, 'Conv2d', 0x93, '.')],
    ['torch._utils._rebuild_qtensor', pk(0x80, 2, 'c', 'torch._utils\n_rebuild_qtensor\n', '.')],
  ])('refuses the global %s at the GLOBAL that names it', async (name, bytes) => {
    await expectCheckpointError(() => unpickle(bytes, options), new RegExp(`test\\.pkl byte \\d+: loading this file would run code: global ${name.replace(/\./g, '\\.')} is not allowed`));
  });

  it('adds the host\'s hint to a refusal (a TorchScript archive)', async () => {
    const bytes = pk(0x80, 2, 'c', '__torch__.torch.nn.modules.container\nSequential\n', '.');
    await expectCheckpointError(() => unpickle(bytes, { ...options, refusalHint: torchRefusalHint }), /global __torch__\.torch\.nn\.modules\.container\.Sequential is not allowed; .* \(a TorchScript archive \(torch\.jit\.save\); save model\.state_dict\(\) with torch\.save instead\)$/);
  });

  it.each([
    ['a truncated string', pk(0x80, 2, 'X', 100, 0, 0, 0, 'abc'), /byte 2: BINUNICODE needs 100 more bytes, but the pickle ends at byte 10/],
    ['no STOP', pk(0x80, 2, 'N'), /byte 3: the pickle ends without a STOP opcode/],
    ['an unknown opcode', pk(0x80, 2, 0xff), /byte 2: unknown or unsupported pickle opcode 0xff/],
    ['the INST opcode', pk(0x80, 2, 'i', 'os\nsystem\n'), /byte 2: opcode INST .* is not supported/],
    ['a memo entry never stored', pk(0x80, 2, 'h', 7, '.'), /byte 2: memo entry 7 was never stored/],
    ['a stack underflow', pk(0x80, 2, '0', '.'), /byte 2: POP found nothing to take from the stack/],
    ['a TUPLE without MARK', pk(0x80, 2, 't', '.'), /byte 2: TUPLE has no MARK before it/],
    ['calling a storage class', pk(0x80, 2, 'c', 'torch\nFloatStorage\n', ')', 'R', '.'), /byte 23: global torch\.FloatStorage cannot be called/],
    ['calling a string', pk(0x80, 2, 'N', ')', 'R', '.'), /None cannot be called/],
    ['APPEND to a tuple', pk(0x80, 2, ')', 'N', 'a', '.'), /APPEND\(S\) on a tuple, not a list/],
    ['SETITEM on a list', pk(0x80, 2, ']', 'N', 'N', 's', '.'), /SETITEM\(S\) on a list, not a dict/],
    ['BUILD on a list', pk(0x80, 2, ']', '}', 'b', '.'), /BUILD \(setting the state of a list\) is not supported/],
    ['two objects at STOP', pk(0x80, 2, 'N', 'N', '.'), /STOP with 2 objects on the stack/],
    ['protocol 6', pk(0x80, 6, 'N', '.'), /protocol 6 is newer than 5/],
    ['invalid UTF-8', pk(0x80, 2, 0x8c, 1, 0xff, '.'), /a string is not valid UTF-8/],
    ['a bad _rebuild_tensor_v2 call', pk(0x80, 2, 'c', 'torch._utils\n_rebuild_tensor_v2\n', 'N', 0x85, 'R', '.'), /torch\._utils\._rebuild_tensor_v2: expected 6 or 7 arguments, got 1/],
    ['a length longer than the pickle', pk(0x80, 4, 0x95, 255, 255, 255, 255, 0, 0, 0, 0), /length of 4294967295 bytes is longer than the whole pickle/],
  ])('refuses %s', async (_, bytes, message) => {
    await expectCheckpointError(() => unpickle(bytes, options), message);
  });

  it('a deeply nested pickle does not overflow the stack', () => {
    // MARK x N, None, LIST x N: each LIST wraps everything above its MARK, giving [[[...[None]...]]].
    const depth = 100_000;
    const bytes = concat([pk(0x80, 2), new Uint8Array(depth).fill(0x28), pk('N'), new Uint8Array(depth).fill(0x6c), pk('.')]);
    let v = unpickle(bytes, options) as unknown;
    let n = 0;
    while (Array.isArray(v)) {
      v = v[0];
      n++;
    }
    expect(n).toBe(depth);
  });
});
