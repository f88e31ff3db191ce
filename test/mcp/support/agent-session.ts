import { after, before } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startHarness, TEST_POLICY, type Harness } from './harness.js';
import { realWorld } from './world.js';

export interface AgentSession {
  world: Awaited<ReturnType<typeof realWorld>>;
  h: Harness;
  agent: Client;
}

/**
 * Inside a `describe`: the real kernel with TEST_POLICY, the gateway in front of the real upstreams, and one agent
 * connected over `transport`; started before the suite's tests and closed after them. Fields are set in `before`.
 */
export function agentSession(transport: 'stdio' | 'http'): AgentSession {
  const s = {} as AgentSession;
  before(async () => {
    s.world = await realWorld(TEST_POLICY);
    s.h = await startHarness(s.world.gateway);
    s.agent = await s.h.client(transport);
  });
  after(async () => {
    await s.h?.close();
    await s.world?.close();
  });
  return s;
}
