/**
 * Export beats to, and import them from, other editors' marker files (Audacity labels, CSV, FCPXML).
 * A bad file shows its error here (which line, what is wrong) and changes nothing.
 */
import { useMemo, useState } from 'react';
import { Alert, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, MenuItem, TextField, Typography } from '@mui/material';
import { MARKER_FORMATS, MARKER_FORMAT_INFO, TIMECODE_RATES, detectMarkerFormat, parseMarkers, serializeMarkers, type MarkerFormat } from '@shared/domain/markers/index';
import { StudioError } from '@shared/result';
import { notify } from '../../state/notifications';
import { projectStore, useProjectState } from '../../state/project-store';
import { beatsFromRecords, mergeBeats, newBeatId } from './beat-ops';
import { replaceAllBeats } from './timeline-edits';
import { readyAnalysis, timelineStore, useTimeline } from './timeline-store';

export function MarkerDialog() {
  const mode = useTimeline((s) => s.markerDialog);
  const close = () => timelineStore.update({ markerDialog: null });
  return (
    <Dialog open={mode !== null} onClose={close} maxWidth="sm" fullWidth slotProps={{ paper: { 'aria-label': mode === 'import' ? 'Import beat markers' : 'Export beat markers' } as object }}>
      {mode === 'export' && <ExportBody onClose={close} />}
      {mode === 'import' && <ImportBody onClose={close} />}
    </Dialog>
  );
}

function FormatFields({ format, setFormat, fps, setFps }: { format: MarkerFormat; setFormat(f: MarkerFormat): void; fps: number; setFps(n: number): void }) {
  return (
    <>
      <TextField select label="Format" size="small" value={format} onChange={(e) => setFormat(e.target.value as MarkerFormat)} sx={{ minWidth: 260, mr: 1, mt: 1 }}>
        {MARKER_FORMATS.map((f) => (
          <MenuItem key={f} value={f}>
            {MARKER_FORMAT_INFO[f].label}
          </MenuItem>
        ))}
      </TextField>
      <TextField select label="Timecode frame rate" size="small" value={fps} onChange={(e) => setFps(Number(e.target.value))} sx={{ minWidth: 170, mt: 1 }}>
        {TIMECODE_RATES.map((r) => (
          <MenuItem key={r} value={r}>
            {r} fps
          </MenuItem>
        ))}
      </TextField>
    </>
  );
}

function ExportBody({ onClose }: { onClose(): void }) {
  const project = useProjectState((s) => s.project);
  const [format, setFormat] = useState<MarkerFormat>('audacity');
  const [fps, setFps] = useState(24);
  const text = useMemo(
    () => (project ? serializeMarkers(format, project.beats, { fps, durationSec: readyAnalysis()?.durationSec ?? 0, name: project.name }) : ''),
    [project, format, fps],
  );
  const download = () => {
    if (!project) return;
    const info = MARKER_FORMAT_INFO[format];
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: info.mime }));
    a.download = `${project.name.replace(/[^\w.-]+/g, '_')}-beats.${info.extension}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    notify('success', `Exported ${project.beats.length} beat markers (${info.label}).`);
    onClose();
  };
  return (
    <>
      <DialogTitle>Export beat markers</DialogTitle>
      <DialogContent>
        <FormatFields format={format} setFormat={setFormat} fps={fps} setFps={setFps} />
        <TextField label="Preview" value={text.slice(0, 4000)} multiline rows={8} fullWidth sx={{ mt: 2 }} slotProps={{ htmlInput: { readOnly: true, style: { fontFamily: 'monospace', fontSize: 12 } } }} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={download} disabled={!project?.beats.length}>
          Download
        </Button>
      </DialogActions>
    </>
  );
}

function ImportBody({ onClose }: { onClose(): void }) {
  const [fps, setFps] = useState(24);
  const [format, setFormat] = useState<MarkerFormat>('audacity');
  const [error, setError] = useState<string | null>(null);
  const [merge, setMerge] = useState(false);
  const choose = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    try {
      const text = await file.text();
      const detected = detectMarkerFormat(file.name, text);
      setFormat(detected);
      const records = parseMarkers(detected, text, { fps });
      const duration = readyAnalysis()?.durationSec;
      const outside = duration ? records.filter((r) => r.timeSec > duration + 0.5).length : 0;
      if (outside === records.length) throw new StudioError('MARKERS_BAD_FILE', `All ${records.length} markers lie after the end of the song.`);
      const imported = beatsFromRecords(records, newBeatId);
      const current = projectStore.getState().project?.beats ?? [];
      replaceAllBeats(merge ? `Merge ${records.length} markers` : `Import ${records.length} markers`, merge ? mergeBeats(current, imported) : imported);
      notify('success', `${merge ? 'Merged' : 'Imported'} ${records.length} beat markers from ${file.name}${outside ? ` (${outside} after the song's end)` : ''}.`);
      onClose();
    } catch (e) {
      setError(e instanceof StudioError ? e.message : `Could not read ${file.name}: ${(e as Error).message}`);
    }
  };
  return (
    <>
      <DialogTitle>Import beat markers</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Replaces the song's beats, or merges the markers into them (undo brings them back). The format is read from the file; the frame rate is used for CSV timecodes without a seconds column.
        </Typography>
        <FormControlLabel
          control={<Checkbox checked={merge} onChange={(e) => setMerge(e.target.checked)} slotProps={{ input: { 'data-testid': 'marker-merge' } as object }} />}
          label="Merge with the current beats (a marker within 70 ms of a beat replaces it)"
        />
        <FormatFields format={format} setFormat={setFormat} fps={fps} setFps={setFps} />
        <Button variant="outlined" component="label" sx={{ mt: 2, display: 'block', width: 'fit-content' }}>
          Choose marker file…
          <input hidden type="file" accept=".txt,.csv,.fcpxml,.xml,.labels" aria-label="Marker file" data-testid="marker-file" onChange={(e) => void choose(e.target.files?.[0])} />
        </Button>
        {error && (
          <Alert severity="error" sx={{ mt: 2 }} data-testid="marker-import-error">
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </>
  );
}
