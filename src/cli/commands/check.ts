import type { Register } from '../main.js';
import { loadSpec } from '../load-spec.js';
import { addScalingFlags, compileOptions, type ScalingFlags } from '../scaling-flags.js';

export const registerCheck: Register = (program, ctx) => {
  addScalingFlags(
    program
      .command('check')
      .description('parse and validate specs; prints every problem found, with file:line:col')
      .argument('<files...>', '.effnet spec files')
      .addHelpText('after', '\nExample:\n  $ effnet check specs/*.effnet\n  $ effnet check specs/resnet.effnet --variant resnet101'),
  ).action((files: string[], flags: ScalingFlags) => {
    const options = compileOptions(flags);
    for (const file of files) {
      const { exitCode, compilation } = loadSpec(file, options, ctx.io);
      ctx.setExit(exitCode);
      if (exitCode === 0) {
        const r = compilation.report!;
        ctx.io.err(`${file}: ok (${r.total.params.toLocaleString('en-US')} params, ${(r.total.macs / 1e9).toFixed(3)} GMACs)`);
      }
    }
  });
};
