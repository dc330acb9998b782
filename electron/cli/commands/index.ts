/** Every `musedance` subcommand. Add one line per command. */
import type { CliCommand } from '../command';
import { doctorCommand } from './doctor';
import { projectCommand } from './project';

export const commands: CliCommand[] = [doctorCommand, projectCommand];
