/**
 * The project edit of a song import (issue 23 #1): the new song, with the old song's beats cleared in the same
 * step (they belong to the old music; the analysis of the new one fills them in, merged into this undo step by
 * SONG_IMPORT_EDIT). One Undo restores the old song and every beat the user placed or dragged.
 */
import type { Project } from '../../../../electron/shared/domain/project';

export function withImportedSong(p: Project, song: NonNullable<Project['song']>): Project {
  if (p.song?.sha256 === song.sha256) return p.song.originalName === song.originalName ? p : { ...p, song: { ...p.song, originalName: song.originalName } };
  return { ...p, song, beats: [] };
}
