import type { Command } from 'commander';
import { ApiClient, type RequestJson } from '../../sdk/client.js';
import { jsonForTerminal, printable } from '../../core/text.js';

/**
 * `countersign approvals list|show|approve|deny`: talk to a running gateway at COUNTERSIGN_URL with the
 * caller's credential in COUNTERSIGN_TOKEN. Votes pass the same checks as from any other channel.
 */
export function registerApprovalsCommands(program: Command): void {
  const approvals = program.command('approvals').description('List and decide approval requests on a running gateway (COUNTERSIGN_URL, COUNTERSIGN_TOKEN)');
  const client = () => ApiClient.fromEnv();
  const fail = (e: unknown) => {
    const err = e as { code?: string; message?: string };
    process.stderr.write(`error: ${err.code ?? 'ERROR'}: ${err.message ?? String(e)}\n`);
    process.exitCode = 1;
  };

  approvals
    .command('list')
    .description('List approval requests (pending by default)')
    .option('-s, --status <status>', 'comma-separated: pending, approved, denied, expired, cancelled, executed, or all', 'pending')
    .option('-n, --limit <n>', 'at most this many, newest first (1 to 1000)', '100')
    .option('--json', 'print JSON')
    .action(async (o: { status: string; limit: string; json?: boolean }) => {
      try {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw Object.assign(new Error(`--limit must be a whole number from 1 to 1000, not ${o.limit}`), { code: 'BAD_REQUEST' });
        const list = await client().listRequests(o.status === 'all' ? undefined : o.status, limit);
        if (o.json) return void process.stdout.write(jsonForTerminal(list) + '\n');
        if (list.length === 0) return void process.stdout.write('no requests\n');
        // A full page may not be all of them: say so, on stderr (stdout stays the list).
        if (list.length === limit) process.stderr.write(`(the newest ${limit}; there may be more: --limit up to 1000, or --status to narrow)\n`);
        for (const r of list) process.stdout.write(`${printable(`${r.id}  ${r.status.padEnd(9)} ${r.principal.id}  ${r.resource}  ${r.summary}`)}\n`);
      } catch (e) {
        fail(e);
      }
    });

  approvals
    .command('show <id>')
    .description('Show one request: what, who, why, masked preview, votes')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      try {
        const r = await client().getRequest(id);
        process.stdout.write(o.json ? jsonForTerminal(r) + '\n' : card(r));
      } catch (e) {
        fail(e);
      }
    });

  for (const vote of ['approve', 'deny'] as const) {
    approvals
      .command(`${vote} <id>`)
      .description(vote === 'approve' ? 'Approve a pending request' : 'Deny a pending request (a reason is required)')
      .option('-r, --reason <text>', vote === 'approve' ? 'why (optional)' : 'why (required)')
      .action(async (id: string, o: { reason?: string }) => {
        try {
          const r = await client().vote(id, vote, o.reason);
          process.stdout.write(`${r.id}: ${r.status}${r.status === 'pending' ? ` (${r.approvedBy.length}/${r.review.approvals} approvals)` : ''}\n`);
        } catch (e) {
          fail(e);
        }
      });
  }
}

/** 90 → `1m30s`, 7200 → `2h`. */
function humanSeconds(total: number): string {
  const parts: string[] = [];
  let t = Math.round(total);
  for (const [unit, n] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (t >= n) parts.push(`${Math.floor(t / n)}${unit}`), (t %= n);
  }
  return parts.join('') || '0s';
}

/** The request as `approvals show` prints it: what, who, why, the context and masking an approver decides on, votes. */
export function card(r: RequestJson): string {
  return [
    `request   ${r.id} (${r.status})`,
    `who       ${r.principal.id} (${r.principal.type})${r.principal.onBehalfOf ? ` on behalf of ${r.principal.onBehalfOf}` : ''}${r.principal.keyId ? `, API key ${r.principal.keyId}` : ''}`,
    ...(r.principal.keyStatus === 'revoked' || r.principal.keyStatus === 'missing'
      ? [`WARNING   the requester's API key ${r.principal.keyId} has been ${r.principal.keyStatus === 'revoked' ? 'revoked' : 'deleted'}: this action will not run, even if approved`]
      : []),
    `what      ${r.kind} on ${r.resource} via ${r.connector}: ${r.summary}`,
    ...(r.tags?.length ? [`tags      ${r.tags.join(', ')}`] : []),
    `why       rule ${r.rule}${r.reason ? `: ${r.reason}` : ''}`,
    ...(r.context !== undefined && !(typeof r.context === 'object' && r.context !== null && Object.keys(r.context).length === 0) ? [`context   ${JSON.stringify(r.context)}`] : []),
    // An unmask is the one action whose result is not masked: approving it hands the clear value to the requester.
    r.kind === 'unmask'
      ? `masking   none: approving releases the clear value of this token to ${r.principal.id}`
      : `masking   the result goes through the ${r.maskProfile ? `"${r.maskProfile}"` : "gateway's default"} masking profile`,
    `needs     ${r.review.approvals} approval(s) from ${r.review.approverGroups.join(', ') || 'any human'}; expires ${r.expiresAt}`,
    // Before the vote: what approving lets run, and for how long (a window covers more than this one call).
    ...(r.status === 'pending' && r.review.grant
      ? [
          r.review.grant.type === 'window'
            ? `grant     approving lets ${r.principal.id} run any ${r.kind} on ${r.resource} under rule ${r.rule} for ${humanSeconds(r.review.grant.seconds)}, not only this one`
            : `grant     approving lets this exact action run once${r.review.timeoutSeconds ? `, within ${humanSeconds(r.review.timeoutSeconds)} of the approval` : ''}`,
        ]
      : []),
    ...(r.status === 'approved' && r.grantEndsAt
      ? [Date.parse(r.grantEndsAt) > Date.now() ? `grant     the approved action may run until ${r.grantEndsAt}` : `grant     lapsed unused at ${r.grantEndsAt}: the action did not run, and asks anew`]
      : []),
    `digest    ${r.actionDigest}`,
    `preview   ${JSON.stringify(r.preview)}`,
    ...r.votes.map((v) => `vote      ${v.voter} ${v.vote}${v.reason ? `: ${v.reason}` : ''} (${v.channel}${v.auditSeq ? `, audit event ${v.auditSeq}` : ''})${v.counted === false ? ' NOT COUNTED: the audit log holds no record of it' : ''}`),
  ]
    // Each line as written, escapes and line breaks inside a field made visible: text an agent wrote cannot redraw the card.
    .map(printable)
    .join('\n') + '\n';
}
