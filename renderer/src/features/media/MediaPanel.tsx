import { useEffect, useState, type ChangeEvent } from 'react';
import { Box, Button, LinearProgress, Paper, Stack, Typography } from '@mui/material';
import { useStudio } from '../../bridge/index';
import { projectStore, useProjectState } from '../../state/project-store';
import { importFiles, importPaths } from './import-files';
import { filePicker } from '../../state/file-picker';
import { ConfirmDialog } from './ConfirmDialog';
import { FILE_INPUT_ID, importStore, useImportJob } from './import-store';
import { RecalledSettingsDialog } from './RecalledSettingsDialog';
import { CropDialog } from './CropDialog';

/** What the picker offers for import: images, audio, and videos (a studio export recalls its settings). */
const MEDIA_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'bmp', 'gif', 'tif', 'tiff', 'wav', 'mp3', 'flac', 'ogg', 'oga', 'opus', 'm4a', 'aac', 'aif', 'aiff', 'mp4', 'm4v', 'mov', 'webm', 'mkv'];

/** Reference image + song of the open project, with drag and drop anywhere on the window. */
export function MediaPanel() {
  const studio = useStudio();
  const image = useProjectState((s) => s.project?.referenceImage ?? null);
  const song = useProjectState((s) => s.project?.song ?? null);
  const job = useImportJob();
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault(); // allow the drop
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      void importFiles(studio, projectStore, [...(e.dataTransfer?.files ?? [])]);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, [studio]);

  const picked = (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    void importFiles(studio, projectStore, files);
  };

  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="media-panel">
      <input id={FILE_INPUT_ID} data-testid="media-file-input" type="file" multiple accept="image/*,audio/*,video/*" hidden onChange={picked} />
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <Box
          sx={{ width: 96, height: 96, borderRadius: 1, border: 1, borderColor: 'divider', overflow: 'hidden', display: 'grid', placeItems: 'center', flexShrink: 0 }}
          data-testid="media-reference-thumb"
        >
          {image ? (
            <img src={studio.mediaUrl('project', image.path)} alt={`Reference image ${image.originalName}`} style={{ width: '100%', height: '100%', objectFit: 'cover' }} />
          ) : (
            <Typography variant="caption" color="text.secondary">
              no image
            </Typography>
          )}
        </Box>
        <Stack spacing={0.5} sx={{ flexGrow: 1, minWidth: 0 }}>
          <Typography noWrap data-testid="media-image-name">
            Reference image: {image ? image.originalName : '— drop a PNG, JPEG or WebP'}
          </Typography>
          <Typography noWrap data-testid="media-song-name">
            Song: {song ? song.originalName : '— drop any audio file'}
          </Typography>
          {job ? (
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }} data-testid="media-import-progress">
              <Box sx={{ flexGrow: 1 }}>
                <LinearProgress variant={job.fraction === null ? 'indeterminate' : 'determinate'} value={(job.fraction ?? 0) * 100} />
                <Typography variant="caption" color="text.secondary" noWrap>
                  {job.fileName}: {job.message}
                </Typography>
              </Box>
              <Button size="small" onClick={() => importStore.cancel()}>
                Cancel
              </Button>
            </Stack>
          ) : null}
        </Stack>
        <Stack spacing={0.5}>
          <Button
            variant="outlined"
            disabled={!!job}
            data-testid="media-pick"
            onClick={async () => {
              const paths = await filePicker.askMany({ mode: 'file', title: 'Import a reference image and/or a song', multiple: true, extensions: MEDIA_EXTENSIONS });
              if (paths?.length) await importPaths(studio, projectStore, paths);
            }}
          >
            Import image or song…
          </Button>
          <Button size="small" disabled={!!job} onClick={() => document.getElementById(FILE_INPUT_ID)?.click()}>
            Upload from this computer…
          </Button>
        </Stack>
      </Stack>
      <RecalledSettingsDialog />
      <ConfirmDialog />
      <CropDialog />
      {dragging ? (
        <Box
          data-testid="media-drop-overlay"
          sx={{ position: 'fixed', inset: 0, zIndex: 2000, display: 'grid', placeItems: 'center', bgcolor: 'rgba(0,0,0,0.55)', border: '3px dashed', borderColor: 'primary.main', pointerEvents: 'none' }}
        >
          <Typography variant="h4" color="common.white">
            Drop an image or a song to import it
          </Typography>
        </Box>
      ) : null}
    </Paper>
  );
}
