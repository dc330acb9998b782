/**
 * `npm run studio:web` (and `npm start` without the Electron binary): the studio in your browser.
 * Prints the URL with its per-launch token; opens nothing by itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createStudio } from '../services/composition-root';
import { APP_ROOT } from '../services/config';
import { startHost } from './server';
import { shutdownStudio } from '../services/shutdown';

const rendererDir = process.env.MUSEDANCE_RENDERER_DIR ?? path.join(APP_ROOT, 'dist', 'renderer');
if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
  console.error(`musedance: the renderer is not built (${rendererDir} has no index.html); run \`npm run build\` first.`);
  process.exit(1);
}
const portArg = process.env.MUSEDANCE_PORT ? Number(process.env.MUSEDANCE_PORT) : 0;
const studio = createStudio('web', undefined, (line) => console.error(line));
const host = await startHost({ registry: studio.registry, rendererDir, media: studio.media, port: portArg });
console.log(`MuseDance Studio is running in browser-host mode (the Electron binary is not installed).`);
console.log(`Open this URL in Chromium/Chrome (it carries this launch's access token):`);
console.log(`  ${host.launchUrl}`);
console.log(`Press Ctrl+C to stop.`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void shutdownStudio(studio.registry)
    .then(() => host.close())
    .then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
