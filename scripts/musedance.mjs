#!/usr/bin/env node
/**
 * `npm run -s musedance -- <command>` (and the `musedance` bin): runs the CLI from its bundle
 * (dist/cli/musedance.cjs, built by `npm run setup`/`npm run build`). A missing bundle, or one older than a
 * source under electron/ (after an edit or a pull), is rebuilt first, and a terminal is told so on stderr; a
 * bundle that cannot be built (no esbuild in an installed app) is reported in one line with the fix.
 * V8's compiled code for the bundle is kept beside it (musedance.cjs.v8cache), so later starts skip most of the
 * compiling; a cache that does not match the bundle or this Node is ignored and written anew.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { buildCli, cliBundleStaleness, CLI_BUNDLE } from './build-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, CLI_BUNDLE);
const stale = cliBundleStaleness();
if (stale) {
  const started = Date.now();
  try {
    await buildCli();
  } catch (error) {
    process.stderr.write(`musedance: ${stale} and could not be rebuilt (${String(error?.message ?? error).split('\n')[0]}); run: npm run build\n`);
    process.exit(1);
  }
  if (process.stderr.isTTY) process.stderr.write(`musedance: ${stale}; rebuilt it in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** Loads the CJS bundle like `require` does, compiled with (and then refreshing) the V8 code cache. */
function loadBundle() {
  const source = fs.readFileSync(bundle, 'utf8');
  const stat = fs.statSync(bundle);
  const cacheFile = `${bundle}.v8cache`;
  const key = `${process.version} ${stat.size} ${stat.mtimeMs}\n`;
  let cachedData;
  try {
    const cache = fs.readFileSync(cacheFile);
    if (cache.subarray(0, key.length).toString('latin1') === key) cachedData = cache.subarray(key.length);
  } catch {
    // no cache yet
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapper, { filename: bundle, cachedData, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  if (!cachedData || script.cachedDataRejected) {
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, Buffer.concat([Buffer.from(key, 'latin1'), script.createCachedData()]));
      fs.renameSync(tmp, cacheFile);
    } catch {
      // a read-only install runs without the cache
    }
  }
  return module.exports;
}

const { runCli } = loadBundle();
process.exitCode = await runCli(process.argv.slice(2));
