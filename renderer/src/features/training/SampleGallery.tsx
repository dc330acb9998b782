import { Box, Card, CardContent, Typography } from '@mui/material';
import type { RunSample } from '@shared/domain/training';
import { useStudio } from '../../bridge/index';

/** Preview samples as they arrive: each a video with its music (WebM made by the studio from the frames). */
export function SampleGallery({ samples, mediaRoot }: { samples: RunSample[]; mediaRoot: string }) {
  const studio = useStudio();
  if (samples.length === 0) return null;
  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }} aria-label="Samples">
      {[...samples].reverse().map((s) => (
        <Card key={`${s.stage}-${s.step}-${s.dir}`} variant="outlined" sx={{ width: 200 }} data-testid="training-sample">
          {s.videoPath ? (
            <video src={studio.mediaUrl('pack', `${mediaRoot}/${s.videoPath}`)} controls loop width={200} height={200} style={{ background: '#000', display: 'block' }} />
          ) : (
            <Box sx={{ p: 2 }}>No video ({s.frames} frames in {s.dir})</Box>
          )}
          <CardContent sx={{ py: 1 }}>
            <Typography variant="caption">
              stage {s.stage} · step {s.step ?? '?'} · {s.prompt || 'no prompt'}
            </Typography>
          </CardContent>
        </Card>
      ))}
    </Box>
  );
}
