/**
 * Runs a user's evaluation command (`grid --eval`) the way a long training job needs: in its own process
 * group, so a timeout or a Ctrl-C of effnet ends the command and everything it started (a `sh -c` wrapper's
 * children would otherwise live on), with its output collected up to a cap. When the command itself exits,
 * whatever it left running in its group (a data-loader worker holding stdout) is stopped too, so a finished
 * evaluation is never reported as a timeout.
 */
import { spawn } from 'node:child_process';

export interface EvalRun {
  /** Exit code, or null when a signal ended the command. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it did not finish on its own: 'timeout', 'interrupted', or a spawn failure's message. */
  readonly failure?: string;
}

const OUTPUT_CAP = 16 * 1024 * 1024;

/**
 * `onInterrupt` runs before effnet stops on Ctrl-C (to remove temporary files); `onSpawn` gets the command's
 * process group id (recorded so that a later run can stop it if effnet itself is killed).
 */
export function runEval(command: string, timeoutMs: number, onInterrupt: () => void = () => {}, onSpawn: (pgid: number) => void = () => {}): Promise<EvalRun> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) onSpawn(child.pid);
    let stdout = '';
    let stderr = '';
    let failure: string | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < OUTPUT_CAP) stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < OUTPUT_CAP) stderr += d; });
    const killGroup = (why: string) => {
      failure ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch { /* already gone */ }
    };
    const timer = setTimeout(() => killGroup('timeout'), timeoutMs);
    // Ctrl-C reaches effnet's process group, not the command's: pass it on, then stop as effnet would have.
    const onSignal = (signal: NodeJS.Signals) => {
      killGroup('interrupted');
      onInterrupt();
      process.kill(process.pid, signal);
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    for (const s of signals) process.once(s, onSignal);
    const finish = (run: EvalRun) => {
      clearTimeout(timer);
      for (const s of signals) process.removeListener(s, onSignal);
      resolve(run);
    };
    child.on('error', (e) => finish({ code: null, stdout, stderr, failure: e.message }));
    // The command is done: release the pipes its leftovers hold, so 'close' comes now.
    child.on('exit', () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch { /* nothing left */ }
    });
    child.on('close', (code) => finish({ code, stdout, stderr, ...(failure ? { failure } : {}) }));
  });
}
