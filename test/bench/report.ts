import { spawn } from 'node:child_process';
import path from 'node:path';

/** The one format every benchmark prints: `BENCH <name> <value> <unit>`. */
export function bench(name: string, value: number, unit: string): void {
  const shown = Number.isInteger(value) ? String(value) : value.toPrecision(4);
  console.log(`BENCH ${name} ${shown} ${unit}`);
}

/**
 * Runs a bench whose work lives in another program (Python, a plain node script), killed after `timeoutMs`;
 * resolves with its stdout and forwards the `BENCH` lines it printed. Rejects naming the program and its last line.
 */
export function runChildBench(program: string, args: string[], options: { cwd: string; timeoutMs: number }): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(program, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${path.basename(args[0] ?? program)} exited with ${code}: ${out.trim().split('\n').pop() ?? ''}`));
      for (const line of out.split('\n')) {
        const m = /^BENCH (\S+) (\S+) (\S+)$/.exec(line.trim());
        if (m) bench(m[1]!, Number(m[2]), m[3]!);
      }
      resolve(out);
    });
  });
}
