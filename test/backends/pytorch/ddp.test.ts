/**
 * The module trains under DistributedDataParallel: two CPU processes (gloo, started by
 * torch.multiprocessing.spawn, rendezvous at tcp://127.0.0.1 on a free port; Debian's torchrun is broken on
 * Python 3.11) train EfficientNet-B0 at 32x32 with 10 classes for a few steps, each on its own data; the
 * replicas stay identical, and rank 0 saves the state_dict with torch.save twice: the module's (effnet's
 * names) and the DDP wrapper's (every key behind 'module.'). Both compile with --weights to ONNX that gives
 * the trained module's eval-mode logits.
 */
import { rmSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { compareOutputs } from '../../../backends/agreement.js';
import { cli } from '../../cli/run-cli.js';
import { specPath } from '../../helpers.js';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { graphTensors } from '../../../src/weights/graph-tensors.js';
import { modulePaths, stateDictKey } from '../../../src/weights/naming/effnet-names.js';
import { compileEdited } from '../tfjs/tfjs-helpers.js';
import { hasTorch, lastJson, noTorchReason, readF32, runPython, tempDir, writePytorch } from './pytorch-helpers.js';

const STEPS = 4;
/** Generous: the run takes about ten seconds here, most of it two torch imports. */
const TIMEOUT_MS = 240_000;

const SCRIPT = `
import socket
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel


def worker(rank, world, port, directory, steps, checkpoint, prefixed, result_path):
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world)
    torch.manual_seed(0)
    model = build(directory, 'ddp')
    ddp = DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.01)
    g = torch.Generator().manual_seed(100 + rank)  # each rank its own shard of the data
    x = torch.randn(4, *model.input_shape, generator=g)
    y = torch.randint(0, 10, (4,), generator=g)
    ddp.train()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(ddp(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    # All-reduced gradients keep the replicas identical: compare a checksum of every parameter.
    checksum = torch.tensor([sum(p.double().sum().item() for p in model.parameters())], dtype=torch.float64)
    sums = [torch.zeros(1, dtype=torch.float64) for _ in range(world)]
    dist.all_gather(sums, checksum)
    mean_loss = torch.tensor([losses[-1]])
    dist.all_reduce(mean_loss)
    if rank == 0:
        torch.save(model.state_dict(), checkpoint)
        # What a script that saves the wrapper gets: every key with DDP's 'module.' in front.
        torch.save(ddp.state_dict(), prefixed)
        model.eval()
        probe = torch.randn(2, *model.input_shape, generator=torch.Generator().manual_seed(9))
        with torch.no_grad():
            logits = model(probe)
        write_f32(os.path.join(os.path.dirname(result_path), 'probe.bin'), probe)
        write_f32(os.path.join(os.path.dirname(result_path), 'logits.bin'), logits)
        with open(result_path, 'w') as f:
            json.dump({'losses': losses, 'last_mean_loss': mean_loss.item() / world, 'checksums': [s.item() for s in sums], 'keys': list(model.state_dict().keys())}, f)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == '__main__':
    directory, checkpoint, prefixed, result_path = sys.argv[1:5]
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    started = time.time()
    mp.spawn(worker, args=(2, port, directory, ${STEPS}, checkpoint, prefixed, result_path), nprocs=2, join=True)
    seconds = time.time() - started
    with open(result_path) as f:
        result = json.load(f)
    saved = torch.load(checkpoint)
    result.update(seconds=seconds, port=port, saved_keys=list(saved.keys()), prefixed_keys=list(torch.load(prefixed).keys()), fresh_keys=list(build(directory, 'fresh').state_dict().keys()))
    print(json.dumps(result))
`;

interface DdpResult {
  losses: number[];
  last_mean_loss: number;
  checksums: number[];
  keys: string[];
  saved_keys: string[];
  prefixed_keys: string[];
  fresh_keys: string[];
  seconds: number;
  port: number;
}

const work = tempDir('ddp');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!hasTorch)('PyTorch DistributedDataParallel', () => {
  it(`two CPU processes (gloo) train for ${STEPS} steps; rank 0 saves the state_dict under the module's own keys`, async () => {
    const c = compileEdited('efficientnet-b0.effnet', { scaling: { inputSize: 32 } }, (t) => t.replace(/classes\s+1000/, 'classes 10'));
    const dir = await writePytorch(c.graph, path.join(work, 'b0'));
    const checkpoint = path.join(work, 'b0-ddp.pt');
    const prefixed = path.join(work, 'b0-ddp-module.pt');
    const started = performance.now();
    const run = await runPython(work, 'ddp.py', SCRIPT, [dir, checkpoint, prefixed, path.join(work, 'result.json')], TIMEOUT_MS);
    const seconds = (performance.now() - started) / 1000;
    const r = lastJson<DdpResult>(run);
    console.log(`DDP: 2 processes x ${STEPS} steps (batch 4 each) in ${r.seconds.toFixed(1)} s of spawn (${seconds.toFixed(1)} s with the parent's torch import), port ${r.port}; rank 0 losses ${r.losses.map((l) => l.toFixed(4)).join(' -> ')}, last loss averaged over ranks ${r.last_mean_loss.toFixed(4)}`);
    expect(seconds * 1000).toBeLessThan(TIMEOUT_MS);
    expect(r.losses).toHaveLength(STEPS);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(r.checksums[0]).toBe(r.checksums[1]);
    const pathOf = modulePaths(c.graph);
    const contract = graphTensors(c.graph).flatMap((t) => (t.role === 'variance' ? [stateDictKey(pathOf(t.node), t.role), `${pathOf(t.node)}.num_batches_tracked`] : [stateDictKey(pathOf(t.node), t.role)]));
    expect(r.saved_keys).toEqual(r.fresh_keys);
    expect(r.saved_keys).toEqual(contract);
    expect(r.saved_keys.some((k) => k.startsWith('module.'))).toBe(false);
    expect(r.prefixed_keys).toEqual(contract.map((k) => `module.${k}`));

    // Back through effnet: both checkpoints, to ONNX, give the trained module's logits. Four steps in, BN's
    // running statistics have barely moved (momentum 0.01), so eval-mode logits are large; agreement is relative.
    const probe = readF32(path.join(work, 'probe.bin'));
    const want = readF32(path.join(work, 'logits.bin'));
    for (const file of [checkpoint, prefixed]) {
      const onnx = `${file}.onnx`;
      const built = await cli('compile', specPath('efficientnet-b0.effnet'), '--input-size', '32', '--classes', '10', '--weights', file, '-o', onnx);
      expect(built.code, built.stderr).toBe(0);
      const session = await ort.InferenceSession.create(onnx);
      const got = (await session.run({ input: new ort.Tensor('float32', probe, [2, 3, 32, 32]) })).logits!.data as Float32Array;
      await session.release();
      const a = compareOutputs(got, want, 'cpu');
      console.log(`DDP checkpoint ${path.basename(file)} -> --weights -> ONNX: ${a.summary}`);
      expect(a.evidence && a.ok, a.summary).toBe(true);
    }
  }, TIMEOUT_MS + 60_000);
});

describe.skipIf(hasTorch)('PyTorch DistributedDataParallel', () => {
  it('skip: no Python with torch', () => console.log(`ddp.test.ts skipped: ${noTorchReason}`));
});
