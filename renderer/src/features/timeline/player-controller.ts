/**
 * What actions may ask of the mounted waveform (play, seek, zoom): the Timeline component registers itself
 * here while mounted, so actions stay plain functions and work from shortcuts, menus and the palette alike.
 */
export interface TimelinePlayer {
  playPause(): void;
  seek(timeSec: number): void;
  zoomTo(pxPerSec: number): void;
  /** Makes `timeSec` visible (keyboard navigation between markers). */
  reveal(timeSec: number): void;
  currentTime(): number;
  isPlaying(): boolean;
  focusMarkers(): void;
  /** Scrolls so that `timeSec` is at the left edge. */
  scrollToSec(timeSec: number): void;
  /** Metronome clicks scheduled so far (status line, tests). */
  metronomeClicks(): number;
}

let current: TimelinePlayer | null = null;

export const playerController = {
  attach(player: TimelinePlayer): () => void {
    current = player;
    return () => {
      if (current === player) current = null;
    };
  },
  get(): TimelinePlayer | null {
    return current;
  },
};
