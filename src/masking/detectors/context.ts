import { CUE_BIRTH, CUE_MRN, eachCue } from '../cues.js';
import type { Detector } from '../types.js';

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
  if (ctx.field && /mrn|medical_?record|patient_?id|nhs/.test(ctx.field) && /\d{3}/.test(text) && text.length < 40) {
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
