import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resourceDirs } from '../../../electron/services/config';

const config = parse(fs.readFileSync('electron-builder.yml', 'utf8')) as Record<string, any>;

describe('electron-builder.yml', () => {
  it('targets AppImage + deb, nsis and dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
  });
  it('unpacks onnxruntime-node native binaries from the asar', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/onnxruntime-node/**');
  });
  it('ships the model packs as extra resources', () => {
    const froms = (config.extraResources as { from: string; to: string }[]).map((r) => r.from);
    expect(froms).toContain('assets/models');
  });
  it('the services find the packs and the Python package where extraResources puts them in a packaged app', () => {
    const resources = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-resources-'));
    try {
      for (const r of config.extraResources as { from: string; to: string }[]) fs.mkdirSync(path.join(resources, r.to), { recursive: true });
      expect(resourceDirs('/opt/app/resources/app.asar', resources)).toEqual({ bundledPacksDir: path.join(resources, 'models'), nativeModelsDir: path.join(resources, 'native-models') });
      // Electron's own resources folder (a development run of the binary) has no packs: the checkout is used.
      expect(resourceDirs('/repo', fs.mkdtempSync(path.join(os.tmpdir(), 'electron-dist-')))).toEqual({ bundledPacksDir: '/repo/assets/models', nativeModelsDir: '/repo/native-models' });
      expect(resourceDirs('/repo', null).bundledPacksDir).toBe('/repo/assets/models');
    } finally {
      fs.rmSync(resources, { recursive: true, force: true });
    }
  });
  it('packages the built bundles that package.json main points at', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    expect(pkg.main).toBe('dist/electron/main.cjs');
    expect(config.files).toContain('dist/electron/**');
    for (const icon of [config.win.icon, config.mac.icon]) expect(fs.existsSync(icon)).toBe(true);
  });
});
