/**
 * Metronome clicks on the beats during playback (WebAudio). Clicks are scheduled a little ahead on the audio
 * clock, so they stay on time even when the page is busy; each click is a short enveloped sine blip.
 */
import type { BeatMarker } from '@shared/domain/project';
import { lowerBound } from './beat-ops';

/** How far ahead clicks are scheduled; longer survives busier pages, shorter reacts faster to edits. */
const LOOKAHEAD_SEC = 0.15;
const TICK_MS = 40;
const CLICK_SEC = 0.03;

export class Metronome {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private scheduledUpToSec = 0;
  /** Clicks scheduled so far (tests and the status line read it). */
  clicks = 0;

  constructor(
    private readonly getBeats: () => readonly BeatMarker[],
    private readonly getSongTime: () => number,
    private readonly onClick: (count: number) => void = () => {},
  ) {}

  start(): void {
    this.ctx ??= new AudioContext();
    void this.ctx.resume();
    this.scheduledUpToSec = this.getSongTime();
    if (!this.timer) this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  dispose(): void {
    this.stop();
    void this.ctx?.close();
    this.ctx = null;
  }

  private tick(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const songNow = this.getSongTime();
    // A seek (backwards or far forwards) restarts scheduling from the new position.
    if (songNow < this.scheduledUpToSec - LOOKAHEAD_SEC * 2 || songNow > this.scheduledUpToSec + 1) this.scheduledUpToSec = songNow;
    const until = songNow + LOOKAHEAD_SEC;
    const beats = this.getBeats();
    for (let i = lowerBound(beats, this.scheduledUpToSec, (b) => b.timeSec); i < beats.length && beats[i]!.timeSec < until; i++) {
      this.click(ctx, ctx.currentTime + Math.max(0, beats[i]!.timeSec - songNow), beats[i]!.source === 'user');
    }
    this.scheduledUpToSec = until;
  }

  private click(ctx: AudioContext, at: number, accent: boolean): void {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = accent ? 1760 : 1320;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.5, at + 0.002);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + CLICK_SEC);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + CLICK_SEC + 0.01);
    this.clicks++;
    this.onClick(this.clicks);
  }
}
