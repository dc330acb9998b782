/**
 * `musedance` — every studio capability from the command line: `npm run -s musedance -- <command> [--json]`.
 * With --json exactly one JSON object goes to stdout; failures exit 1 with one line on stderr (and
 * `{ ok: false, error }` on stdout under --json). Stack traces only with --debug.
 */
import { StudioError, ErrorCodes } from '../shared/result';
import { parseArgs, GLOBAL_OPTIONS } from './args';
import type { CliContext } from './command';
import { commands } from './commands/index';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return ['usage: npm run -s musedance -- <command> [options] [--json] [--debug]', '', 'commands:', ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)].join('\n');
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  const debug = argv.includes('--debug');
  const fail = (code: string, message: string): number => {
    if (wantsJson) io.out(JSON.stringify({ ok: false, error: { code, message } }) + '\n');
    io.err(`musedance: ${message.split('\n')[0]}\n`);
    return 1;
  };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help' || name.startsWith('--')) {
    if (!name || name === '--help' || name === 'help') {
      io.out(usage() + '\n');
      return 0;
    }
  }
  const command = commands.find((c) => c.name === name);
  if (!command) return fail('CLI_USAGE', `unknown command ${JSON.stringify(name)}; run with --help for the list`);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const args = parseArgs(rest, { ...GLOBAL_OPTIONS, ...command.options });
    if (args.options.help) {
      io.out(`usage: npm run -s musedance -- ${command.usage}\n`);
      return 0;
    }
    // The services load only now: `--help` and usage errors never pay for them (the bundle evaluates them lazily).
    const [{ loadConfig }, { createStudio }] = await Promise.all([import('../services/config'), import('../services/composition-root')]);
    const config = command.configure ? command.configure(args, loadConfig()) : loadConfig();
    const { registry } = createStudio('cli', config, debug ? (l) => io.err(l + '\n') : undefined);
    const ctx: CliContext = {
      config,
      registry,
      json: wantsJson,
      signal: controller.signal,
      status: (line) => {
        if (!wantsJson || process.stderr.isTTY) io.err(line + '\n');
      },
      async call(channel, request) {
        const result = await registry.dispatch(channel, request);
        if (!result.ok) throw new StudioError(result.error.code, result.error.message);
        return result.value as never;
      },
    };
    const result = await command.run(args, ctx);
    io.out((wantsJson ? JSON.stringify(result.json) : result.text) + '\n');
    return 0;
  } catch (error) {
    if (debug && error instanceof Error) io.err((error.stack ?? error.message) + '\n');
    if (error instanceof StudioError) return fail(error.code, error.message);
    return fail(ErrorCodes.internal, error instanceof Error ? error.message : String(error));
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

const isEntry = process.argv[1] && /cli[\\/]main\.(ts|js|cjs|mjs)$/.test(process.argv[1]);
if (isEntry) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
}
