import type { RequestEvent, StoredRequest, StoredKey } from './types.js';

/** What is kept in the `doc` column of a request: everything but the materialised status and channel data. */
export function requestDoc(req: StoredRequest): string {
  const { status: _status, channelData: _channelData, ...doc } = req;
  return JSON.stringify(doc);
}

export function requestFromRow(row: { doc: string | object; status: string; channel_data: string | object | null }): StoredRequest {
  const doc = (typeof row.doc === 'string' ? JSON.parse(row.doc) : row.doc) as Omit<StoredRequest, 'status'>;
  const req: StoredRequest = { ...doc, status: row.status as StoredRequest['status'] };
  const cd = typeof row.channel_data === 'string' ? JSON.parse(row.channel_data) : row.channel_data;
  if (cd && Object.keys(cd).length > 0) req.channelData = cd as Record<string, unknown>;
  return req;
}

export function eventFromRow(row: { doc: string | object }): RequestEvent {
  return (typeof row.doc === 'string' ? JSON.parse(row.doc) : row.doc) as RequestEvent;
}

export function keyFromRow(row: {
  id: string;
  hash: string;
  principal: string | object;
  created_at: number | string;
  revoked_at: number | string | null;
  last_used_at: number | string | null;
}): StoredKey {
  const key: StoredKey = {
    id: row.id,
    hash: row.hash,
    principal: (typeof row.principal === 'string' ? JSON.parse(row.principal) : row.principal) as StoredKey['principal'],
    createdAt: Number(row.created_at),
  };
  if (row.revoked_at !== null) key.revokedAt = Number(row.revoked_at);
  if (row.last_used_at !== null) key.lastUsedAt = Number(row.last_used_at);
  return key;
}
