/**
 * The fixed signal parameters of the analysis. Changing any of them changes results, so they are part of the
 * cache key (`ANALYSIS_VERSION`). Values follow librosa's defaults (sr 22050, n_fft 2048, hop 512, 128 mels),
 * which keeps our onset envelope comparable with the literature the tracker is modelled on.
 */
export const ANALYSIS_VERSION = 1;

/** ffmpeg resamples every input to this rate, mono. */
export const ANALYSIS_SAMPLE_RATE = 22_050;
export const FFT_SIZE = 1024;
export const HOP_SAMPLES = 512;
export const MEL_BANDS = 80;
/** Onset envelope frames per second (43.07 at 22050/512). */
export const FRAME_RATE = ANALYSIS_SAMPLE_RATE / HOP_SAMPLES;

/** Waveform peaks: finest level covers this many samples per peak; each coarser level covers 4x more. */
export const PEAKS_BASE_SAMPLES = 128;
export const PEAKS_LEVEL_FACTOR = 4;
export const PEAKS_LEVELS = 6;

/** Whole-file RMS below this (dBFS) means "silent": no beats, confidence 0. */
export const SILENCE_RMS_DBFS = -60;
/** Frames quieter than this (dBFS) cannot hold a beat (silence gate inside a song, e.g. a pause or fade). */
export const FRAME_SILENCE_DBFS = -55;
