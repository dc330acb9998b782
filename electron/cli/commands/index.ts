/** Every `musedance` subcommand. Add one line per command. */
import type { CliCommand } from '../command';
import { doctorCommand } from './doctor';
import { projectCommand } from './project';
import { datasetCommand } from './dataset';
import { trainCommand } from './train';
import { probeCommand } from './probe';
import { exportCommand } from './export';
import { importCommand } from './media-import';
import { settingsCommand } from './media-settings';
import { cuesCommand } from './media-cues';
import { packCommand } from './pack';
import { generateCommand } from './generate';
import { beatsCommand } from './beats';
import { markersCommand } from './markers';

export const commands: CliCommand[] = [doctorCommand, projectCommand, datasetCommand, trainCommand, probeCommand, exportCommand, importCommand, settingsCommand, cuesCommand, packCommand, generateCommand, beatsCommand, markersCommand];
