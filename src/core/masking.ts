/** One sensitive value found in a text. Never carries the value itself. */
export interface Finding {
  type: string; // EMAIL, PHONE, CREDIT_CARD, AWS_ACCESS_KEY, ...
  start: number; // UTF-16 offsets into the text that was scanned
  end: number;
  confidence: number; // 0..1
  detector: string;
  /** For JSON input: the path of the value the span is in, e.g. `$.users[0].email`. */
  path?: string;
}

export interface MaskContext {
  /** Masking profile from config (which types, which transform); default profile when absent. */
  profile?: string;
  /** Scope for reversible tokens: the same value gives the same token within one scope. */
  scope?: string;
  /** Field or column name the text came from; raises or lowers confidence. */
  field?: string;
}

/**
 * Masks anything that flows back to an agent or a person. Implementations fail closed: if masking fails they
 * throw CountersignError('MASKING_FAILED'), never return the input unmasked.
 */
export interface Masker {
  maskText(text: string, ctx?: MaskContext): Promise<{ text: string; findings: Finding[] }>;
  /** Walks JSON value by value (keys as context); the result has the same shape. */
  maskValue<T>(value: T, ctx?: MaskContext): Promise<{ value: T; findings: Finding[] }>;
}
