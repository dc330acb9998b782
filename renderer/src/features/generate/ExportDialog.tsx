/**
 * The export dialog (issue 23): format, size (pack's native, 2x, 4x), aspect (native, 9:16, 1:1, 16:9) by
 * crop or letterbox, frame interpolation, range (whole song / selected segments), trim to the song's end, the
 * output location (file picker), a warning for stale takes, the resulting size and length before anything runs,
 * then progress with Cancel. The choices are embedded in the file (a re-import offers to recall them).
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, LinearProgress, MenuItem, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import type { ExportChoices } from '@shared/domain/media';
import { planFrame, trimmedLength } from '@shared/domain/export-frame';
import { useStudio } from '../../bridge/index';
import { exportChoices, exportDialog, useExportChoices, useExportDialog } from '../../state/export-choices';
import { filePicker } from '../../state/file-picker';
import { generateStore, useGenerateState } from '../../state/generate-store';
import { useProjectState } from '../../state/project-store';
import { assembleTakes } from '../../shared/assembled-takes';


const slug = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'musedance';
const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

export function ExportDialog() {
  const studio = useStudio();
  const { open, selection } = useExportDialog();
  const choices = useExportChoices();
  const project = useProjectState((s) => s.project);
  const dir = useProjectState((s) => s.dir);
  const exporting = useGenerateState((s) => s.exporting);
  const progress = useGenerateState((s) => s.exportProgress);
  const packs = useGenerateState((s) => s.packs);
  const [out, setOut] = useState('');
  const [songSec, setSongSec] = useState<number | null>(null);

  useEffect(() => {
    if (!open || !project || !dir) return;
    setOut(`${dir.replace(/[\\/]+$/, '')}/exports/${slug(project.name)}-${stamp()}.${choices.format}`);
    setSongSec(null);
    if (project.song) void studio.verbs.media.probe({ path: `${dir.replace(/[\\/]+$/, '')}/${project.song.path}`, require: 'audio' }).then((r) => r.ok && setSongSec(r.value.durationSec));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  // The extension follows the format.
  useEffect(() => setOut((o) => o.replace(/\.(mp4|webm|gif)$/i, `.${choices.format}`)), [choices.format]);

  const assembled = useMemo(() => (project ? assembleTakes(project.segments, choices.range === 'selection' ? selection : undefined) : null), [project, choices.range, selection]);
  if (!open || !project) return null;
  const set = (patch: Partial<ExportChoices>) => exportChoices.update(patch);
  const fps = project.fps;
  const packId = project.segments.flatMap((s) => s.takes)[0]?.packId;
  const pack = packs.find((p) => p.id === packId) ?? packs.find((p) => p.id === generateStore.getState().settings.packId);
  const native = { width: pack?.width ?? 64, height: pack?.height ?? 64 };
  const plan = planFrame(native, { upscale: choices.upscale, aspect: choices.aspect, fit: choices.fit, evenSides: choices.format !== 'gif' });
  const remaining = songSec !== null && choices.trimToSong ? songSec - (assembled?.startFrame ?? 0) / fps : null;
  const length = assembled ? trimmedLength(assembled.frames, fps, remaining) : null;
  const stale = assembled?.staleSegments ?? [];
  const run = async () => {
    const ok = await generateStore.exportKept({ choices, out, selection });
    if (ok) exportDialog.close();
  };
  const choose = async () => {
    const name = out.split(/[\\/]/).pop() ?? `musedance.${choices.format}`;
    const picked = await filePicker.ask({ mode: 'save', title: 'Export the video to…', suggestedName: name });
    if (picked) setOut(/\.(mp4|webm|gif)$/i.test(picked) ? picked : `${picked}.${choices.format}`);
  };

  return (
    <Dialog open onClose={() => !exporting && exportDialog.close()} maxWidth="md" fullWidth data-testid="export-dialog">
      <DialogTitle>Export video</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <Stack direction="row" spacing={2}>
            <TextField select size="small" label="Format" value={choices.format} onChange={(e) => set({ format: e.target.value as ExportChoices['format'] })} sx={{ width: 190 }} slotProps={{ htmlInput: { 'data-testid': 'export-format' } }}>
              <MenuItem value="mp4">MP4 (H.264)</MenuItem>
              <MenuItem value="webm">WebM (VP9)</MenuItem>
              <MenuItem value="gif">GIF (no sound)</MenuItem>
            </TextField>
            <TextField select size="small" label="Frame interpolation" value={choices.interpolateFps ?? 0} onChange={(e) => set({ interpolateFps: Number(e.target.value) ? (Number(e.target.value) as 24 | 30) : null })} sx={{ width: 290 }}>
              <MenuItem value={0}>Off ({fps} fps, as generated)</MenuItem>
              <MenuItem value={24}>24 fps (motion-interpolated)</MenuItem>
              <MenuItem value={30}>30 fps (motion-interpolated)</MenuItem>
            </TextField>
          </Stack>
          <div>
            <Typography variant="caption" color="text.secondary">
              Size
            </Typography>
            <ToggleButtonGroup exclusive size="small" value={choices.upscale} onChange={(_e, v) => v && set({ upscale: v })} aria-label="Size" sx={{ display: 'flex' }}>
              <ToggleButton value={1} data-testid="export-size-1">
                Native {native.width}×{native.height}
              </ToggleButton>
              <ToggleButton value={2} data-testid="export-size-2">
                2× upscale
              </ToggleButton>
              <ToggleButton value={4} data-testid="export-size-4">
                4× upscale
              </ToggleButton>
            </ToggleButtonGroup>
          </div>
          <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-end' }}>
            <div>
              <Typography variant="caption" color="text.secondary">
                Aspect
              </Typography>
              <ToggleButtonGroup exclusive size="small" value={choices.aspect} onChange={(_e, v) => v && set({ aspect: v })} aria-label="Aspect" sx={{ display: 'flex' }}>
                {(['native', '9:16', '1:1', '16:9'] as const).map((a) => (
                  <ToggleButton key={a} value={a} data-testid={`export-aspect-${a.replace(':', 'x')}`}>
                    {a === 'native' ? 'As made' : a}
                  </ToggleButton>
                ))}
              </ToggleButtonGroup>
            </div>
            <ToggleButtonGroup exclusive size="small" value={choices.fit} onChange={(_e, v) => v && set({ fit: v })} aria-label="Fit" disabled={choices.aspect === 'native'}>
              <ToggleButton value="crop" data-testid="export-fit-crop">
                Crop
              </ToggleButton>
              <ToggleButton value="letterbox" data-testid="export-fit-letterbox">
                Letterbox
              </ToggleButton>
            </ToggleButtonGroup>
          </Stack>
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
            <TextField select size="small" label="Range" value={choices.range} onChange={(e) => set({ range: e.target.value as ExportChoices['range'] })} sx={{ width: 300 }}>
              <MenuItem value="song">Whole song (every kept take)</MenuItem>
              <MenuItem value="selection" disabled={!selection.size}>
                Selected segments ({selection.size})
              </MenuItem>
            </TextField>
            <FormControlLabel control={<Checkbox checked={choices.trimToSong} onChange={(e) => set({ trimToSong: e.target.checked })} data-testid="export-trim" />} label="Stop at the song’s end" />
          </Stack>
          <Stack direction="row" spacing={1}>
            <TextField size="small" fullWidth label="Save to" value={out} onChange={(e) => setOut(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'export-out' } }} />
            <Button onClick={() => void choose()} data-testid="export-choose">
              Choose…
            </Button>
          </Stack>
          {stale.length > 0 && (
            <Alert severity="warning" data-testid="export-stale">
              Segment{stale.length > 1 ? 's' : ''} {stale.join(', ')} {stale.length > 1 ? 'use takes' : 'uses a take'} made before an earlier segment was re-rolled: the motion may jump at the seam. Re-roll
              {stale.length > 1 ? ' them' : ' it'} to match, or export anyway.
            </Alert>
          )}
          {!assembled?.takePaths.length && <Alert severity="info">Nothing to export yet: generate the first segment (or select segments that have takes).</Alert>}
          <Typography variant="body2" data-testid="export-summary">
            {assembled?.takePaths.length
              ? `${assembled.takePaths.length} take${assembled.takePaths.length > 1 ? 's' : ''} → ${plan.width}×${plan.height}${choices.aspect !== 'native' ? ` (${choices.aspect} ${choices.fit})` : ''}, ${length!.frames} frames, ${length!.durationSec.toFixed(2)} s${choices.format === 'gif' ? ', no sound' : ', with the song'}; the settings are stored in the file${choices.format === 'gif' ? ' (not in a GIF)' : ''}.`
              : ''}
          </Typography>
          {exporting && (
            <div data-testid="export-progress">
              <LinearProgress variant={progress?.fraction == null ? 'indeterminate' : 'determinate'} value={(progress?.fraction ?? 0) * 100} />
              <Typography variant="caption">{progress?.message}</Typography>
            </div>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        {exporting ? (
          <Button color="error" onClick={() => void generateStore.cancelExport()}>
            Cancel export
          </Button>
        ) : (
          <Button onClick={() => exportDialog.close()}>Close</Button>
        )}
        <Button variant="contained" disabled={exporting || !assembled?.takePaths.length || !out} onClick={() => void run()} data-testid="export-run">
          {exporting ? 'Exporting…' : 'Export'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
