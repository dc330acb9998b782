import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, Slider, Typography } from '@mui/material';
import { centredBox, clampBox, cropStore, useCropQuestion, type CropBoxPx } from './crop-store';

/** Largest side of the picture on screen, CSS pixels. */
const VIEW_MAX_PX = 480;

/** Frame the dancer: drag the box, resize it with the slider or the mouse wheel, nudge it with the arrow keys. */
export function CropDialog() {
  const question = useCropQuestion();
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(null);
  const [box, setBox] = useState<CropBoxPx | null>(null);
  const drag = useRef<{ startX: number; startY: number; box: CropBoxPx } | null>(null);

  useEffect(() => {
    setNatural(null);
    setBox(null);
  }, [question?.src]);

  if (!question) return null;
  // The picture fits the window with the dialog's title, slider and buttons (a short window kept them off screen).
  const viewMax = Math.max(160, Math.min(VIEW_MAX_PX, window.innerHeight - 260));
  const scale = natural ? Math.min(1, viewMax / Math.max(natural.w, natural.h)) : 1;
  const resize = (width: number) => {
    if (!natural || !box) return;
    const height = width / question.aspect;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    setBox(clampBox({ x: cx - width / 2, y: cy - height / 2, width, height }, natural.w, natural.h));
  };
  const maxWidth = natural ? centredBox(natural.w, natural.h, question.aspect).width : 1;
  const minWidth = Math.max(16, Math.round(maxWidth / 8));

  const onPointerDown = (e: PointerEvent) => {
    if (!box) return;
    (e.target as Element).setPointerCapture(e.pointerId);
    drag.current = { startX: e.clientX, startY: e.clientY, box };
  };
  const onPointerMove = (e: PointerEvent) => {
    if (!drag.current || !natural) return;
    const dx = (e.clientX - drag.current.startX) / scale;
    const dy = (e.clientY - drag.current.startY) / scale;
    setBox(clampBox({ ...drag.current.box, x: drag.current.box.x + dx, y: drag.current.box.y + dy }, natural.w, natural.h));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (!box || !natural) return;
    const step = Math.max(1, Math.round(box.width / 50)) * (e.shiftKey ? 10 : 1);
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    setBox(clampBox({ ...box, x: box.x + move[0], y: box.y + move[1] }, natural.w, natural.h));
  };

  return (
    <Dialog open onClose={() => question.answer(null)} maxWidth="md" data-testid="crop-dialog">
      <DialogTitle>Frame the dancer in {question.fileName}</DialogTitle>
      <DialogContent>
        <Box
          sx={{ position: 'relative', width: natural ? natural.w * scale : VIEW_MAX_PX, height: natural ? natural.h * scale : VIEW_MAX_PX / 2, userSelect: 'none', mx: 'auto' }}
          onWheel={(e) => box && resize(Math.min(maxWidth, Math.max(minWidth, box.width * (e.deltaY > 0 ? 1.05 : 1 / 1.05))))}
        >
          <img
            src={question.src}
            alt={question.fileName}
            draggable={false}
            style={{ width: '100%', height: '100%', display: 'block' }}
            onLoad={(e) => {
              const img = e.currentTarget;
              setNatural({ w: img.naturalWidth, h: img.naturalHeight });
              setBox(centredBox(img.naturalWidth, img.naturalHeight, question.aspect));
            }}
          />
          {box && natural ? (
            <Box
              role="slider"
              aria-label="Crop box position"
              aria-valuetext={`${box.width}x${box.height} at ${box.x}, ${box.y}`}
              tabIndex={0}
              data-testid="crop-box"
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={() => (drag.current = null)}
              onKeyDown={onKeyDown}
              sx={{
                position: 'absolute', left: box.x * scale, top: box.y * scale, width: box.width * scale, height: box.height * scale,
                border: '2px solid', borderColor: 'primary.main', boxShadow: '0 0 0 9999px rgba(0,0,0,0.5)', cursor: 'move', outline: 'none',
              }}
            />
          ) : null}
        </Box>
        <Box sx={{ mt: 2, px: 1 }}>
          <Typography variant="caption" color="text.secondary">
            Size {box ? `${box.width}x${box.height}` : ''} of {natural ? `${natural.w}x${natural.h}` : '…'} px — drag to move, arrows to nudge (Shift: faster)
          </Typography>
          <Slider aria-label="Crop size" size="small" min={minWidth} max={maxWidth} value={box?.width ?? maxWidth} disabled={!box} onChange={(_e, v) => resize(v as number)} />
        </Box>
      </DialogContent>
      <DialogActions>
        <Button onClick={() => question.answer(null)}>Cancel</Button>
        <Button variant="contained" disabled={!box} onClick={() => box && question.answer(box)}>
          Use this crop
        </Button>
      </DialogActions>
    </Dialog>
  );
}

