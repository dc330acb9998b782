/**
 * What every domain's handler factory gets: configuration and the shared, process-wide service state. Its own
 * file so the domains' `handlers.ts` and the composition root that calls them do not import each other.
 */
import type { StudioConfig } from './config';
import type { MediaRoots } from './media-roots';

export interface StudioServices {
  config: StudioConfig;
  media: MediaRoots;
}
