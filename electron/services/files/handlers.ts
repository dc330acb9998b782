import type { filesChannels } from '../../shared/contract/files';
import type { HandlersFor } from '../../ipc/registry';
import type { StudioServices } from '../studio-services';
import { browseRoots, listFolder } from './browse';

export const filesHandlers = (_s: StudioServices): HandlersFor<typeof filesChannels> => ({
  'files.list': ({ dir, showHidden }) => listFolder(browseRoots(), dir, showHidden),
});
