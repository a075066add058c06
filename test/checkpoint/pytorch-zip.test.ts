/**
 * torch.save files written by Debian's PyTorch (test/checkpoint/torch-fixtures.py) read back exactly as
 * torch.load gives them: names in order, dtypes, shapes and float32 values, including float16/bfloat16/
 * float64, strided views (transposes, slices, expands), two views of one storage, nn.Parameters, training
 * checkpoints wrapping the state_dict, and DataParallel's `module.` names. Files holding anything but data are
 * refused without running anything; damaged archives (zip bombs, missing or short storages) are CheckpointErrors.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bufferSource, fileSource, type ByteSource } from '../../src/checkpoint/byte-source.js';
import { CheckpointError } from '../../src/checkpoint/checkpoint.js';
import { readPytorch } from '../../src/checkpoint/pytorch-zip.js';
import { expectCheckpointError, python, tempDir, torchMissing, utf8, zipFile, type ZipEntryFixture } from './fixtures.js';

interface ExpectedTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly values: number[];
  readonly contiguous: boolean;
}
interface Expected {
  readonly files: Record<string, { tensors: ExpectedTensor[]; wrapper: string | null }>;
  readonly entries: [string, string][];
  readonly storageKeys: Record<string, string>;
}

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch-fixtures.py');
const torchIt = it.skipIf(torchMissing !== undefined);
let dir = '';
let marker = '';
let expected: Expected;

beforeAll(() => {
  if (torchMissing) return;
  dir = tempDir('torch');
  marker = path.join(dir, 'payload-ran');
  execFileSync(python, [script, dir, marker], { stdio: ['ignore', 'ignore', 'pipe'] });
  expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
});

const open = (name: string) => readPytorch(bufferSource(readFileSync(path.join(dir, name))));

/** state-dict.pt's entries, optionally changed, as a new archive. */
function rebuilt(change: (entries: ZipEntryFixture[]) => ZipEntryFixture[]): ByteSource {
  const entries = expected.entries.map(([name, data]) => ({ name, data: Uint8Array.from(Buffer.from(data, 'base64')) }));
  return bufferSource(zipFile(change(entries)));
}

describe('readPytorch', () => {
  const files = ['state-dict.pt', 'state-dict-protocol4.pt', 'wrapped-state_dict.pt', 'wrapped-model.pt', 'wrapped-model_state_dict.pt', 'wrapped-ema.pt', 'dataparallel.pt', 'parameters.pt', 'deflated.pt'];

  torchIt.each(files)('%s: the tensors torch.load gives, in order, with their values', async (file) => {
    const want = expected.files[file]!;
    const src = fileSource(path.join(dir, file));
    try {
      const ckpt = await readPytorch(src);
      expect(ckpt.format).toBe('pytorch');
      expect(ckpt.metadata.wrapper).toBe(want.wrapper ?? undefined);
      expect([...ckpt.tensors.keys()]).toEqual(want.tensors.map((t) => t.name));
      for (const t of want.tensors) {
        const got = ckpt.tensors.get(t.name)!;
        expect([got.dtype, got.shape], t.name).toEqual([t.dtype, t.shape]);
        if (['F32', 'F16', 'BF16', 'F64'].includes(t.dtype)) expect([...got.toFloat32()], t.name).toEqual(t.values);
        else await expectCheckpointError(() => got.toFloat32(), new RegExp(`'${t.name.replace(/\./g, '\\.')}' holds ${t.dtype} values, not floats`));
      }
    } finally {
      src.close();
    }
  });

  torchIt('covers the cases it claims: strided views, shared storage, every float dtype', () => {
    const tensors = expected.files['state-dict.pt']!.tensors;
    expect(tensors.filter((t) => !t.contiguous).map((t) => t.name)).toEqual(['extra.transposed', 'extra.expanded', 'extra.sliced', 'extra.transposed_half']);
    expect(new Set(tensors.map((t) => t.dtype))).toEqual(new Set(['F32', 'F16', 'BF16', 'F64', 'I64', 'I32']));
    expect(expected.storageKeys['extra.view_a']).toBe(expected.storageKeys['extra.view_b']);
  });

  torchIt('records the archive name and version; keeps DataParallel names as stored', async () => {
    const ckpt = await open('state-dict.pt');
    expect(ckpt.metadata).toEqual({ archive: 'state-dict', version: '3' });
    const parallel = await open('dataparallel.pt');
    expect([...parallel.tensors.keys()].every((k) => k.startsWith('module.'))).toBe(true);
  });

  torchIt('open reads the directory and data.pkl only; toFloat32 reads only its tensor (or the span of a view)', async () => {
    const bytes = readFileSync(path.join(dir, 'big.pt'));
    const inner = bufferSource(bytes);
    const reads: number[] = [];
    const counting: ByteSource = { size: inner.size, read: (o, n) => (reads.push(n), inner.read(o, n)) };
    const ckpt = await readPytorch(counting);
    // yauzl's search for the end record (the last 64 KB), the directory, local headers and data.pkl; not the 4 MB tensor.
    expect(bytes.length).toBeGreaterThan(4_000_000);
    expect(reads.reduce((a, b) => a + b, 0)).toBeLessThan(70_000);
    reads.length = 0;
    expect(ckpt.tensors.get('small')!.toFloat32().length).toBe(3);
    expect(reads).toEqual([12]);
    reads.length = 0;
    expect(ckpt.tensors.get('big')!.toFloat32().length).toBe(1_000_000);
    expect(reads).toEqual([4_000_000]);
  });

  torchIt('a strided view reads only the span it covers', async () => {
    const bytes = readFileSync(path.join(dir, 'state-dict.pt'));
    const inner = bufferSource(bytes);
    const reads: number[] = [];
    const ckpt = await readPytorch({ size: inner.size, read: (o, n) => (reads.push(n), inner.read(o, n)) });
    reads.length = 0;
    // Rows 1-2, every other column of a 4x6 storage: elements 6 to 16.
    ckpt.tensors.get('extra.sliced')!.toFloat32();
    expect(reads).toEqual([11 * 4]);
  });

  torchIt.each([
    ['namespace.pt', 'argparse.Namespace'],
    ['counter.pt', 'collections.Counter'],
    ['whole-module.pt', 'torch.nn.modules.container.Sequential'],
    ['payload.pt', 'posix.system'],
  ])('refuses %s: global %s would run code', async (file, global) => {
    await expectCheckpointError(() => open(file), new RegExp(`data\\.pkl byte \\d+: loading this file would run code: global ${global.replace(/\./g, '\\.')} is not allowed; effnet loads only state_dicts of tensors`));
    expect(existsSync(marker)).toBe(false);
  });

  torchIt('says how to fix a whole saved nn.Module', async () => {
    await expectCheckpointError(() => open('whole-module.pt'), /\(the file holds a whole nn\.Module; save model\.state_dict\(\) instead\)$/);
  });

  const half = () => `state-dict/data/${expected.storageKeys['extra.half']}`;
  const zeros = new Uint8Array(50 << 20);

  torchIt.each([
    ['a zip bomb in data.pkl (declares 1000 bytes, inflates to 50 MB)', () => rebuilt((es) => es.map((e) => (e.name.endsWith('data.pkl') ? { ...e, data: zeros, deflate: true, declaredSize: 1000 } : e))), /zip entry state-dict\/data\.pkl inflates to more than the 1000 bytes its header declares/],
    ['an entry declaring more than DEFLATE can produce', () => rebuilt((es) => es.map((e) => (e.name.endsWith('data.pkl') ? { ...e, deflate: true, declaredSize: 4_000_000_000 } : e))), /declares 4000000000 bytes from \d+ compressed bytes, more than DEFLATE can produce/],
    ['a missing storage', () => rebuilt((es) => es.filter((e) => e.name !== half())), /tensor 'extra\.half': its storage state-dict\/data\/9 is not in the archive/],
    ['a short storage', () => rebuilt((es) => es.map((e) => (e.name === half() ? { ...e, data: new Uint8Array(4) } : e))), /tensor 'extra\.half': storage state-dict\/data\/9 should hold 6 F16 elements \(12 bytes\), but the entry is 4 bytes/],
    ['a big-endian archive', () => rebuilt((es) => [...es, { name: 'state-dict/byteorder', data: utf8('big') }]), /byteorder says 'big': only little-endian/],
    ['a zip without data.pkl', () => rebuilt((es) => es.filter((e) => !e.name.endsWith('data.pkl'))), /a zip archive without <name>\/data\.pkl, so not a torch\.save file \(it holds \d+ entries: state-dict\/data\/0/],
    ['two entries with one name', () => rebuilt((es) => [...es, es[1]!]), /two entries named state-dict\/data\/0/],
    ['a truncated file', () => bufferSource(readFileSync(path.join(dir, 'state-dict.pt')).subarray(0, 3000)), /not a readable zip archive: End of central directory record signature not found/],
  ])('refuses %s', async (_, source, message) => {
    await expectCheckpointError(() => readPytorch(source()), message);
  });

  torchIt('a zip bomb in a storage fails when that tensor is read, after at most its declared size', async () => {
    const ckpt = await readPytorch(rebuilt((es) => es.map((e) => (e.name === half() ? { ...e, data: zeros, deflate: true, declaredSize: 12 } : e))));
    expect(ckpt.tensors.get('0.weight')!.toFloat32().length).toBe(4 * 3 * 3 * 3);
    await expectCheckpointError(() => ckpt.tensors.get('extra.half')!.toFloat32(), /zip entry state-dict\/data\/9 inflates to more than the 12 bytes its header declares/);
  });

  torchIt('reads archives whose storages are deflated (rebuilt here byte by byte)', async () => {
    const ckpt = await readPytorch(rebuilt((es) => es.map((e) => ({ ...e, deflate: true }))));
    for (const t of expected.files['state-dict.pt']!.tensors.filter((x) => x.dtype.startsWith('F') || x.dtype === 'BF16')) {
      expect([...ckpt.tensors.get(t.name)!.toFloat32()], t.name).toEqual(t.values);
    }
  });

  torchIt('never throws anything but a CheckpointError on a corrupted torch.save file', async () => {
    const original = readFileSync(path.join(dir, 'state-dict.pt'));
    const edit = fc.record({ at: fc.nat(original.length - 1), byte: fc.integer({ min: 0, max: 255 }) });
    await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 8 }), async (edits) => {
      const bytes = Uint8Array.from(original);
      for (const e of edits) bytes[e.at] = e.byte;
      try {
        const ckpt = await readPytorch(bufferSource(bytes));
        for (const t of ckpt.tensors.values()) {
          try {
            t.toFloat32();
          } catch (e) {
            if (!(e instanceof CheckpointError)) throw e;
          }
        }
      } catch (e) {
        if (!(e instanceof CheckpointError)) throw e;
      }
    }), { numRuns: 400 });
  });
});
