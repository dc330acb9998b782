import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

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
  it('packages the built bundles that package.json main points at', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    expect(pkg.main).toBe('dist/electron/main.cjs');
    expect(config.files).toContain('dist/electron/**');
    for (const icon of [config.win.icon, config.mac.icon]) expect(fs.existsSync(icon)).toBe(true);
  });
});
