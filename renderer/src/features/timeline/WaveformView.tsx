/**
 * The waveform (wavesurfer.js from the service's precomputed peaks, playing the project's song), with the
 * beat-marker plugin over it and a minimap under it. Plugin events become project edits here; project and
 * selection changes are pushed into the plugin without re-rendering React on every pointer move.
 */
import { useEffect, useRef } from 'react';
import { Box } from '@mui/material';
import WaveSurfer from 'wavesurfer.js';
import Minimap from 'wavesurfer.js/dist/plugins/minimap.esm.js';
import type { Segment } from '@shared/domain/project';
import { projectStore } from '../../state/project-store';
import { BeatMarkerPlugin, type BeatMarkerPluginInstance } from './beat-marker-plugin';
import { snapToOnset } from './beat-ops';
import { LANES, laneTops, TIMELINE_HEIGHT } from './lane-layout';
import { Metronome } from './metronome';
import { playerController } from './player-controller';
import { segmentIndexAtFrame, segmentRange } from '../../shared/segment-ops';
import { addBeatAt, moveBeatsBy } from './timeline-edits';
import { timelineStore, type SongAnalysis } from './timeline-store';
import { markerAnnouncement } from './marker-announce';
import { loadFinePeaks } from './fine-peaks';
import { useStudio } from '../../bridge/index';
import { generateStore } from '../../state/generate-store';
import { describeSeam, seamBadges } from '../../shared/seam-badges';

/** Snapping reaches this far (pixels on screen) for an onset to pull a dragged beat. */
const SNAP_PX = 12;

export function WaveformView({ analysis, songUrl }: { analysis: SongAnalysis; songUrl: string | null }) {
  const studio = useStudio();
  const hostRef = useRef<HTMLDivElement>(null);
  const waveRef = useRef<HTMLDivElement>(null);
  const minimapRef = useRef<HTMLDivElement>(null);
  const liveRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const host = hostRef.current!;
    performance.mark('timeline.render-start');
    const tl = timelineStore.getState();
    const ws = WaveSurfer.create({
      container: waveRef.current!,
      height: LANES.waveH,
      peaks: [analysis.peaks],
      duration: analysis.durationSec,
      url: songUrl ?? undefined,
      minPxPerSec: tl.pxPerSec,
      fillParent: true,
      hideScrollbar: true,
      autoScroll: tl.followPlayhead,
      autoCenter: false,
      cursorWidth: 0,
      interact: false,
      normalize: true,
      waveColor: '#4d5a73',
      progressColor: '#7f93bd',
      plugins: [Minimap.create({ container: minimapRef.current!, height: 28, waveColor: '#3d465a', progressColor: '#5d6c8c', overlayColor: 'rgba(138,180,255,0.25)', cursorWidth: 0 })],
    });
    const snap = (t: number, free: boolean) => {
      const px = plugin.getView().pxPerSec;
      return snapToOnset(t, analysis.onsetsSec, { free, maxDistSec: SNAP_PX / px });
    };
    const plugin: BeatMarkerPluginInstance = ws.registerPlugin(BeatMarkerPlugin.create({ host, snap }));
    const getBeats = () => projectStore.getState().project?.beats ?? [];
    const metronome = new Metronome(getBeats, () => ws.getCurrentTime(), (n) => (host.dataset.metronomeClicks = String(n)));

    // Seam badges change only with the segments or the QA, not with the playhead (which pushes every frame).
    let shownQa = generateStore.getState().qa;
    let seamsFor: { segments: readonly Segment[]; qa: typeof shownQa; seams: ReturnType<typeof seamBadges> } | null = null;
    const seamsOf = (segments: readonly Segment[]) => {
      shownQa = generateStore.getState().qa;
      if (seamsFor?.segments === segments && seamsFor.qa === shownQa) return seamsFor.seams;
      const seams = seamBadges(segments, shownQa);
      seamsFor = { segments, qa: shownQa, seams };
      // The badges' meaning in words: a hover tooltip on the timeline, and what tests and screen readers read.
      const ordered = [...segments].sort((a, b) => a.startFrame - b.startFrame);
      const lines = ordered.flatMap((seg, i) => (seams.has(seg.id) ? [describeSeam(i, seams.get(seg.id)!)] : []));
      const seamText = lines.length ? `Seam QA of the kept takes: ${lines.join('; ')}` : '';
      const canvas = plugin.getCanvas();
      canvas.dataset.seamQa = seamText;
      canvas.title = seamText;
      return seams;
    };
    const push = () => {
      const p = projectStore.getState().project;
      const t = timelineStore.getState();
      if (!p) return;
      const said = markerAnnouncement(p, t.selectedBeats);
      if (liveRef.current && liveRef.current.textContent !== said) liveRef.current.textContent = said;
      plugin.setData({ beats: p.beats, segments: p.segments, fps: p.fps, selected: t.selectedBeats, selectedSegments: t.selectedSegments, focusedBeatId: t.selectedBeats.size === 1 ? [...t.selectedBeats][0]! : null, seams: seamsOf(p.segments) });
    };
    push();
    const unsubs: Array<() => void> = [
      projectStore.subscribe(push),
      timelineStore.subscribe(push),
      // Only QA changes matter here (the generate store also changes on every preview step).
      generateStore.subscribe(() => {
        if (generateStore.getState().qa !== shownQa) push();
      }),
      plugin.on('marker-add', (t) => addBeatAt(t)),
      plugin.on('marker-select', (ids, mode) => {
        const next = new Set(mode === 'toggle' ? timelineStore.getState().selectedBeats : []);
        for (const id of ids) if (mode === 'toggle' && next.has(id)) next.delete(id);
        else next.add(id);
        timelineStore.update({ selectedBeats: next });
      }),
      plugin.on('marker-drag-end', (ids, delta) => moveBeatsBy(ids, delta, ids.length > 1 ? `Move ${ids.length} beats` : 'Move beat')),
      plugin.on('box-select', (ids, startSec, endSec, additive) => {
        const next = new Set(additive ? timelineStore.getState().selectedBeats : []);
        ids.forEach((id) => next.add(id));
        timelineStore.update({ selectedBeats: next, regionSec: { startSec, endSec } });
      }),
      plugin.on('seek', (t) => ws.setTime(Math.min(t, analysis.durationSec))),
      plugin.on('segment-click', (t, extend) => {
        const p = projectStore.getState().project;
        if (!p) return;
        const index = segmentIndexAtFrame(p.segments, Math.floor(t * p.fps));
        if (index < 0) return;
        const anchor = timelineStore.getState().segmentAnchor;
        timelineStore.update(extend && anchor !== null ? { selectedSegments: segmentRange(p.segments, anchor, index) } : { selectedSegments: segmentRange(p.segments, index, index), segmentAnchor: index });
      }),
      plugin.on('view-change', (v) => timelineStore.update({ pxPerSec: v.pxPerSec, viewStartSec: v.startSec, viewWidthSec: v.widthPx / v.pxPerSec })),
      ws.on('timeupdate', (t) => {
        // The song's own clock, readable without React (the monitor's sync is checked against it).
        host.dataset.playhead = t.toFixed(4);
        timelineStore.update({ cursorSec: t });
      }),
      ws.on('play', () => {
        timelineStore.update({ playing: true });
        if (timelineStore.getState().metronome) metronome.start();
      }),
      ws.on('pause', () => {
        timelineStore.update({ playing: false });
        metronome.stop();
      }),
      // Marks for profiling the first render (the benchmark reads them).
      ws.on('ready', () => performance.mark('timeline.ws-ready')),
      ws.on('redraw', () => performance.mark('timeline.ws-redraw')),
      ws.on('redrawcomplete', () => {
        plugin.drawNow();
        performance.measure('timeline.render', 'timeline.render-start');
      }),
      timelineStore.subscribe(() => {
        const t = timelineStore.getState();
        // setOptions re-renders from options: pass the current zoom, which ws.zoom() does not store there.
        if (ws.options.autoScroll !== t.followPlayhead) ws.setOptions({ autoScroll: t.followPlayhead, minPxPerSec: plugin.getView().pxPerSec });
        if (t.metronome && t.playing) metronome.start();
        else metronome.stop();
      }),
    ];
    const detach = playerController.attach({
      playPause: () => void ws.playPause(),
      seek: (t) => ws.setTime(Math.max(0, Math.min(t, analysis.durationSec))),
      // Zoom about the playhead (issue 23: it used to zoom about the view's centre and lose the playhead).
      zoomTo: (px) => {
        const v = plugin.getView();
        const x = (ws.getCurrentTime() - v.startSec) * v.pxPerSec;
        if (x >= 0 && x <= v.widthPx) return plugin.zoomAround(px, x);
        plugin.zoomAround(px);
        ws.setScroll(Math.max(0, ws.getCurrentTime() * plugin.getView().pxPerSec - v.widthPx / 2));
      },
      reveal: (t) => plugin.reveal(t),
      currentTime: () => ws.getCurrentTime(),
      isPlaying: () => ws.isPlaying(),
      focusMarkers: () => plugin.getCanvas().focus(),
      scrollToSec: (t) => ws.setScroll(Math.max(0, t * plugin.getView().pxPerSec)),
      metronomeClicks: () => metronome.clicks,
    });
    // Sharper waveform once finer peaks arrive (the overview shows at once; this follows in the background).
    let live = true;
    unsubs.push(() => void (live = false));
    void loadFinePeaks(studio, analysis, () => live).then((fine) => {
      if (!fine || !live) return;
      const { pxPerSec, startSec } = plugin.getView();
      ws.setOptions({ peaks: [fine], duration: analysis.durationSec, minPxPerSec: pxPerSec });
      ws.setScroll(startSec * pxPerSec);
    });
    const canvas = plugin.getCanvas();
    canvas.tabIndex = 0;
    canvas.setAttribute('role', 'application');
    canvas.setAttribute('aria-label', 'Beat markers. [ and ] select the previous or next beat; arrows nudge; Delete removes; B adds a beat at the playhead.');
    canvas.setAttribute('aria-describedby', 'timeline-live');
    return () => {
      unsubs.forEach((u) => u());
      detach();
      metronome.dispose();
      ws.destroy();
    };
  }, [analysis, songUrl, studio]);

  return (
    <Box>
      <Box ref={hostRef} sx={{ position: 'relative', height: TIMELINE_HEIGHT, bgcolor: '#15171c', borderRadius: 1, overflow: 'hidden', userSelect: 'none' }} data-testid="timeline-host">
        <Box ref={waveRef} sx={{ position: 'absolute', zIndex: 0, left: 0, right: 0, top: laneTops.wave, height: LANES.waveH }} />
      </Box>
      <Box ref={minimapRef} sx={{ mt: 0.5, borderRadius: 1, overflow: 'hidden', bgcolor: '#15171c' }} aria-label="Minimap: click to jump" data-testid="minimap" />
      <Box ref={liveRef} id="timeline-live" aria-live="polite" data-testid="timeline-live" sx={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }} />
    </Box>
  );
}
