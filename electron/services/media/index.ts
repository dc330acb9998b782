/**
 * The media service's public API for other services (inference, training runner, timeline) calling from Node.
 * Every long call takes `{ signal, onProgress }`; failures are StudioErrors with MediaErrorCodes.
 */
export { probeMedia, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE_PX, type ProbeOptions } from './probe';
export { importSong, songWorkingCopies, MONO_16K_SAMPLE_RATE, STEREO_44K_SAMPLE_RATE, type ImportedSong } from './import-song';
export { importImage, centredCrop, type ImportImageRequest, type ImportedImage } from './import-image';
export { importClip, CLIP_FRAME_PATTERN, type ImportClipRequest, type ImportedClip } from './import-clip';
export { exportVideo, ENCODER_ARGS, videoFilters, type ExportVideoRequest, type ExportVideoResult } from './export-video';
export { findFrameSequence, type FrameSequence } from './frame-sequence';
export { readSettings, parseSettingsTag, SETTINGS_SIDECAR } from './settings-tag';
export { writeBeatCues, readBeatCues, appendCues, cueChunks } from './wav-cues';
export { FfmpegJob, createFfmpegCommand, runFfmpeg, STOP_GRACE_MS, STALL_TIMEOUT_MS, type FfmpegProgress } from './ffmpeg-job';
export { sha256File, storeFile, resolveProjectDir } from './content-store';
export type { MediaTools, MediaJobOptions } from './tools';
export { receiveChunk, discardUpload, stagedFileName, UPLOADS_DIR } from './upload-staging';
export { FORMAT_WHITELIST, FORMAT_WHITELIST_ARGS } from './format-allow-list';
export { locateTool, resolveMediaTools, type ToolSource } from './locate-tools';
