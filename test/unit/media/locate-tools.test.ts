import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateTool } from '../../../electron/services/media/locate-tools';

describe('which ffmpeg the media service runs', () => {
  const resources = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-resources-'));
  fs.mkdirSync(path.join(resources, 'ffmpeg'));
  fs.writeFileSync(path.join(resources, 'ffmpeg', 'ffmpeg'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });

  it('the system ffmpeg wins over a bundled one', () => {
    expect(locateTool('ffmpeg', 'ffmpeg', { env: {}, resourcesPath: resources })).toEqual({ path: 'ffmpeg', source: 'system' });
  });
  it('the bundled binary is used only when the system one is absent', () => {
    expect(locateTool('ffmpeg', 'ffmpeg-not-installed-here', { env: {}, resourcesPath: resources })).toEqual({ path: path.join(resources, 'ffmpeg', 'ffmpeg'), source: 'bundled' });
  });
  it('an explicit MUSEDANCE_FFMPEG is never second-guessed', () => {
    expect(locateTool('ffmpeg', '/opt/missing/ffmpeg', { env: { MUSEDANCE_FFMPEG: '/opt/missing/ffmpeg' }, resourcesPath: resources })).toEqual({ path: '/opt/missing/ffmpeg', source: 'env' });
  });
  it('nothing anywhere -> the configured name, reported missing (the job then fails with MEDIA_FFMPEG_MISSING)', () => {
    expect(locateTool('ffprobe', 'ffprobe-not-installed-here', { env: {}, resourcesPath: resources })).toEqual({ path: 'ffprobe-not-installed-here', source: 'missing' });
  });
});
