import type { Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import { TOOL_SEPARATOR } from './action.js';

/** What one upstream offers: its resources and templates, or `offered: false` when it has no resources capability. */
export interface UpstreamResources {
  upstream: string;
  offered: boolean;
  resources: Resource[];
  templates: ResourceTemplate[];
}

/**
 * Where a `resources/read` goes: one upstream and the URI it knows; or why it cannot go anywhere (`unknown`:
 * nobody offers it; `ambiguous`: several upstreams do, and `choices` are the URIs that name each one).
 */
export type ResourceRoute =
  | { kind: 'route'; upstream: string; uri: string }
  | { kind: 'unknown' }
  | { kind: 'ambiguous'; upstreams: string[]; choices: string[] };

/**
 * The URI an agent reads a copy of `uri` through when several upstreams list it: the upstream's name in front, as
 * for tool names. Unique URIs are listed as the upstream gives them.
 *
 * @example prefixedUri('ev-2', 'demo://resource/1') // 'ev-2.demo://resource/1'
 */
export function prefixedUri(upstream: string, uri: string): string {
  return upstream + TOOL_SEPARATOR + uri;
}

/** The text before a template's first variable: `file:///logs/{day}` → `file:///logs/`. */
function templatePrefix(t: ResourceTemplate): string {
  return t.uriTemplate.split('{')[0] ?? '';
}

/**
 * The aggregated view of every upstream's resources, and the routing of reads. A URI (or a template) that one
 * upstream lists is listed unchanged; one that several list is listed once per upstream as `<upstream>.<uri>`, and
 * the plain URI is refused as ambiguous (naming the choices) rather than sent to whichever answered first.
 *
 * @example
 * const c = new ResourceCatalog([{ upstream: 'a', offered: true, resources: [{ uri: 'x://1', name: '1' }], templates: [] }]);
 * c.resolve('x://1') // { kind: 'route', upstream: 'a', uri: 'x://1' }
 */
export class ResourceCatalog {
  private readonly owners = new Map<string, string[]>();
  private readonly templateOwners = new Map<string, string[]>();
  private readonly offering: string[];

  constructor(private readonly lists: UpstreamResources[]) {
    for (const l of lists) {
      for (const r of l.resources) add(this.owners, r.uri, l.upstream);
      for (const t of l.templates) add(this.templateOwners, t.uriTemplate, l.upstream);
    }
    this.offering = lists.filter((l) => l.offered).map((l) => l.upstream);
  }

  /**
   * Every resource `keep` keeps (given its upstream and the resource as that upstream lists it), colliding URIs
   * prefixed with their upstream. What is left out still counts as a collision: routing never depends on it.
   */
  resources(keep: (upstream: string, r: Resource) => boolean = () => true): Resource[] {
    return this.lists.flatMap((l) =>
      l.resources.filter((r) => keep(l.upstream, r)).map((r) => (this.owners.get(r.uri)!.length > 1 ? { ...r, uri: prefixedUri(l.upstream, r.uri) } : r)),
    );
  }

  /** Every resource with the upstream that lists it, as that upstream lists it (its own URI). */
  entries(): Array<{ upstream: string; resource: Resource }> {
    return this.lists.flatMap((l) => l.resources.map((resource) => ({ upstream: l.upstream, resource })));
  }

  /** Every resource template, colliding templates prefixed with their upstream. */
  templates(): ResourceTemplate[] {
    return this.lists.flatMap((l) =>
      l.templates.map((t) => (this.templateOwners.get(t.uriTemplate)!.length > 1 ? { ...t, uriTemplate: prefixedUri(l.upstream, t.uriTemplate) } : t)),
    );
  }

  /** How many URIs several upstreams list (each listed once per upstream, prefixed). */
  get collisions(): number {
    let n = 0;
    for (const o of this.owners.values()) if (o.length > 1) n++;
    return n;
  }

  /**
   * Route a read: a URI one upstream listed → that upstream; `<upstream>.<uri>` → that upstream (when it offers
   * resources); a URI matching templates → the upstream with the longest matching prefix; otherwise, when exactly
   * one upstream offers resources, that one (it answers for URIs it serves without listing them).
   */
  resolve(uri: string): ResourceRoute {
    const listed = this.owners.get(uri);
    if (listed?.length === 1) return { kind: 'route', upstream: listed[0]!, uri };
    if (listed && listed.length > 1) return ambiguous(listed, uri);

    const sep = uri.indexOf(TOOL_SEPARATOR);
    if (sep > 0) {
      const upstream = uri.slice(0, sep);
      const rest = uri.slice(sep + 1);
      if (rest.includes(':') && this.offering.includes(upstream)) return { kind: 'route', upstream, uri: rest };
    }

    let best = -1;
    let by: string[] = [];
    for (const l of this.lists) {
      for (const t of l.templates) {
        const p = templatePrefix(t);
        if (!p || !uri.startsWith(p) || p.length < best) continue;
        if (p.length > best) {
          best = p.length;
          by = [];
        }
        if (!by.includes(l.upstream)) by.push(l.upstream);
      }
    }
    if (by.length === 1) return { kind: 'route', upstream: by[0]!, uri };
    if (by.length > 1) return ambiguous(by, uri);

    if (this.offering.length === 1) return { kind: 'route', upstream: this.offering[0]!, uri };
    return { kind: 'unknown' };
  }
}

function add(map: Map<string, string[]>, key: string, upstream: string): void {
  const o = map.get(key);
  if (!o) map.set(key, [upstream]);
  else if (!o.includes(upstream)) o.push(upstream);
}

function ambiguous(upstreams: string[], uri: string): ResourceRoute {
  return { kind: 'ambiguous', upstreams, choices: upstreams.map((u) => prefixedUri(u, uri)) };
}
