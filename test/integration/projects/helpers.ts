/** A studio with its own data folder and a scratch folder for projects, for the project integration tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../electron/services/config';
import { createStudio, type Studio } from '../../../electron/services/composition-root';
import type { ChannelName, ReplyOf, RequestOf } from '../../../electron/shared/contract/index';

export interface TestStudio extends Studio {
  call<K extends ChannelName>(channel: K, request: RequestOf<K>): Promise<ReplyOf<K>>;
  /** The error value of a call that must fail. */
  fail(channel: ChannelName, request: unknown): Promise<{ code: string; message: string }>;
}

export function scratchDir(prefix = 'musedance-projects-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testStudio(dataDir: string): TestStudio {
  const studio = createStudio('test', { ...loadConfig(), dataDir });
  return {
    ...studio,
    async call(channel, request) {
      const r = await studio.registry.dispatch(channel, request);
      if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`);
      return r.value as never;
    },
    async fail(channel, request) {
      const r = await studio.registry.dispatch(channel, request);
      if (r.ok) throw new Error(`${channel} should have failed`);
      return r.error;
    },
  };
}
