import type { Action } from '../../../actions/action';
import { cancelImport } from './cancel-import';
import { importMedia } from './import-media';

export const mediaActions: Action[] = [importMedia, cancelImport];
