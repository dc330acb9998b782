import { useEffect } from 'react';
import { Alert, Box, Button, Chip, LinearProgress, Paper, Stack, TextField, Typography } from '@mui/material';
import type { SourceKind } from '@shared/contract/pack-build';
import { useStudio } from '../../bridge/index';
import { packBuildStore, usePackBuild } from './pack-build-store';

/** Typing settles before the studio looks into a folder. */
const PROBE_DEBOUNCE_MS = 300;
const gib = (b: number) => `${(b / 1024 ** 3).toFixed(b < 10 * 1024 ** 3 ? 2 : 1)} GiB`;
const dur = (s: number) => (s < 90 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

const FIELDS: Array<{ kind: SourceKind; label: string; hint: string }> = [
  { kind: 'sd15', label: 'Stable Diffusion 1.5 folder', hint: 'diffusers layout: unet/, vae/, text_encoder/, tokenizer/' },
  { kind: 'ast', label: 'AST folder (optional)', hint: 'transformers AST: config.json + model.safetensors' },
  { kind: 'animateAnyone', label: 'Moore-AnimateAnyone folder (optional)', hint: 'reference_unet.pth, denoising_unet.pth, motion_module.pth' },
  { kind: 'motionModule', label: 'AnimateDiff motion module (optional)', hint: 'mm_sd_v15*.ckpt or .safetensors' },
];

function SourceField({ kind, label, hint }: { kind: SourceKind; label: string; hint: string }) {
  const value = usePackBuild((s) => s.sources[kind]);
  const probe = usePackBuild((s) => s.probes[kind]);
  return (
    <Box>
      <TextField size="small" fullWidth label={label} placeholder={hint} value={value} onChange={(e) => packBuildStore.setSource(kind, e.target.value)} />
      {value.trim() && probe && (
        <Stack direction="row" spacing={0.5} sx={{ mt: 0.5, flexWrap: 'wrap', rowGap: 0.5 }} aria-label={`Found in ${label}`} data-testid={`probe-${kind}`}>
          {probe.found.map((f) => (
            <Chip key={f.role} size="small" color="success" variant="outlined" label={`${f.role} · ${gib(f.bytes)}`} title={f.file} />
          ))}
          {probe.missing.map((m) => (
            <Chip key={m} size="small" color="error" variant="outlined" label={`missing ${m}`} />
          ))}
          {probe.notes.map((n) => (
            <Typography key={n} variant="caption" color="text.secondary" component="div" sx={{ width: '100%' }}>
              {n}
            </Typography>
          ))}
        </Stack>
      )}
    </Box>
  );
}

/** "Use your own weights": source folders -> what was found -> estimate -> build with progress and cancel. */
export function PackBuildPanel() {
  const studio = useStudio();
  const sources = usePackBuild((s) => s.sources);
  const size = usePackBuild((s) => s.size);
  const name = usePackBuild((s) => s.name);
  const sd15 = usePackBuild((s) => s.probes.sd15);
  const estimate = usePackBuild((s) => s.estimate);
  const job = usePackBuild((s) => s.job);
  const result = usePackBuild((s) => s.result);

  useEffect(() => packBuildStore.connect(studio), [studio]);
  useEffect(() => {
    const t = setTimeout(() => void packBuildStore.probe(studio), PROBE_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [studio, sources]);

  const ready = !!sd15?.ok && !job;
  const setSize = (k: keyof typeof size, v: string) => packBuildStore.patch({ size: { ...size, [k]: v }, estimate: null });
  return (
    <Paper variant="outlined" sx={{ p: 2 }} aria-label="Build a pack from your own weights">
      <Typography variant="h6" gutterBottom>
        Use your own weights
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>
        Build a model pack from Stable Diffusion 1.5 (plus AST, Moore-AnimateAnyone or AnimateDiff if you have them). Nothing is downloaded; the pack has no pose input.
      </Typography>
      <Stack spacing={1.5}>
        {FIELDS.map((f) => (
          <SourceField key={f.kind} {...f} />
        ))}
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
          <TextField size="small" label="Height" value={size.height} onChange={(e) => setSize('height', e.target.value)} sx={{ width: 90 }} />
          <TextField size="small" label="Width" value={size.width} onChange={(e) => setSize('width', e.target.value)} sx={{ width: 90 }} />
          <TextField size="small" label="Frames per segment" value={size.frames} onChange={(e) => setSize('frames', e.target.value)} sx={{ width: 150 }} />
          <TextField size="small" label="Pack name" value={name} onChange={(e) => packBuildStore.patch({ name: e.target.value })} sx={{ width: 180 }} />
        </Stack>
        <Stack direction="row" spacing={1}>
          <Button variant="outlined" disabled={!ready} onClick={() => void packBuildStore.estimate(studio)}>
            Estimate
          </Button>
          <Button variant="contained" disabled={!ready} onClick={() => void packBuildStore.build(studio)}>
            Build pack
          </Button>
          {job && (
            <Button color="error" onClick={() => void packBuildStore.cancel(studio)}>
              Cancel {job.kind === 'build' ? 'build' : 'estimate'}
            </Button>
          )}
        </Stack>
        {job && (
          <Box aria-label="Pack build progress">
            <LinearProgress variant={job.fraction === null ? 'indeterminate' : 'determinate'} value={(job.fraction ?? 0) * 100} aria-label="Pack build progress bar" />
            <Typography variant="caption" color="text.secondary" data-testid="pack-build-message">
              {job.fraction !== null ? `${Math.floor(job.fraction * 100)}% · ` : ''}
              {job.message}
            </Typography>
          </Box>
        )}
        {estimate && (
          <Box data-testid="pack-build-estimate">
            <Typography variant="body2">{estimate.summary}</Typography>
            <Box component="table" sx={{ fontSize: 12, mt: 0.5, borderSpacing: '12px 2px' }} aria-label="Estimate">
              <tbody>
                <tr>
                  <th />
                  <th>memory</th>
                  <th>per segment ({estimate.steps} steps)</th>
                </tr>
                <tr>
                  <td>GPU</td>
                  <td>{gib(estimate.gpu.peakBytes)}</td>
                  <td>{dur(estimate.gpu.secondsPerSegment)}</td>
                </tr>
                <tr>
                  <td>CPU</td>
                  <td>{gib(estimate.cpu.peakBytes)}</td>
                  <td>{dur(estimate.cpu.secondsPerSegment)}</td>
                </tr>
              </tbody>
            </Box>
          </Box>
        )}
        {result && (
          <Alert severity="success" data-testid="pack-build-result">
            Pack “{result.name}” is in the pack list ({gib(result.bytes)}, built in {dur(result.seconds)}): {result.packDir}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
