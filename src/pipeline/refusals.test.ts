import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeClock, systemClock } from '../core/clock.js';
import type { AuditEventInput } from '../audit/types.js';
import { createRefusalRecorder } from './refusals.js';

const refusal = (code: string, connector = 'api') => ({ summary: `${connector === 'api' ? 'HTTP API GET /v1/requests' : 'MCP over HTTP'}: ${code}`, data: { code, transport: 'http', connector } });

describe('refused credentials: recorded one by one up to a budget per window, the rest counted', () => {
  it('records the first perWindow, counts the others by code, and records the count when the window ends', async () => {
    const clock = new FakeClock();
    const events: AuditEventInput[] = [];
    const r = createRefusalRecorder(async (e) => void events.push(e), { clock, perWindow: 3, windowMs: 60_000 });
    for (let i = 0; i < 4; i++) await r.refused(refusal('AUTH_INVALID'));
    await r.refused(refusal('AUTH_REQUIRED', 'mcp'));
    assert.equal(events.length, 3);
    assert.ok(events.every((e) => e.type === 'auth.failed' && e.flush === 'soon' && (e.data as { code: string }).code === 'AUTH_INVALID'));

    clock.advance(60_000);
    await r.refused(refusal('AUTH_EXPIRED'));
    assert.equal(events.length, 5);
    const summary = events[3]!;
    assert.equal(summary.type, 'auth.failed');
    assert.deepEqual(summary.data, { suppressed: 2, byCode: { AUTH_INVALID: 1, AUTH_REQUIRED: 1 }, byConnector: { api: 1, mcp: 1 }, from: clock.now() - 60_000, to: clock.now() });
    assert.match(summary.summary!, /^2 more refused credentials between .* were counted, not recorded one by one$/);
    assert.equal((events[4]!.data as { code: string }).code, 'AUTH_EXPIRED', 'a new window records again');
  });

  it('records the count when a flood stops, without another refusal, and on flush', async () => {
    const events: AuditEventInput[] = [];
    const r = createRefusalRecorder(async (e) => void events.push(e), { clock: systemClock, perWindow: 1, windowMs: 50 });
    for (let i = 0; i < 10; i++) await r.refused(refusal('AUTH_INVALID'));
    assert.equal(events.length, 1);
    await sleep(150);
    assert.equal(events.length, 2, 'the window ended with nothing after it');
    assert.equal((events[1]!.data as { suppressed: number }).suppressed, 9);

    for (let i = 0; i < 3; i++) await r.refused(refusal('AUTH_REQUIRED'));
    await r.flush();
    assert.equal((events.at(-1)!.data as { suppressed: number }).suppressed, 2);
    await r.flush();
    assert.equal(events.length, 4, 'nothing left to record');
  });

  it('never rejects, even when the audit log cannot take the event', async () => {
    const r = createRefusalRecorder(async () => Promise.reject(new Error('disk full')), { clock: new FakeClock(), perWindow: 1 });
    await r.refused(refusal('AUTH_INVALID'));
    await r.refused(refusal('AUTH_INVALID'));
    await r.flush();
  });
});
