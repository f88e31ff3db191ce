// OAuth 2.0 Protected Resource Metadata (RFC 9728) for the Streamable HTTP endpoint, as MCP's authorization spec
// (2025-06-18, "Authorization Server Discovery") asks of an MCP server: a client that gets 401 reads the
// `resource_metadata` URL from `WWW-Authenticate`, fetches this document, and signs the person in at the
// authorization server it names (the OIDC issuer the gateway trusts).
import type { IncomingMessage } from 'node:http';

// RFC 9728 §3.1: the metadata of a resource with a path lives at /.well-known/oauth-protected-resource + that path.
export const METADATA_PREFIX = '/.well-known/oauth-protected-resource';

/** What the endpoint says about itself: where it is, and who issues the tokens it accepts. */
export interface ResourceMetadataOptions {
  /** The OIDC issuer (identity.oidc.issuer). */
  issuer: string;
  /** Where the MCP endpoint is mounted (mcp.path), e.g. `/mcp`. */
  mcpPath: string;
  /** server.public_url; when absent, the scheme and Host of the request are used. */
  publicUrl?: string;
}

const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/** The gateway's base URL as the client reached it: server.public_url, else `http://` + the request's Host. */
function baseUrl(req: IncomingMessage, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  const host = req.headers.host;
  // A Host that is no host[:port] (quotes, spaces, a path) is not echoed into a header or a URL.
  return `${secure ? 'https' : 'http'}://${host && HOST.test(host) ? host : 'localhost'}`;
}

/**
 * The endpoint's RFC 9728 metadata and the `WWW-Authenticate` challenge that points at it.
 *
 * @example
 * const rm = resourceMetadata({ issuer: 'https://idp.example.com', mcpPath: '/mcp' });
 * rm.paths.has('/.well-known/oauth-protected-resource/mcp') // true
 * rm.document(req) // { resource: 'http://gw:8080/mcp', authorization_servers: ['https://idp.example.com'], … }
 */
export function resourceMetadata(opts: ResourceMetadataOptions) {
  const path = opts.mcpPath.replace(/\/+$/, '') || '/';
  const at = METADATA_PREFIX + (path === '/' ? '' : path);
  return {
    /** Paths the document is served at: the path-aware one, and the bare one some clients try first. */
    paths: new Set([at, METADATA_PREFIX]),
    document(req: IncomingMessage): Record<string, unknown> {
      return {
        resource: baseUrl(req, opts.publicUrl) + (path === '/' ? '' : path),
        authorization_servers: [opts.issuer],
        bearer_methods_supported: ['header'],
        resource_name: 'Countersign MCP gateway',
      };
    },
    /** The value of `WWW-Authenticate` on a 401 of the endpoint (RFC 9728 §5.1). */
    challenge(req: IncomingMessage): string {
      return `Bearer resource_metadata="${baseUrl(req, opts.publicUrl)}${at}"`;
    },
  };
}

export type ResourceMetadata = ReturnType<typeof resourceMetadata>;
