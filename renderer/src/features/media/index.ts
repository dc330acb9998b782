/** The media feature: the import panel of the Studio screen and its actions. */
export { MediaPanel } from './MediaPanel';
export { mediaActions } from './actions/index';
export { importFiles, importPaths } from './import-files';
