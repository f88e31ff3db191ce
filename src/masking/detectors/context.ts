import { CUE_BIRTH, CUE_CARD_CODE, CUE_MRN, CUE_NATIONAL, eachCue } from '../cues.js';
import type { Detector } from '../types.js';
import { isPartialOutput } from '../transforms.js';
import { codeUnits, escapeBefore } from '../chars.js';

// The cues themselves (born, birth, DOB, D.O.B.; MRN, patient ID, …) come from the shared cue pass (cues.ts).
// Month names in English, German, Dutch, French, Spanish, Italian and Portuguese, by their first letters (märz, février,
// août, décembre: the rest of the word may hold accented letters).
const MONTH = '(?:jan|feb|f[ée]v|mar|m[äa]e?r|apr|avr|abr|maa|may|mai|mei|mag|jun|juin|giu|jul|juil|lug|aug|ao[ûu]|ago|sep|set|oct|okt|ott|out|nov|dec|d[ée]c|dez|dic|ene|gen)[a-zà-ÿ]*\\.?';
const DATE = new RegExp(
  `\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{1,2}[-/.]\\d{1,2}[-/.]\\d{2,4}|(?:\\d{1,2}(?:st|nd|rd|th|er|\\.)?\\s+(?:of\\s+|de\\s+)?)?${MONTH}\\s+(?:\\d{1,2}(?:st|nd|rd|th)?,?\\s+)?(?:de\\s+)?\\d{4}`,
  'i',
);

/** DATE_OF_BIRTH: a date within 40 characters after a birth cue (born, birth date, DOB, D.O.B., Geburtsdatum, né le, …). */
export const birthDates: Detector = (text, out, ctx) => {
  if (ctx.field && /birth|dob|born/.test(ctx.field)) {
    const m = DATE.exec(text);
    if (m) out.push({ type: 'DATE_OF_BIRTH', start: m.index, end: m.index + m[0].length, confidence: 0.9, detector: 'birth-date' });
  }
  eachCue(text, ctx, CUE_BIRTH, (_start, from) => {
    const d = DATE.exec(text.slice(from, from + 48));
    if (!d || d.index > 40) return;
    out.push({ type: 'DATE_OF_BIRTH', start: from + d.index, end: from + d.index + d[0].length, confidence: 0.9, detector: 'birth-date' });
    return from + d.index + d[0].length;
  });
};

// Medicare Beneficiary Identifier (CMS): digit 1-9, letter, letter or digit, digit, letter, letter or digit, digit,
// letter, letter, digit, digit; letters without S, L, O, I, B, Z; often written 1EG4-TE5-MK73.
const MBI_A = '[AC-HJKMNP-RT-Y]', MBI_AN = '[AC-HJKMNP-RT-Y0-9]';
const MBI = new RegExp(`^[1-9]${MBI_A}${MBI_AN}\\d-?${MBI_A}${MBI_AN}\\d-?${MBI_A}${MBI_A}\\d\\d$`);
const ID = /^[\s:#.=-]*(?:(?:number|no|num|nr|id)\b[\s:#.=-]*)?([A-Z0-9][A-Z0-9-]{3,19})/i;

/**
 * MEDICAL_RECORD: an identifier with digits right after a medical-record cue (MRN, patient ID, NHS number, …), or a
 * Medicare Beneficiary Identifier (or a long number) after Medicare / MBI.
 */
export const medicalRecords: Detector = (text, out, ctx) => {
  // Under its field, any value with 3 digits, except what partial() made of one (`***-****3456`: masked already).
  if (ctx.field && /mrn|medical_?record|patient_?id|nhs/.test(ctx.field) && /\d{3}/.test(text) && text.length < 40 && !isPartialOutput('MEDICAL_RECORD', text.trim())) {
    out.push({ type: 'MEDICAL_RECORD', start: 0, end: text.length, confidence: 0.85, detector: 'medical-record' });
  }
  eachCue(text, ctx, CUE_MRN, (start, from) => {
    const id = ID.exec(text.slice(from, from + 48));
    if (!id) return;
    const cue = text.slice(start, start + 8).toLowerCase();
    // After "Medicare"/"MBI": a Medicare Beneficiary Identifier, or a long number (a HICN, an Australian Medicare
    // number), not "Medicare 2024".
    const medicare = cue === 'medicare' || cue.startsWith('mbi');
    if (medicare ? MBI.test(id[1]) || /(?:\d-?){9}/.test(id[1]) : /\d{3}/.test(id[1])) {
      const start = from + id[0].length - id[1].length;
      out.push({ type: 'MEDICAL_RECORD', start, end: start + id[1].length, confidence: 0.9, detector: 'medical-record' });
    }
  });
};

// National identifiers after their cue (cues.ts NATIONAL_SRC), each in its written form: the first within 40
// characters is taken. A valid check character or key gives 0.95; the shape alone, right after its cue, 0.8 (a
// mistyped or test number under "DNI" is still one).
const DNI = /(?<![A-Za-z0-9])(?:\d{8}|[XYZxyz][- ]?\d{7})[- ]?[A-Za-z](?![A-Za-z0-9])/;
const NIR = /(?<![A-Za-z0-9])[1278] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3}(?: ?(\d{2}))?(?![A-Za-z0-9])/;
const STEUER_ID = /(?<![A-Za-z0-9])[1-9]\d(?: ?\d{3}){3}(?![A-Za-z0-9])/;
const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** A Spanish DNI (8 digits) or NIE (X/Y/Z and 7 digits) with its check letter. */
export function dniValid(id: string): boolean {
  const s = id.replace(/[- ]/g, '').toUpperCase();
  const lead = 'XYZ'.indexOf(s[0]);
  const n = Number((lead >= 0 ? String(lead) + s.slice(1, 8) : s.slice(0, 8)));
  return DNI_LETTERS[n % 23] === s[8];
}

/** A French NIR (13 digits, Corsica 2A/2B) and its key: 97 - (number mod 97). */
export function nirValid(id: string): boolean {
  const s = id.replace(/ /g, '').toUpperCase();
  if (s.length !== 15) return false;
  // Corsica: 2A counts as 19, 2B as 18 in the number (the department written with a letter).
  const body = s.slice(0, 13).replace('2A', '19').replace('2B', '18');
  if (!/^\d{13}$/.test(body)) return false;
  return 97 - Number(BigInt(body) % 97n) === Number(s.slice(13));
}

/** A German Steuer-ID (11 digits): ISO 7064 MOD 11,10 check digit. */
export function steuerIdValid(id: string): boolean {
  const s = id.replace(/ /g, '');
  if (!/^[1-9]\d{10}$/.test(s)) return false;
  let p = 10;
  for (let i = 0; i < 10; i++) {
    let sum = (Number(s[i]) + p) % 10;
    if (sum === 0) sum = 10;
    p = (sum * 2) % 11;
  }
  return (11 - p) % 10 === Number(s[10]);
}

/** NATIONAL_ID: a Spanish DNI/NIE, a French NIR or a German Steuer-ID right after its cue. */
export const nationalIds: Detector = (text, out, ctx) => {
  eachCue(text, ctx, CUE_NATIONAL, (start, from) => {
    const c = text.charCodeAt(start) | 32;
    const window = text.slice(from, from + 48);
    let m: RegExpExecArray | null;
    let valid: boolean;
    if (c === 100 || (c === 110 && (text.charCodeAt(start + 2) | 32) !== 114)) {
      m = DNI.exec(window); // dni, nie, nif
      valid = !!m && dniValid(m[0]);
    } else if (c === 115 && text.length > start + 6 && (text.charCodeAt(start + 1) | 32) === 116) {
      m = STEUER_ID.exec(window); // steuer-id
      valid = !!m && steuerIdValid(m[0]);
    } else {
      m = NIR.exec(window); // nir, insee, sociale, vitale
      valid = !!m && m[1] !== undefined && nirValid(m[0]);
    }
    if (!m || m.index > 40) return;
    out.push({ type: 'NATIONAL_ID', start: from + m.index, end: from + m.index + m[0].length, confidence: valid ? 0.95 : 0.8, detector: 'national-id' });
    return from + m.index + m[0].length;
  });
};

// After a card security code cue: a short parenthesis (`(3 digits)`), separators (an XML tag's `>`, a URL-encoded
// `=`), an optional `is`/`was`, an optional quote, then 3 or 4 digits alone.
const CARD_CODE = /^(?:\s*\([^()\n]{0,20}\))?(?:%3d|[\s:#=>-]){0,4}(?:(?:is|was)[\s:]+)?["']?(\d{3,4})(?!\d)/i;

/**
 * CARD_SECURITY_CODE: the 3 or 4 digits right after a card security code cue (CVV, CVC, CVV2, security code,
 * card verification code …): data no one may keep after a payment is authorised (PCI DSS), so it never reaches an
 * agent, even beside a card number that is partly shown.
 */
export const cardCodes: Detector = (text, out, ctx) => {
  eachCue(text, ctx, CUE_CARD_CODE, (cue, from) => {
    const before = cue > 0 ? text.charCodeAt(cue - 1) : 32;
    // "1cvv 123": glued to a number, not a cue (a percent escape before it, `%20cvv`, is a separator).
    if (before >= 48 && before <= 57 && !escapeBefore(codeUnits(text, ctx), cue)) return;
    const m = CARD_CODE.exec(text.slice(from, from + 24));
    if (!m) return;
    const start = from + m[0].length - m[1]!.length;
    out.push({ type: 'CARD_SECURITY_CODE', start, end: start + m[1]!.length, confidence: 0.9, detector: 'card-code' });
    return start + m[1]!.length;
  });
};

