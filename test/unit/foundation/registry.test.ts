import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HandlerRegistry, type Handlers } from '../../../electron/ipc/registry';
import { createStudio } from '../../../electron/services/composition-root';
import { channelNames, contract } from '../../../electron/shared/contract/index';
import { StudioError } from '../../../electron/shared/result';

const studio = createStudio('test');

describe('handler registry', () => {
  it('rejects unknown channels and prototype keys as error values', async () => {
    for (const name of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
      const r = await studio.registry.dispatch(name, {});
      expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    }
  });

  it('every channel rejects a malformed payload with BAD_REQUEST (property-based, all channels)', async () => {
    for (const name of channelNames) {
      const schema = contract[name].request;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.anything(), fc.object(), fc.constant({ __proto__: { polluted: true } }), fc.constant(JSON.parse('{"__proto__":{"x":1},"constructor":{"prototype":{}}}'))).filter((v) => !schema.safeParse(v).success),
          async (payload) => {
            const r = await studio.registry.dispatch(name, payload);
            expect(r.ok).toBe(false);
            if (!r.ok) expect(r.error.code).toBe('BAD_REQUEST');
          },
        ),
        { numRuns: 60 },
      );
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('turns StudioError into its code, and unexpected throws into INTERNAL without a stack', async () => {
    const handlers = { ...({} as Handlers) } as Record<string, unknown>;
    handlers['system.info'] = () => {
      throw new StudioError('MEDIA_BROKEN', 'The song could not be read.');
    };
    handlers['jobs.cancel'] = () => {
      throw new TypeError('x is undefined');
    };
    const logged: string[] = [];
    const registry = new HandlerRegistry(handlers as Handlers, { host: 'test', log: (l) => logged.push(l) });
    expect(await registry.dispatch('system.info', {})).toEqual({ ok: false, error: { code: 'MEDIA_BROKEN', message: 'The song could not be read.' } });
    const r = await registry.dispatch('jobs.cancel', { jobId: 'a' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(r)).not.toMatch(/at .*\.ts:\d+/);
    expect(logged.join('\n')).toContain('TypeError');
  });

  it('cancels a running job through jobs.cancel and reports progress events for it', async () => {
    const handlers = {} as Record<string, unknown>;
    handlers['system.info'] = async (_req: unknown, ctx: { signal: AbortSignal; progress: (f: number, m: string) => void }) => {
      ctx.progress(0.25, 'working');
      await new Promise((resolve, reject) => {
        const t = setTimeout(resolve, 10_000);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
      return { version: 'x', host: 'test', platform: 'linux' };
    };
    handlers['jobs.cancel'] = ({ jobId }: { jobId: string }, ctx: { registry: HandlerRegistry }) => ({ cancelled: ctx.registry.cancel(jobId) });
    const registry = new HandlerRegistry(handlers as Handlers, { host: 'test' });
    const events: unknown[] = [];
    const running = registry.dispatch('system.info', {}, { jobId: 'job-1', emit: (e, p) => events.push([e, p]) });
    expect(await registry.dispatch('system.info', {}, { jobId: 'job-1' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await registry.dispatch('jobs.cancel', { jobId: 'job-1' })).toEqual({ ok: true, value: { cancelled: true } });
    expect(await running).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(events).toEqual([['job.progress', { jobId: 'job-1', channel: 'system.info', fraction: 0.25, message: 'working', etaSec: null }]]);
    expect(await registry.dispatch('jobs.cancel', { jobId: 'job-1' })).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('refuses a malformed jobId', async () => {
    const r = await studio.registry.dispatch('system.info', {}, { jobId: '../../etc' });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});
