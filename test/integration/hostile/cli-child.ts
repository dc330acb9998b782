/**
 * Runs `musedance` commands in a child process, one after another, and prints `DONE <i> <exit> <stdout>` after
 * each: a command that blocks (a synchronous read of a FIFO freezes the whole process) shows up as the missing
 * line once the parent's timeout kills the child. argv: a JSON array of argument arrays.
 */
import { runCli } from '../../../electron/cli/main';

const runs = JSON.parse(process.argv[2] ?? '[]') as string[][];
for (let i = 0; i < runs.length; i++) {
  let out = '';
  const code = await runCli(runs[i]!, { out: (s) => ((out += s), true), err: () => true });
  process.stdout.write(`DONE ${i} ${code} ${out.trim().split('\n').pop() ?? ''}\n`);
}
process.exit(0);
