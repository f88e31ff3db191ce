import { CUE_BIRTH, CUE_MRN, eachCue } from '../cues.js';
import type { Detector } from '../types.js';

// The cues themselves (born, birth, DOB, D.O.B.; MRN, patient ID, …) come from the shared cue pass (cues.ts).
const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
const DATE = new RegExp(
  `\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{1,2}[-/.]\\d{1,2}[-/.]\\d{2,4}|(?:\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?)?${MONTH}\\s+(?:\\d{1,2}(?:st|nd|rd|th)?,?\\s+)?\\d{4}`,
  'i',
);

/** DATE_OF_BIRTH: a date within 40 characters after a birth cue (born, birth date, DOB, D.O.B.). */
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

const ID = /^[\s:#.=-]*(?:(?:number|no|num|nr|id)\b[\s:#.=-]*)?([A-Z0-9][A-Z0-9-]{3,19})/i;

/** MEDICAL_RECORD: an identifier with digits right after a medical-record cue (MRN, patient ID, NHS number, …). */
export const medicalRecords: Detector = (text, out, ctx) => {
  if (ctx.field && /mrn|medical_?record|patient_?id|nhs/.test(ctx.field) && /\d{3}/.test(text) && text.length < 40) {
    out.push({ type: 'MEDICAL_RECORD', start: 0, end: text.length, confidence: 0.85, detector: 'medical-record' });
  }
  eachCue(text, ctx, CUE_MRN, (_start, from) => {
    const id = ID.exec(text.slice(from, from + 48));
    if (id && /\d{3}/.test(id[1])) {
      const start = from + id[0].length - id[1].length;
      out.push({ type: 'MEDICAL_RECORD', start, end: start + id[1].length, confidence: 0.9, detector: 'medical-record' });
    }
  });
};
