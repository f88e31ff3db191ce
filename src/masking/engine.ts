import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { CountersignError, isCountersignError } from '../core/errors.js';
import type { Finding, MaskContext, Masker } from '../core/masking.js';
import type { TokenStore } from '../store/types.js';
import { DEFAULT_PROFILE, DEFAULT_TRANSFORMS, maskingConfigSchema, type MaskingConfig, type MaskingProfile, type TransformName } from './config.js';
import { pathOf, walkValue } from './json.js';
import { scan } from './scan.js';
import { maskChunks, type StreamOptions } from './stream.js';
import { partial, redact, transformFor } from './transforms.js';
import { deriveKeys, keyedHash, open, parseKey, seal, tokenFor, type MaskingKeys } from './vault.js';

/** The masking engine: the async `Masker` the pipeline uses, plus sync methods for the CLI and benchmarks. */
export interface MaskingEngine extends Masker {
  /** Findings (type, span, confidence, detector) without masking. Never carries the values. */
  scanSync(text: string, ctx?: MaskContext): Finding[];
  /** Mask without I/O; throws MASKING_FAILED if the profile needs the token store (use maskText then). */
  maskTextSync(text: string, ctx?: MaskContext): { text: string; findings: Finding[] };
  maskValueSync<T>(value: T, ctx?: MaskContext): { value: T; findings: Finding[] };
  /** Mask a long stream chunk by chunk; a value split across chunks is still found. Memory stays bounded. */
  maskStream(chunks: AsyncIterable<string>, ctx?: MaskContext, opts?: StreamOptions): AsyncGenerator<string>;
  /** Decrypt a reversible token (`tok_…` or `[TYPE:tok_…]`) issued in `scope`. Throws TOKEN_UNKNOWN. */
  reveal(scope: string, token: string): Promise<string>;
  /** Profile names this engine knows. */
  profiles(): string[];
}

export interface MaskerDeps {
  /** Masking key; default: the environment variable named by `key_env`. */
  key?: Buffer;
  tokens?: TokenStore;
  clock?: Clock;
}

type Pending = { scope: string; token: string; sealed: string };

/**
 * Build the masking engine from the `masking:` config section.
 *
 * @example
 * const m = createMasker(maskingConfigSchema.parse({}));
 * m.maskTextSync('mail bob@example.com').text // 'mail [EMAIL]'
 */
export function createMasker(config: MaskingConfig = maskingConfigSchema.parse({}), deps: MaskerDeps = {}): MaskingEngine {
  const clock = deps.clock ?? systemClock;
  const envKey = process.env[config.key_env];
  let keys: MaskingKeys | undefined;
  let keyError: CountersignError | undefined;
  try {
    if (deps.key) keys = deriveKeys(deps.key.length >= 32 ? deps.key : parseKey('', 'the masking key'));
    else if (envKey) keys = deriveKeys(parseKey(envKey, config.key_env));
  } catch (e) {
    keyError = isCountersignError(e) ? e : new CountersignError('SECRET_MISSING', 'the masking key is invalid');
  }
  const needKeys = (): MaskingKeys => {
    if (keys) return keys;
    throw keyError ?? new CountersignError('SECRET_MISSING', `hash and token transforms need a masking key: set ${config.key_env} (32+ bytes, hex or base64)`);
  };
  // Refuse at load a profile that needs a key when there is none (redact and partial still work without).
  for (const [name, p] of Object.entries(config.profiles)) {
    if (Object.values(p.transforms).some((t) => t === 'hash' || t === 'token') && !keys) {
      throw keyError ?? new CountersignError('SECRET_MISSING', `masking profile "${name}" uses hash or token transforms: set ${config.key_env} (32+ bytes, hex or base64)`);
    }
  }

  const profileOf = (ctx?: MaskContext): MaskingProfile => {
    const name = ctx?.profile ?? config.default_profile;
    const p = config.profiles[name];
    if (p) return p;
    if (name === config.default_profile || name === 'default') return DEFAULT_PROFILE;
    throw new CountersignError('MASKING_FAILED', `unknown masking profile "${name}"; the data was withheld`);
  };
  const disabledCache = new WeakMap<MaskingProfile, Set<string>>();
  const disabled = (p: MaskingProfile) => {
    let s = disabledCache.get(p);
    if (!s) disabledCache.set(p, (s = new Set(p.disabled_detectors)));
    return s;
  };

  const scanText = (text: string, ctx: MaskContext | undefined, field: string | undefined): Finding[] => {
    const p = profileOf(ctx);
    return scan(text, { field }, { minConfidence: p.min_confidence, disabled: disabled(p) });
  };

  /** Apply transforms; token transforms push the sealed value to `pending` (null = no store allowed). */
  // Transform per finding type, per profile, worked out once.
  const transformCache = new WeakMap<MaskingProfile, Map<string, TransformName>>();
  const transformOf = (p: MaskingProfile, type: string): TransformName => {
    let m = transformCache.get(p);
    if (!m) transformCache.set(p, (m = new Map()));
    let t = m.get(type);
    if (t === undefined) m.set(type, (t = transformFor(p.transforms, DEFAULT_TRANSFORMS, type)));
    return t;
  };

  /** Apply transforms; token transforms push the sealed value to `pending` (null = no store allowed). */
  const apply = (text: string, findings: Finding[], ctx: MaskContext | undefined, pending: Pending[] | null): string => {
    if (findings.length === 0) return text;
    const p = profileOf(ctx);
    let out = '';
    let last = 0;
    let kept = 0; // findings not kept as they are, compacted in place
    for (let i = 0; i < findings.length; i++) {
      const f = findings[i];
      const t = transformOf(p, f.type);
      if (t === 'keep') continue;
      let rep: string;
      if (t === 'redact') rep = redact(f.type);
      else {
        const value = text.slice(f.start, f.end);
        if (t === 'partial') rep = partial(f.type, value);
        else if (t === 'hash') rep = `[${f.type}:${keyedHash(needKeys(), f.type, value)}]`;
        else {
          if (pending === null) throw new CountersignError('MASKING_FAILED', 'the token transform needs the token store: use the async maskText');
          if (!deps.tokens) throw new CountersignError('MASKING_FAILED', 'the token transform needs a token store; none is configured');
          const k = needKeys();
          const scope = ctx?.scope ?? 'default';
          const token = tokenFor(k, scope, f.type, value);
          pending.push({ scope, token, sealed: seal(k, scope, token, value) });
          rep = `[${f.type}:${token}]`;
        }
      }
      out += text.slice(last, f.start) + rep;
      last = f.end;
      findings[kept++] = f;
    }
    findings.length = kept;
    return out + text.slice(last);
  };

  const failClosed = (e: unknown): never => {
    if (isCountersignError(e) && (e.code === 'MASKING_FAILED' || e.code === 'SECRET_MISSING')) throw e;
    throw new CountersignError('MASKING_FAILED', undefined, undefined, { cause: e });
  };

  const flush = async (pending: Pending[]) => {
    if (!pending.length) return;
    const at = clock.now();
    const seen = new Set<string>();
    await Promise.all(
      pending.filter((x) => !seen.has(x.scope + '\0' + x.token) && seen.add(x.scope + '\0' + x.token)).map((x) => deps.tokens!.putToken(x.scope, x.token, x.sealed, at)),
    );
  };

  const engine: MaskingEngine = {
    scanSync(text, ctx) {
      try {
        return scanText(text, ctx, ctx?.field);
      } catch (e) {
        return failClosed(e);
      }
    },
    maskTextSync(text, ctx) {
      try {
        const findings = scanText(text, ctx, ctx?.field);
        return { text: apply(text, findings, ctx, null), findings };
      } catch (e) {
        return failClosed(e);
      }
    },
    async maskText(text, ctx) {
      try {
        const pending: Pending[] = [];
        const findings = scanText(text, ctx, ctx?.field);
        const masked = apply(text, findings, ctx, pending);
        await flush(pending);
        return { text: masked, findings };
      } catch (e) {
        return failClosed(e);
      }
    },
    maskValueSync(value, ctx) {
      try {
        const findings: Finding[] = [];
        const out = walkValue(value, ctx?.field, (text, field, at) => {
          const fs = scanText(text, ctx, field);
          if (fs.length === 0) return text;
          const masked = apply(text, fs, ctx, null);
          const path = pathOf(at);
          for (const f of fs) findings.push({ ...f, path });
          return masked;
        });
        return { value: out as typeof value, findings };
      } catch (e) {
        return failClosed(e);
      }
    },
    async maskValue(value, ctx) {
      try {
        const findings: Finding[] = [];
        const pending: Pending[] = [];
        const out = walkValue(value, ctx?.field, (text, field, at) => {
          const fs = scanText(text, ctx, field);
          if (fs.length === 0) return text;
          const masked = apply(text, fs, ctx, pending);
          const path = pathOf(at);
          for (const f of fs) findings.push({ ...f, path });
          return masked;
        });
        await flush(pending);
        return { value: out as typeof value, findings };
      } catch (e) {
        return failClosed(e);
      }
    },
    async *maskStream(chunks, ctx, opts) {
      const needsStore = Object.values(profileOf(ctx).transforms).includes('token');
      for await (const piece of maskChunks(chunks, (t) => scanText(t, ctx, ctx?.field), opts)) {
        try {
          if (!needsStore) {
            yield apply(piece.text, piece.findings, ctx, null);
          } else {
            const pending: Pending[] = [];
            const masked = apply(piece.text, piece.findings, ctx, pending);
            await flush(pending);
            yield masked;
          }
        } catch (e) {
          failClosed(e);
        }
      }
    },
    async reveal(scope, token) {
      const m = /(tok_[A-Za-z0-9_-]{22})/.exec(token);
      if (!m || !deps.tokens) throw new CountersignError('TOKEN_UNKNOWN');
      const k = needKeys();
      const sealed = await deps.tokens.getToken(scope, m[1]);
      if (sealed === undefined) throw new CountersignError('TOKEN_UNKNOWN');
      try {
        return open(k, scope, m[1], sealed);
      } catch {
        throw new CountersignError('TOKEN_UNKNOWN', 'the masking token does not decrypt with this key in this scope');
      }
    },
    profiles() {
      return [...new Set([config.default_profile, ...Object.keys(config.profiles)])];
    },
  };
  return engine;
}
