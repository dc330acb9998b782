/**
 * Prompt, seed and colour of the selected segments (a range selected with Shift+click sets one prompt for a
 * whole song section). Typing is one undo step per field visit: edits coalesce until the field loses focus.
 */
import { useEffect, useRef } from 'react';
import { Box, TextField, Typography } from '@mui/material';
import { MAX_PROMPT_CHARS } from '@shared/domain/project';
import { projectStore, useProjectState } from '../../state/project-store';
import { editSegments } from './timeline-edits';
import { useTimeline } from './timeline-store';

export function SegmentInspector() {
  const segments = useProjectState((s) => s.project?.segments ?? []);
  const fps = useProjectState((s) => s.project?.fps ?? 12);
  const selectedIds = useTimeline((s) => s.selectedSegments);
  const focusRequest = useTimeline((s) => s.promptFocusRequest);
  const promptRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (focusRequest) promptRef.current?.focus();
  }, [focusRequest]);

  const chosen = segments.map((s, i) => ({ s, i })).filter(({ s }) => selectedIds.has(s.id));
  if (!chosen.length) {
    return (
      <Typography variant="body2" color="text.secondary" data-testid="segment-hint">
        {segments.length} segments of {segments[0]?.frames ?? 48} frames. Click a segment in the bottom lane (Shift+click for a range) or press P to write its prompt.
      </Typography>
    );
  }
  const first = chosen[0]!;
  const last = chosen[chosen.length - 1]!;
  const name = chosen.length === 1 ? `segment ${first.i + 1}` : `segments ${first.i + 1}–${last.i + 1}`;
  const ids = new Set(chosen.map((c) => c.s.id));
  const key = [...ids].join(',');
  const prompts = new Set(chosen.map((c) => c.s.prompt));
  const seal = () => projectStore.seal();
  const takes = chosen.reduce((n, c) => n + c.s.takes.length, 0);
  return (
    <Box sx={{ display: 'flex', gap: 1.5, alignItems: 'flex-start', flexWrap: 'wrap' }} data-testid="segment-inspector">
      <Box sx={{ minWidth: 170 }}>
        <Typography variant="subtitle2">{name.charAt(0).toUpperCase() + name.slice(1)}</Typography>
        <Typography variant="caption" color="text.secondary" component="div">
          {(first.s.startFrame / fps).toFixed(2)}–{((last.s.startFrame + last.s.frames) / fps).toFixed(2)} s · frames {first.s.startFrame}–{last.s.startFrame + last.s.frames - 1}
        </Typography>
        <Typography variant="caption" color="text.secondary" component="div">
          {takes ? `${takes} take${takes === 1 ? '' : 's'}` : 'No takes yet'}
        </Typography>
      </Box>
      <TextField
        label={`Prompt for ${name}`}
        inputRef={promptRef}
        multiline
        maxRows={3}
        size="small"
        sx={{ flex: '1 1 320px' }}
        value={prompts.size === 1 ? first.s.prompt : ''}
        placeholder={prompts.size > 1 ? '(different prompts — typing sets one for all)' : 'e.g. a dancer spins, arms raised, studio light'}
        onChange={(e) => editSegments(ids, { prompt: e.target.value.slice(0, MAX_PROMPT_CHARS) }, `Edit prompt of ${name}`, `prompt:${key}`)}
        onBlur={seal}
        slotProps={{ htmlInput: { maxLength: MAX_PROMPT_CHARS, 'data-testid': 'segment-prompt' } }}
      />
      {chosen.length === 1 && (
        <TextField
          label="Seed"
          type="number"
          size="small"
          sx={{ width: 150 }}
          value={first.s.seed}
          onChange={(e) => {
            const seed = Math.trunc(Number(e.target.value));
            if (Number.isFinite(seed) && seed >= 0 && seed <= 2 ** 32 - 1) editSegments(ids, { seed }, `Set seed of ${name}`, `seed:${key}`);
          }}
          onBlur={seal}
        />
      )}
      <TextField
        label="Colour"
        type="color"
        size="small"
        sx={{ width: 80 }}
        value={first.s.colour}
        onChange={(e) => editSegments(ids, { colour: e.target.value }, `Colour ${name}`, `colour:${key}`)}
        onBlur={seal}
      />
    </Box>
  );
}
