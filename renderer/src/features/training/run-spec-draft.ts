/** The Run spec form's fields (strings where the user types numbers) and their conversion to a RunSpec. */
import type { RunSpecInput } from '@shared/domain/training';

export interface RunSpecDraft {
  name: string;
  basePack: string;
  config: 'tiny' | 'sd15';
  stage1Steps: string;
  stage2Steps: string;
  learningRate: string;
  batchSize: string;
  modules: 'stage-default' | 'lora';
  loraRank: string;
  checkpointEvery: string;
  sampleEvery: string;
  sampleImage: string;
  sampleMusic: string;
  samplePrompt: string;
}

export const defaultDraft: RunSpecDraft = {
  name: 'my-dance',
  basePack: '',
  config: 'tiny',
  stage1Steps: '200',
  stage2Steps: '0',
  learningRate: '0.0001',
  batchSize: '1',
  modules: 'stage-default',
  loraRank: '8',
  checkpointEvery: '50',
  sampleEvery: '0',
  sampleImage: '',
  sampleMusic: '',
  samplePrompt: '',
};

const int = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s) : NaN);

/** A RunSpec, or the first problem in words. */
export function toSpec(d: RunSpecDraft, datasetDir: string): { spec: RunSpecInput } | { problem: string } {
  const s1 = int(d.stage1Steps);
  const s2 = int(d.stage2Steps);
  if (Number.isNaN(s1) || Number.isNaN(s2)) return { problem: 'Steps must be whole numbers (0 skips a stage).' };
  const stages = [...(s1 > 0 ? [{ stage: 1 as const, steps: s1 }] : []), ...(s2 > 0 ? [{ stage: 2 as const, steps: s2 }] : [])];
  if (stages.length === 0) return { problem: 'Give at least one stage some steps.' };
  const lr = Number(d.learningRate);
  if (!(lr > 0 && lr <= 1)) return { problem: 'The learning rate must be a number between 0 and 1.' };
  const batch = int(d.batchSize);
  if (!(batch >= 1)) return { problem: 'The batch size must be a whole number of at least 1.' };
  const every = int(d.checkpointEvery);
  if (Number.isNaN(every)) return { problem: 'Checkpoint interval must be a whole number.' };
  const sampleEvery = int(d.sampleEvery);
  if (Number.isNaN(sampleEvery)) return { problem: 'Sample interval must be a whole number (0 = no samples).' };
  if (sampleEvery > 0 && (!d.sampleImage.trim() || !d.sampleMusic.trim())) return { problem: 'Samples need a reference image and a music file.' };
  if (!d.name.trim()) return { problem: 'Name the run.' };
  return {
    spec: {
      name: d.name.trim().slice(0, 100),
      datasetDir,
      basePack: d.basePack || null,
      config: d.config,
      stages,
      learningRate: lr,
      batchSize: batch,
      modules: d.modules,
      loraRank: Math.max(1, int(d.loraRank) || 8),
      checkpointEverySteps: every,
      sample: sampleEvery > 0 ? { everySteps: sampleEvery, referenceImage: d.sampleImage.trim(), audioPath: d.sampleMusic.trim(), prompt: d.samplePrompt } : null,
    },
  };
}
