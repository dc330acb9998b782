/**
 * Argument parsing for `musedance`. Each command declares its options; a token that starts with `-` but is not
 * a declared option is a positional argument, so file names like `-take.mp4` work (and `--` ends options).
 */
import { StudioError } from '../shared/result';

export type OptionKind = 'string' | 'number' | 'boolean' | 'strings';
export type OptionSpec = Record<string, OptionKind>;

export interface ParsedArgs {
  positional: string[];
  options: Record<string, string | number | boolean | string[] | undefined>;
}

export const GLOBAL_OPTIONS: OptionSpec = { json: 'boolean', debug: 'boolean', help: 'boolean' };

export function parseArgs(argv: string[], spec: OptionSpec): ParsedArgs {
  const all: OptionSpec = { ...GLOBAL_OPTIONS, ...spec };
  const positional: string[] = [];
  const options: ParsedArgs['options'] = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(token);
    const kind = m ? all[m[1]!] : undefined;
    if (!m || !kind) {
      positional.push(token);
      continue;
    }
    const name = m[1]!;
    if (kind === 'boolean') {
      if (m[2] !== undefined && !['true', 'false'].includes(m[2])) throw new StudioError('CLI_USAGE', `--${name} takes no value.`);
      options[name] = m[2] !== 'false';
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new StudioError('CLI_USAGE', `--${name} needs a value.`);
    if (kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new StudioError('CLI_USAGE', `--${name} must be a number, got ${JSON.stringify(value)}.`);
      options[name] = n;
    } else if (kind === 'strings') {
      options[name] = [...((options[name] as string[] | undefined) ?? []), value];
    } else {
      options[name] = value;
    }
  }
  return { positional, options };
}
