/**
 * Child process of the beats benchmark: analyses one file with a fresh process and prints its peak RSS, so
 * the figure is the analysis alone (not the benchmark's essentia.js heap).
 * Usage: tsx test/bench/beats-rss-child.ts <audio> <cacheDir> [dp|net]
 */
import { BeatAnalysisService } from '../../electron/services/audio/beat-analysis-service';
import { beatNetLoader } from '../../electron/services/audio/beat-net-loader';

const [file, cacheDir, tracker] = process.argv.slice(2);
const service = new BeatAnalysisService({ ffmpegPath: process.env.MUSEDANCE_FFMPEG || 'ffmpeg', cacheDir: cacheDir!, loadBeatNet: beatNetLoader() });
const t0 = performance.now();
// The tracker named on the command line (dp or net: the network + bar-pointer decoding), else the default.
const a = await service.analyse(file!, { refresh: true, ...(tracker === 'dp' || tracker === 'net' ? { tracker } : {}) });
const seconds = (performance.now() - t0) / 1000;
// maxRSS is in kilobytes.
console.log(JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024, seconds, durationSec: a.durationSec, beats: a.beatTimesSec.length, tracker: a.tracker ?? 'dp' }));
process.exit(0); // the network's worker thread must not keep the child alive
