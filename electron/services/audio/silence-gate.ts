/**
 * The silence gate shared by both beat trackers: a whole file below SILENCE_RMS_DBFS is silent, and inside a
 * song a frame cannot hold a beat or an onset when the whole second around it is below FRAME_SILENCE_DBFS
 * (gaps between sparse notes are not silence).
 */
import { FRAME_SILENCE_DBFS, SILENCE_RMS_DBFS } from './analysis-params';

/** Half-width of the gate's look-around. */
export const SILENCE_GATE_REACH_SEC = 0.5;

export const dbfs = (rms: number) => 20 * Math.log10(Math.max(rms, 1e-12));

export const isSilentFile = (rms: number) => dbfs(rms) < SILENCE_RMS_DBFS;

export interface SilenceGate {
  /** 1 = this frame may not hold a beat. */
  blocked: Uint8Array;
  /** Share of frames that are not blocked. */
  audibleShare: number;
}

export function silenceGate(frameRms: ArrayLike<number>, frames: number, frameRate: number): SilenceGate {
  const blocked = new Uint8Array(frames);
  const reach = Math.round(SILENCE_GATE_REACH_SEC * frameRate);
  const loudPrefix = new Int32Array(frames + 1);
  for (let t = 0; t < frames; t++) loudPrefix[t + 1] = loudPrefix[t]! + (dbfs(frameRms[t] ?? 0) >= FRAME_SILENCE_DBFS ? 1 : 0);
  let audible = 0;
  for (let t = 0; t < frames; t++) {
    const around = loudPrefix[Math.min(frames, t + reach + 1)]! - loudPrefix[Math.max(0, t - reach)]!;
    if (around === 0) blocked[t] = 1;
    else audible++;
  }
  return { blocked, audibleShare: frames ? audible / frames : 0 };
}
