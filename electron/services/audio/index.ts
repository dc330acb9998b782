/**
 * The audio domain's API for other services (training, inference) and the composition root: beat detection of
 * a whole file. Everything else in this folder is reached through the `beats.*` channels (`handlers.ts`).
 */
export { detectBeats, downbeatsOf, type ClipBeats } from './detect-beats';
