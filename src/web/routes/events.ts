import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { EventMap, EventName } from '../../core/events.js';
import type { WebApiDeps } from '../context.js';
import { toClip } from '../../db/repos/clips.js';
import { cleanLine } from '../../core/text.js';
import { problemView, shareView, type ClipLookup } from '../views.js';

const KEEP_ALIVE_MS = 25_000;

/** What the browser receives per bus event; payloads carrying objects are narrowed to their API shape. */
const forwards = (clips: ClipLookup): { [K in EventName]?: (p: EventMap[K]) => unknown } => ({
  'clip.created': (p) => ({ clip: toClip(p.clip) }),
  'clip.updated': (p) => ({ clip: toClip(p.clip) }),
  'clip.deleted': (p) => ({ clipId: p.clipId, cameraId: p.cameraId, reason: p.reason, at: p.at }),
  'share.created': (p) => ({ share: shareView(p.share, clips) }),
  'share.updated': (p) => ({ share: shareView(p.share, clips) }),
  'share.uploaded': (p) => ({ share: shareView(p.share, clips) }),
  'share.revoked': (p) => ({ share: shareView(p.share, clips) }),
  'share.progress': (p) => ({ shareId: p.shareId, phase: p.phase, percent: p.percent, bytesSent: p.bytesSent, bytesTotal: p.bytesTotal }),
  'camera.status': (p) => ({ cameraId: p.cameraId, status: p.status, lastError: p.lastError === undefined ? undefined : cleanLine(p.lastError), at: p.at }),
  'camera.privacy': (p) => ({ cameraId: p.cameraId, enabled: p.enabled, at: p.at }),
  'request.received': (p) => ({ request: p.request, candidateClipIds: p.candidateClipIds }),
  'problem.raised': (p) => ({ problem: problemView(p.problem) }),
  'problem.cleared': (p) => ({ id: p.id }),
  'stats.changed': (p) => ({ pending: p.pending, requests: p.requests, diskFreeBytes: p.diskFreeBytes }),
});

/**
 * `GET /api/events`: server-sent events. Each connection registers its own bus owner and drops
 * every listener when the client goes away (or the server closes), so no listener outlives it.
 */
export async function eventRoutes(app: FastifyInstance, deps: WebApiDeps): Promise<void> {
  const open = new Set<ServerResponse>();
  const forward = forwards(deps.repos.clips);
  let seq = 0;

  // Open streams are never idle, so the server would otherwise wait for them forever on close.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get('/events', async (req, reply) => {
    const owner = `web.sse.${++seq}`;
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    open.add(res);
    for (const [event, map] of Object.entries(forward) as [EventName, (p: unknown) => unknown][]) {
      deps.bus.on(owner, event, (payload) => {
        res.write(`event: ${event}\ndata: ${JSON.stringify(map(payload))}\n\n`);
      });
    }
    const ping = setInterval(() => res.write(': keep-alive\n\n'), deps.sseKeepAliveMs ?? KEEP_ALIVE_MS);
    const cleanup = (): void => {
      clearInterval(ping);
      deps.bus.off(owner);
      open.delete(res);
    };
    req.raw.on('close', cleanup);
    res.on('close', cleanup);
    res.on('error', cleanup);
  });
}
