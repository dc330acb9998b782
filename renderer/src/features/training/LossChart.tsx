import { useMemo } from 'react';
import { Box, Typography } from '@mui/material';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LossPoint } from '@shared/domain/training';

/** More points than this are thinned (every n-th, always keeping the last) so long runs stay smooth. */
const MAX_CHART_POINTS = 600;
/** Exponential moving average weight of the smoothed curve. */
const SMOOTHING = 0.8;

export function LossChart({ losses }: { losses: LossPoint[] }) {
  const data = useMemo(() => {
    // Stage 2 continues the x axis after stage 1.
    const stage1End = losses.filter((p) => p.stage === 1).reduce((m, p) => Math.max(m, p.step), 0);
    let ema: number | null = null;
    const all = losses.map((p) => {
      ema = ema === null ? p.loss : SMOOTHING * ema + (1 - SMOOTHING) * p.loss;
      return { x: p.stage === 2 ? stage1End + p.step : p.step, loss: p.loss, smoothed: ema, label: `stage ${p.stage} step ${p.step}` };
    });
    if (all.length <= MAX_CHART_POINTS) return all;
    const every = Math.ceil(all.length / MAX_CHART_POINTS);
    return all.filter((_, i) => i % every === 0 || i === all.length - 1);
  }, [losses]);
  const last = losses.at(-1);
  return (
    <Box data-testid="loss-chart" data-points={losses.length} data-last-step={last?.step ?? 0} aria-label="Training loss chart" sx={{ height: 260 }}>
      {losses.length === 0 ? (
        <Typography color="text.secondary" sx={{ p: 2 }}>
          The loss curve appears with the first training step.
        </Typography>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} label={{ value: 'step', position: 'insideBottomRight', offset: -4 }} />
            <YAxis domain={['auto', 'auto']} width={56} tickFormatter={(v: number) => v.toPrecision(3)} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(x) => `step ${x}`} />
            <Legend />
            <Line type="linear" dataKey="loss" name="loss" stroke="#90a4ae" dot={false} isAnimationActive={false} strokeWidth={1} />
            <Line type="monotone" dataKey="smoothed" name="smoothed" stroke="#e91e63" dot={false} isAnimationActive={false} strokeWidth={2} />
          </LineChart>
        </ResponsiveContainer>
      )}
    </Box>
  );
}
