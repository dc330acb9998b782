/**
 * The files domain's API for other services: the roots the file picker may browse (media import checks a
 * picked path against the same roots). Listings themselves are reached through the `files.*` channels.
 */
export { browseRoots } from './browse';
