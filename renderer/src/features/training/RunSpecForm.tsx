import { useEffect, useState } from 'react';
import { Box, Button, FormControlLabel, MenuItem, Paper, Radio, RadioGroup, Stack, TextField, Typography } from '@mui/material';
import type { BasePack } from '@shared/contract/training';
import type { z } from 'zod';
import { useStudio } from '../../bridge/index';
import { estimateRun, startRun } from './run-commands';
import type { RunSpecDraft } from './run-spec-draft';
import { trainingStore, useTraining } from './training-store';

/** Fields settle before an estimate is asked for. */
const ESTIMATE_DEBOUNCE_MS = 400;

export function RunSpecForm() {
  const studio = useStudio();
  const draft = useTraining((s) => s.draft);
  const dataset = useTraining((s) => s.dataset);
  const estimate = useTraining((s) => s.estimate);
  const busy = useTraining((s) => s.busy);
  const [packs, setPacks] = useState<z.infer<typeof BasePack>[]>([]);
  const set = (patch: Partial<RunSpecDraft>) => trainingStore.patch({ draft: { ...trainingStore.getState().draft, ...patch } });

  useEffect(() => {
    void studio.verbs.training.basePacks({}).then((r) => r.ok && setPacks(r.value.packs.filter((p) => p.hasWeights)));
  }, [studio]);
  useEffect(() => {
    const t = setTimeout(() => void estimateRun(studio), ESTIMATE_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [studio, draft, dataset?.dir, dataset?.trainWindows]);

  const field = (key: keyof RunSpecDraft, label: string, width = 130) => (
    <TextField size="small" label={label} value={draft[key]} onChange={(e) => set({ [key]: e.target.value } as Partial<RunSpecDraft>)} sx={{ width }} />
  );
  return (
    <Paper variant="outlined" sx={{ p: 2 }} aria-label="Run spec">
      <Typography variant="h6" gutterBottom>
        Run
      </Typography>
      <Stack spacing={1.5}>
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
          {field('name', 'Run name', 180)}
          <TextField select size="small" label="Base pack" value={draft.basePack} onChange={(e) => set({ basePack: e.target.value })} sx={{ width: 220 }}>
            <MenuItem value="">None (built-in config, from scratch)</MenuItem>
            {packs.map((p) => (
              <MenuItem key={p.dir} value={p.dir}>
                {p.name} ({p.geometry.width}×{p.geometry.height}, {p.source})
              </MenuItem>
            ))}
          </TextField>
          {!draft.basePack && (
            <TextField select size="small" label="Config" value={draft.config} onChange={(e) => set({ config: e.target.value as 'tiny' | 'sd15' })} sx={{ width: 110 }}>
              <MenuItem value="tiny">tiny</MenuItem>
              <MenuItem value="sd15">sd15</MenuItem>
            </TextField>
          )}
        </Stack>
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
          {field('stage1Steps', 'Stage 1 steps')}
          {field('stage2Steps', 'Stage 2 steps')}
          {field('learningRate', 'Learning rate')}
          {field('batchSize', 'Batch', 80)}
          {field('checkpointEvery', 'Checkpoint every', 130)}
        </Stack>
        <Box>
          <Typography variant="body2">Which modules train</Typography>
          <RadioGroup row value={draft.modules} onChange={(e) => set({ modules: e.target.value as RunSpecDraft['modules'] })}>
            <FormControlLabel value="stage-default" control={<Radio size="small" />} label="Paper defaults (stage 1: ReferenceNet + UNet; stage 2: music, beat, motion modules)" />
            <FormControlLabel value="lora" control={<Radio size="small" />} label="LoRA adapters only" />
          </RadioGroup>
          {draft.modules === 'lora' && field('loraRank', 'LoRA rank', 100)}
        </Box>
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
          {field('sampleEvery', 'Sample every N steps (0 = off)', 200)}
          {field('sampleImage', 'Sample image (path)', 220)}
          {field('sampleMusic', 'Sample music (path)', 220)}
          {field('samplePrompt', 'Sample prompt', 220)}
        </Stack>
        <Typography variant="body2" color="text.secondary" data-testid="run-estimate">
          {estimate ? `Estimate: ${estimate.summary}` : 'The estimate appears when the dataset and the fields are complete.'}
        </Typography>
        <Box>
          <Button variant="contained" disabled={!dataset || dataset.trainWindows === 0 || !!busy} onClick={() => void startRun(studio)}>
            Start training
          </Button>
        </Box>
      </Stack>
    </Paper>
  );
}
