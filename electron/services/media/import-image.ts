/**
 * Reference-image import: the original goes into the project by content hash; the prepared image (crop box
 * chosen by the user, resized to the pack resolution, transparency flattened onto white) is stored the same
 * way as a PNG. Dimensions are checked from the header by `probe` before ffmpeg decodes anything.
 */
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { MediaErrorCodes, type CropBox, type MediaProbe } from '../../shared/domain/media';
import type { MediaRef } from '../../shared/domain/project';
import { partialPath, removeAll, resolveProjectDir, safeExtension, storeFile, storeGenerated, MEDIA_DIR } from './content-store';
import { createFfmpegCommand, runFfmpeg } from './ffmpeg-job';
import { animatedWebpFrame, probeMedia } from './probe';
import { orientationFilters, sniffFile } from './file-sniff';
import { FORMAT_WHITELIST_ARGS } from './format-allow-list';
import { Readable } from 'node:stream';
import { cancellable, type MediaJobOptions, type MediaTools } from './tools';

export interface ImportedImage {
  original: MediaRef;
  prepared: MediaRef;
  crop: CropBox;
  width: number;
  height: number;
  probe: MediaProbe;
}

export interface ImportImageRequest extends MediaJobOptions {
  projectDir: string;
  path: string;
  /** In source pixels; default: the largest centred box with the target's aspect ratio. */
  crop?: CropBox;
  width: number;
  height: number;
}

/** Largest centred crop of a `srcW` x `srcH` image with the aspect ratio of `dstW` x `dstH`. */
export function centredCrop(srcW: number, srcH: number, dstW: number, dstH: number): CropBox {
  const target = dstW / dstH;
  let width = srcW;
  let height = Math.round(srcW / target);
  if (height > srcH) {
    height = srcH;
    width = Math.round(srcH * target);
  }
  width = Math.max(1, Math.min(srcW, width));
  height = Math.max(1, Math.min(srcH, height));
  return { x: Math.floor((srcW - width) / 2), y: Math.floor((srcH - height) / 2), width, height };
}

export function importImage(tools: MediaTools, request: ImportImageRequest): Promise<ImportedImage> {
  return cancellable(request.signal, 'Image import', () => importImageJob(tools, request));
}

async function importImageJob(tools: MediaTools, request: ImportImageRequest): Promise<ImportedImage> {
  const { signal, onProgress, width, height } = request;
  const projectDir = await resolveProjectDir(request.projectDir);
  onProgress?.(0, 'Checking the image');
  const probe = await probeMedia(request.path, { ...tools, require: 'image', signal });
  const srcW = probe.width ?? 0;
  const srcH = probe.height ?? 0;
  const crop = request.crop ?? centredCrop(srcW, srcH, width, height);
  if (crop.x + crop.width > srcW || crop.y + crop.height > srcH) {
    throw new StudioError(MediaErrorCodes.badCrop, `The crop box ${crop.width}x${crop.height} at (${crop.x}, ${crop.y}) does not fit inside the ${srcW}x${srcH} image.`);
  }
  // Turn the picture upright first (EXIF orientation), so the crop box is in the coordinates the user sees.
  const sniffed = await sniffFile(probe.path, probe.sizeBytes);
  const upright = orientationFilters(sniffed.image?.orientation);
  // An animated WebP's reference image is its first frame, at its offset on the canvas (see webp-first-frame).
  const animation = sniffed.image?.animated ? await animatedWebpFrame(probe.path, path.basename(probe.path)) : null;
  const onCanvas = animation ? [`format=rgba,pad=${animation.canvasWidth}:${animation.canvasHeight}:${animation.x}:${animation.y}:color=white@0`] : [];
  const originalName = path.basename(probe.path);
  onProgress?.(0.2, 'Copying the image into the project');
  const original = await storeFile(projectDir, probe.path, safeExtension(originalName, 'img'), originalName, signal);
  const tmp = partialPath(path.join(projectDir, MEDIA_DIR, 'prepared.png'));
  try {
    onProgress?.(0.4, 'Cropping and resizing');
    const command = createFfmpegCommand(tools)
      .input(animation ? Readable.from([animation.still]) : probe.path)
      // Orientation is applied explicitly below; ffmpeg's own autorotate differs between versions.
      .inputOptions(['-noautorotate', ...(animation ? ['-f', 'webp_pipe'] : FORMAT_WHITELIST_ARGS)])
      .complexFilter([
        `color=c=white:s=${width}x${height}[bg]`,
        `[0:v:0]${[...onCanvas, ...upright, `crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}`].join(',')},scale=${width}:${height}:flags=lanczos,format=rgba[fg]`,
        `[bg][fg]overlay=shortest=1:format=auto,format=rgb24,setsar=1[out]`,
      ])
      .output(tmp)
      .outputOptions(['-map', '[out]', '-frames:v', '1', '-c:v', 'png', '-f', 'image2', '-update', '1']);
    await runFfmpeg(command, { label: 'Image import', signal });
    onProgress?.(0.9, 'Storing the prepared image');
    const stem = path.parse(originalName).name.slice(0, 200);
    const prepared = await storeGenerated(projectDir, tmp, 'png', `${stem} (${width}x${height}).png`, signal);
    onProgress?.(1, 'Image imported');
    return { original: original.ref, prepared: prepared.ref, crop, width, height, probe };
  } catch (error) {
    await removeAll([tmp, original.created ? original.absPath : null]);
    throw error;
  }
}
